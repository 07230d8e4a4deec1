/**
 * `secgear/edl`: the EDL code generator's programmatic API. `parseEdl`/`loadEdl` read EDL
 * (Intel's grammar, as secGear uses it) into a checked interface; `generate` turns it into
 * `<name>_u.ts` (host proxies) and `<name>_t.ts` (enclave dispatch and ocall proxies).
 */
export { parseEdl, loadEdl, type ParseEdlOptions, type ParsedEdl } from './parse-edl.js';
export { generate, manifestDeclarations, type GenerateOptions, type GenerateResult, type GeneratedFile, type EdlManifestDeclarations } from './generate.js';
export { EdlError, formatDiagnostic, type Diagnostic, type SourceLocation } from './diagnostics.js';
export { edlHash, canonicalInterface } from './hash.js';
export { DEFAULT_FOREIGN_TYPES } from './foreign-types.js';
export { SGX_HEADER_BLOCKS, sgxBuiltinTypes, type BuiltinTypes, type HeaderBlock } from './sgx/index.js';
export { SGX_SYSTEM_EDL, STD_LIBRARY } from './stdlib.js';
export { DEFAULT_MAX_BUFFER_BYTES } from './codegen/sizes.js';
export type { EdlFileSystem } from './loader.js';
export type * from './model.js';
export { prepareEdlManifest } from './build-manifest.js';
