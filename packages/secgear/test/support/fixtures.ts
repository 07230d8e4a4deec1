import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildImage } from '../../src/image/build-image.js';
import type { ManifestInput } from '../../src/image/manifest.js';
import { generateSigningKey } from '../../src/image/signing-key.js';
import { repoRoot } from './paths.js';

const fixturesDir = join(repoRoot, 'packages', 'secgear', 'test', 'fixtures', 'enclaves');
let workDir: string | null = null;
let key: string | null = null;

/** A per-process scratch folder for built images and keys. */
export function scratchDir(): string {
  workDir ??= mkdtempSync(join(tmpdir(), 'secgear-test-'));
  return workDir;
}

/** One signing key per test process. */
export function testKey(): string {
  if (!key) {
    key = generateSigningKey();
    writeFileSync(join(scratchDir(), 'key.pem'), key, { mode: 0o600 });
  }
  return key;
}

export function fixtureEntry(name: string): string {
  return join(fixturesDir, `${name}.ts`);
}

export function fixtureManifest(name: string): ManifestInput {
  return JSON.parse(readFileSync(join(fixturesDir, `${name}.json`), 'utf8')) as ManifestInput;
}

const built = new Map<string, Promise<string>>();

/** Builds a fixture enclave (with manifest overrides) once per process; returns the image path. */
export function buildFixture(name: string, overrides: Partial<ManifestInput> = {}, signingKey = testKey()): Promise<string> {
  const id = `${name}-${JSON.stringify(overrides)}-${createHash('sha256').update(signingKey).digest('hex')}`;
  let image = built.get(id);
  if (!image) {
    const output = join(scratchDir(), `${name}-${built.size}.sgimg`);
    mkdirSync(scratchDir(), { recursive: true });
    image = buildImage({ entry: fixtureEntry(name), manifest: { ...fixtureManifest(name), ...overrides }, key: signingKey, output }).then(() => output);
    built.set(id, image);
  }
  return image;
}
