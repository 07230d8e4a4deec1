/**
 * Test harness: a sim enclave image built once per process, a private sim platform folder whose
 * root the service is configured to trust, and services on free ports that tests close.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildImage, createEnclave, generateSigningKey, type Enclave } from 'secgear';
import { classifyAnchors, type TrustAnchor } from 'secgear/attest';
import { createAttestationService, type AttestationService, type AttestationServiceOptions } from '../../src/index.js';

const here = dirname(fileURLToPath(import.meta.url));
/** The TypeScript source of the fixtures (tests run from dist/, the enclave is bundled from source). */
export const fixturesDir = join(here, '..', '..', '..', 'test', 'fixtures');
export const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';

export interface Harness {
  dir: string;
  stateDir: string;
  image(version: string): Promise<string>;
  enclave(version: string): Promise<Enclave>;
  simRoot(): TrustAnchor[];
  service(options?: AttestationServiceOptions): Promise<{ service: AttestationService; url: string }>;
  cleanup(): Promise<void>;
}

export function createHarness(): Harness {
  const dir = mkdtempSync(join(tmpdir(), 'secgear-as-test-'));
  const stateDir = join(dir, 'sim');
  const key = generateSigningKey();
  const images = new Map<string, Promise<string>>();
  const enclaves: Enclave[] = [];
  const services: AttestationService[] = [];
  const harness: Harness = {
    dir,
    stateDir,
    image(version) {
      let image = images.get(version);
      if (!image) {
        const output = join(dir, `attester-${version}.sgimg`);
        image = buildImage({
          entry: join(fixturesDir, 'attester.ts'),
          manifest: { name: 'attester', version, prodId: 1, svn: 2, ecalls: ['getEvidence'] },
          key,
          output,
        }).then(() => output);
        images.set(version, image);
      }
      return image;
    },
    async enclave(version) {
      const e = await createEnclave(await harness.image(version), { type: 'sim', platform: { stateDir } });
      enclaves.push(e);
      // the first evidence creates the platform's state, root included
      await e.getEvidence({ nonce: new Uint8Array(8) });
      return e;
    },
    simRoot() {
      const anchors = classifyAnchors(new Uint8Array(readFileSync(join(stateDir, 'sim-root.pem'))));
      if (!anchors) throw new Error('no sim root yet: start an enclave first');
      return anchors;
    },
    async service(options = {}) {
      const service = await createAttestationService({ logger: false, adminTokens: [ADMIN_TOKEN], ...options });
      services.push(service);
      const url = await service.listen();
      return { service, url };
    },
    async cleanup() {
      await Promise.all(services.map((s) => s.close()));
      await Promise.all(enclaves.map((e) => e.destroy()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return harness;
}

/** JSON call with the admin token. */
export async function admin(url: string, method: string, path: string, body?: unknown, token = ADMIN_TOKEN): Promise<Response> {
  return fetch(new URL(path, url), {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

export async function ok(response: Response | Promise<Response>): Promise<string> {
  const r = await response;
  const text = await r.text();
  if (!r.ok) throw new Error(`HTTP ${r.status}: ${text}`);
  return text;
}
