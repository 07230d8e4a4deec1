/**
 * `generate`: a checked interface → `<name>_u.ts` (host) and `<name>_t.ts` (enclave), plus the
 * declarations `secgear build` records in the image manifest.
 */
import { ErrorCode, SecGearError } from '../common/errors.js';
import { exportedNames, trustedFile, untrustedFile, type FileOptions } from './codegen/files.js';
import { isReservedJs, isReservedType, jsName, pascalCase } from './codegen/names.js';
import { DEFAULT_MAX_BUFFER_BYTES, SizeLimitError } from './codegen/sizes.js';
import { DiagnosticBag, type Diagnostic } from './diagnostics.js';
import { edlHash as hashOf } from './hash.js';
import type { EdlModel } from './model.js';
import type { ParsedEdl } from './parse-edl.js';

export interface GenerateOptions {
  /** Which files: both (default), only the enclave's `_t.ts`, or only the host's `_u.ts`. */
  side?: 'both' | 'trusted' | 'untrusted';
  /** Largest buffer (bytes) either side accepts; sizes above it are refused. Default 64 MiB. */
  maxBufferBytes?: number;
  /**
   * Module specifiers the generated files import. Defaults: `secgear/errors`,
   * `secgear/enclave`, `secgear/edl-runtime` (the helpers that check values at run time).
   */
  modules?: { errors?: string; enclave?: string; runtime?: string };
}

export interface GeneratedFile {
  /** `<name>_u.ts` or `<name>_t.ts`. */
  name: string;
  side: 'trusted' | 'untrusted';
  contents: string;
}

/** What the image manifest records (the shape of EnclaveManifest's ecalls/ocalls/edlHash). */
export interface EdlManifestDeclarations {
  edlHash: string;
  ecalls: { name: string; public: boolean; switchless: boolean }[];
  ocalls: { name: string; allow: string[] }[];
}

export interface GenerateResult {
  files: GeneratedFile[];
  manifest: EdlManifestDeclarations;
  warnings: Diagnostic[];
}

export function manifestDeclarations(model: EdlModel, edlHash: string): EdlManifestDeclarations {
  return {
    edlHash,
    ecalls: model.ecalls.map((e) => ({ name: e.name, public: e.isPublic, switchless: e.switchless })),
    ocalls: model.ocalls.map((o) => ({ name: o.name, allow: [...o.allow] })),
  };
}

/** Generates TypeScript from `parseEdl`'s result. Throws EdlError for names TypeScript cannot carry. */
export function generate(parsed: ParsedEdl, options: GenerateOptions = {}): GenerateResult {
  const { model } = parsed;
  const side = options.side ?? 'both';
  if (side !== 'both' && side !== 'trusted' && side !== 'untrusted') throw new SecGearError(ErrorCode.BAD_PARAMETERS, `generate: side must be 'both', 'trusted' or 'untrusted', got ${String(side)}`);
  const maxBufferBytes = options.maxBufferBytes ?? DEFAULT_MAX_BUFFER_BYTES;
  if (!Number.isSafeInteger(maxBufferBytes) || maxBufferBytes < 1 || maxBufferBytes > 2 ** 32) {
    throw new SecGearError(ErrorCode.BAD_PARAMETERS, `generate: maxBufferBytes must be an integer from 1 to 4294967296, got ${maxBufferBytes}`);
  }
  const edlHash = parsed.edlHash ?? hashOf(model);
  const bag = new DiagnosticBag();
  checkNames(model, bag);
  bag.throwIfErrors();

  const base = model.file.slice(model.file.lastIndexOf('/') + 1);
  const fileOptions: FileOptions = {
    edlHash,
    maxBufferBytes,
    errorsModule: options.modules?.errors ?? 'secgear/errors',
    enclaveModule: options.modules?.enclave ?? 'secgear/enclave',
    runtimeModule: options.modules?.runtime ?? 'secgear/edl-runtime',
    source: base,
  };
  const files: GeneratedFile[] = [];
  try {
    if (side !== 'trusted') files.push({ name: `${model.name}_u.ts`, side: 'untrusted', contents: untrustedFile(model, fileOptions) });
    if (side !== 'untrusted') files.push({ name: `${model.name}_t.ts`, side: 'trusted', contents: trustedFile(model, fileOptions) });
  } catch (error) {
    if (!(error instanceof SizeLimitError)) throw error;
    bag.error('semantic', error.loc ?? { file: model.file, line: 1, col: 1 }, error.message, 'lower the size, or raise maxBufferBytes (--max-buffer)');
    bag.throwIfErrors();
  }
  return { files, manifest: manifestDeclarations(model, edlHash), warnings: [...parsed.warnings, ...bag.warnings] };
}

/** Names that would not compile or would collide in the generated TypeScript. */
function checkNames(model: EdlModel, bag: DiagnosticBag): void {
  const prefix = pascalCase(model.name);
  const generatedTypes = new Set([`${prefix}Ecalls`, `${prefix}Ocalls`, 'EcallTarget', 'EdlHandle', 'EdlRef', 'StdOcallOptions']);
  for (const t of model.types) {
    if (isReservedType(t.name)) bag.error('semantic', t.loc, `${t.kind} name '${t.name}' cannot name a TypeScript type here (reserved, or used by the generated code)`, `rename the ${t.kind}`);
    else if (generatedTypes.has(t.name)) bag.error('semantic', t.loc, `${t.kind} name '${t.name}' collides with a type the generator emits`, `rename the ${t.kind}`);
  }
  for (const c of model.constants) {
    if (isReservedJs(c.name)) bag.error('semantic', { file: model.file, line: 1, col: 1 }, `enum constant '${c.name}' is a reserved word in JavaScript`, 'rename it');
  }
  for (const o of model.ocalls) {
    if (o.switchless) bag.warn('semantic', o.loc, `ocall '${o.name}' is marked transition_using_threads, but this runtime makes ocalls the normal way (switchless applies to ecalls)`, 'remove transition_using_threads from the ocall, or keep it for other SDKs');
  }
  for (const fn of [...model.ecalls, ...model.ocalls]) {
    if (isReservedJs(fn.name)) bag.warn('semantic', fn.loc, `'${fn.name}' is a reserved word in JavaScript: its proxy is exported as '${jsName(fn.name)}'`, 'rename the function to keep the names equal');
  }
  for (const side of ['untrusted', 'trusted'] as const) {
    const seen = new Map<string, boolean>();
    for (const { name, fn } of exportedNames(model, side)) {
      if (seen.has(name)) {
        bag.error('semantic', fn?.loc ?? { file: model.file, line: 1, col: 1 }, `'${name}' would be exported twice from ${model.name}_${side === 'untrusted' ? 'u' : 't'}.ts`, 'rename the function or constant');
      }
      seen.set(name, true);
    }
  }
}
