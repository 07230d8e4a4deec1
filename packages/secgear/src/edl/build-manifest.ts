/**
 * `secgear build` integration: when enclave.json names an EDL file (`"edl": "hello.edl"`),
 * the build generates `<name>_t.ts` and `<name>_u.ts` next to it (before the enclave entry is
 * bundled, so the entry can import the generated table) and records the EDL's hash and its
 * declared ecalls and ocalls in the manifest, which the signature then covers.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ErrorCode, SecGearError } from '../common/errors.js';
import type { EdlBuildOptions, ManifestInput } from '../image/manifest.js';
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
  const options = edlBuildOptions(input.edlOptions);
  const parsed = loadEdl(edlPath, {
    searchPath: options.searchPath?.map((p) => resolve(manifestDir, p)),
    defines: options.defines,
    foreignTypes: options.foreignTypes,
  });
  for (const w of parsed.warnings) process.stderr.write(`warning: ${w.loc.file}:${w.loc.line}:${w.loc.col}: ${w.message}\n`);
  const result = generate(parsed, options.maxBufferBytes === undefined ? {} : { maxBufferBytes: options.maxBufferBytes });
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

/** Checks the manifest's `edlOptions` (untrusted JSON) and names the field that is wrong. */
function edlBuildOptions(value: unknown): EdlBuildOptions {
  if (value === undefined) return {};
  const bad = (field: string, what: string): never => {
    throw new SecGearError(ErrorCode.INVALID_MANIFEST, `manifest.edlOptions${field}: ${what}`);
  };
  const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isRecord(value)) return bad('', 'must be an object { searchPath?, defines?, foreignTypes?, maxBufferBytes? }');
  for (const key of Object.keys(value)) {
    if (!['searchPath', 'defines', 'foreignTypes', 'maxBufferBytes'].includes(key)) bad('', `unknown field "${key}"`);
  }
  const { searchPath, defines, foreignTypes, maxBufferBytes } = value;
  if (searchPath !== undefined && !(Array.isArray(searchPath) && searchPath.every((p) => typeof p === 'string' && p.length > 0))) {
    bad('.searchPath', 'must be an array of folder paths, relative to the manifest');
  }
  if (defines !== undefined && !(isRecord(defines) && Object.values(defines).every((v) => ['string', 'number', 'boolean'].includes(typeof v)))) {
    bad('.defines', 'must map macro names to strings, numbers or booleans');
  }
  if (foreignTypes !== undefined && !(isRecord(foreignTypes) && Object.values(foreignTypes).every((v) => typeof v === 'string'))) {
    bad('.foreignTypes', 'must map C type names to EDL types, "bool" or "handle"');
  }
  if (maxBufferBytes !== undefined && !(Number.isSafeInteger(maxBufferBytes) && (maxBufferBytes as number) > 0)) {
    bad('.maxBufferBytes', 'must be a positive integer');
  }
  return value as EdlBuildOptions;
}
