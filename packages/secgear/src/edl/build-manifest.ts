/**
 * `secgear build` integration: when enclave.json names an EDL file (`"edl": "hello.edl"`),
 * the build generates `<name>_t.ts` and `<name>_u.ts` next to it (before the enclave entry is
 * bundled, so the entry can import the generated table) and records the EDL's hash and its
 * declared ecalls and ocalls in the manifest, which the signature then covers.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ErrorCode, SecGearError } from '../common/errors.js';
import type { ManifestInput } from '../image/manifest.js';
import { generate } from './generate.js';
import { loadEdl } from './parse-edl.js';

function readOrNull(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** A ManifestPreparer (image/manifest-preparers.ts). Input without `edl` passes through unchanged. */
export function prepareEdlManifest(input: ManifestInput, manifestDir: string): ManifestInput {
  if (input.edl === undefined) return input;
  if (typeof input.edl !== 'string' || input.edl.length === 0) {
    throw new SecGearError(ErrorCode.INVALID_MANIFEST, 'manifest.edl: must be the path of an EDL file, relative to the manifest');
  }
  if ((input.ecalls?.length ?? 0) > 0 || (input.ocalls?.length ?? 0) > 0) {
    throw new SecGearError(ErrorCode.INVALID_MANIFEST, `manifest names an EDL file (${input.edl}) and also lists ecalls/ocalls; the EDL declares them: remove "ecalls" and "ocalls" from the manifest`);
  }
  const edlPath = resolve(manifestDir, input.edl);
  const parsed = loadEdl(edlPath);
  for (const w of parsed.warnings) process.stderr.write(`warning: ${w.loc.file}:${w.loc.line}:${w.loc.col}: ${w.message}\n`);
  const result = generate(parsed);
  const dir = dirname(edlPath);
  for (const file of result.files) {
    const path = join(dir, file.name);
    // unchanged files keep their timestamps, so incremental builds stay incremental
    if (readOrNull(path) === file.contents) continue;
    try {
      writeFileSync(path, file.contents);
    } catch (error) {
      throw new SecGearError(ErrorCode.BUILD_FAILED, `cannot write the generated ${path}: ${(error as Error).message}; make the EDL's folder writable`, { cause: error });
    }
  }
  return { ...input, ecalls: result.manifest.ecalls, ocalls: result.manifest.ocalls, edlHash: result.manifest.edlHash };
}
