import { ErrorCode, SecGearError } from '../common/errors.js';
import type { CallPolicy } from '../common/protocol.js';
import { normalizeGramineSection, type GramineSection } from './gramine-section.js';

/** An ecall the image exports. Private ecalls (`public: false`) are callable only from inside an ocall that allows them. */
export interface EcallDeclaration {
  name: string;
  /** Default true. EDL's `public`. */
  public?: boolean;
  /** Served through the switchless ring (EDL's `transition_using_threads`). */
  switchless?: boolean;
}

/** An ocall the enclave may make. `allow` lists the ecalls the host may make while serving it (EDL's `allow(...)`). */
export interface OcallDeclaration {
  name: string;
  allow?: string[];
}

/** Enclave-side switchless settings (the host's `createEnclave({ switchless })` tunes the rest). */
export interface ManifestSwitchless {
  /** Ring slots (tasks in flight at once). */
  poolSize: number;
  /** Bytes of arguments/results a slot holds; larger calls take the normal path. */
  slotBytes: number;
}

/** The signed description of an enclave. Covered by the measurement. */
export interface EnclaveManifest {
  name: string;
  version: string;
  /** Product id (ISVPRODID), 0..65535. */
  prodId: number;
  /** Security version (ISVSVN), 0..65535. */
  svn: number;
  /** Debug images start only when the host passes `debug: true`, and may leak stack traces. */
  debug: boolean;
  /** V8 old-generation heap limit of the enclave, in MiB. */
  heapLimitMb: number;
  /**
   * Limit of everything the enclave allocates (V8 heap, ArrayBuffers, Wasm memory), in MiB;
   * at least heapLimitMb. Default: twice heapLimitMb (see effectiveMemoryLimitMb).
   */
  memoryLimitMb?: number;
  /** Ecalls in flight at once (like SGX's TCS count); more wait in a queue. */
  maxConcurrentEcalls: number;
  switchless: ManifestSwitchless;
  ecalls: EcallDeclaration[];
  ocalls: OcallDeclaration[];
  /**
   * SHA-384 (hex) of the canonical interface the EDL file declares (types, functions and their
   * attributes: what crosses the boundary; comments and import layout do not change it).
   */
  edlHash?: string;
  /** How to size the SGX enclave under Gramine (the gramine-sgx backend); see gramine-section.ts. */
  gramine?: GramineSection;
}

/** What a developer writes in `enclave.json`; defaults fill the rest. */
export type ManifestInput = Partial<Omit<EnclaveManifest, 'switchless' | 'ecalls' | 'ocalls'>> & {
  name: string;
  /** Names, or declarations with attributes. */
  ecalls?: Array<string | EcallDeclaration>;
  ocalls?: Array<string | OcallDeclaration>;
  switchless?: Partial<ManifestSwitchless>;
  /** Path of an EDL file (relative to the manifest); used by the build, recorded as `edlHash`. */
  edl?: string;
  /** How the build reads the EDL (like `secgear codegen`'s flags); not recorded in the image. */
  edlOptions?: EdlBuildOptions;
};

/** Options of the EDL step of `secgear build`. */
export interface EdlBuildOptions {
  /** Folders searched for imported EDL files, relative to the manifest. */
  searchPath?: string[];
  /** Preprocessor macros, like `-D NAME=VALUE`. */
  defines?: Record<string, string | number | boolean>;
  /** Foreign C type mappings (name → EDL type, `bool` or `handle`). */
  foreignTypes?: Record<string, string>;
  /** Largest buffer, in bytes, the generated checks accept. */
  maxBufferBytes?: number;
}

export const MANIFEST_DEFAULTS = {
  version: '0.0.0',
  prodId: 0,
  svn: 0,
  debug: false,
  heapLimitMb: 64,
  maxConcurrentEcalls: 8,
  switchless: { poolSize: 16, slotBytes: 4096 },
} as const;

/** Reserved names of the runtime's own ocalls; user declarations may not reuse them. */
export const BUILTIN_OCALL_PREFIX = '__secgear_';

const NAME = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function bad(where: string, message: string): never {
  throw new SecGearError(ErrorCode.INVALID_MANIFEST, `${where}: ${message}`);
}

function integer(where: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    bad(where, `must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return value;
}

function string(where: string, value: unknown, maxLength = 256): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > maxLength) bad(where, `must be a non-empty string of at most ${maxLength} characters`);
  return value;
}

function identifier(where: string, value: unknown): string {
  const s = string(where, value, 128);
  if (!NAME.test(s)) bad(where, `"${s}" is not a valid function name (letters, digits, _ and $; not starting with a digit)`);
  if (s.startsWith(BUILTIN_OCALL_PREFIX)) bad(where, `names starting with ${BUILTIN_OCALL_PREFIX} are reserved for the runtime`);
  return s;
}

function checkKeys(where: string, value: object, allowed: readonly string[]): void {
  for (const key of Object.keys(value)) if (!allowed.includes(key)) bad(where, `unknown field "${key}" (allowed: ${allowed.join(', ')})`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Validates a manifest (from enclave.json or from an image) and fills defaults.
 * Throws CC_ERROR_INVALID_MANIFEST naming the field and what is expected.
 */
export function normalizeManifest(input: unknown, where = 'manifest'): EnclaveManifest {
  if (!isObject(input)) bad(where, 'must be a JSON object');
  checkKeys(where, input, ['name', 'version', 'prodId', 'svn', 'debug', 'heapLimitMb', 'memoryLimitMb', 'maxConcurrentEcalls', 'switchless', 'ecalls', 'ocalls', 'edlHash', 'edl', 'edlOptions', 'gramine']);
  const d = MANIFEST_DEFAULTS;
  const swIn = input.switchless ?? {};
  if (!isObject(swIn)) bad(`${where}.switchless`, 'must be an object');
  checkKeys(`${where}.switchless`, swIn, ['poolSize', 'slotBytes']);
  const ecallsIn = input.ecalls ?? [];
  const ocallsIn = input.ocalls ?? [];
  if (!Array.isArray(ecallsIn)) bad(`${where}.ecalls`, 'must be an array of { name, public?, switchless? }');
  if (!Array.isArray(ocallsIn)) bad(`${where}.ocalls`, 'must be an array of { name, allow? }');

  const ecalls: EcallDeclaration[] = ecallsIn.map((e: unknown, i: number) => {
    const w = `${where}.ecalls[${i}]`;
    const decl = typeof e === 'string' ? { name: e } : e;
    if (!isObject(decl)) bad(w, 'must be a name or { name, public?, switchless? }');
    checkKeys(w, decl, ['name', 'public', 'switchless']);
    const out: EcallDeclaration = { name: identifier(`${w}.name`, decl.name) };
    if (decl.public !== undefined) out.public = bool(`${w}.public`, decl.public);
    if (decl.switchless !== undefined) out.switchless = bool(`${w}.switchless`, decl.switchless);
    return out;
  });
  const ecallNames = new Set<string>();
  for (const e of ecalls) {
    if (ecallNames.has(e.name)) bad(`${where}.ecalls`, `ecall "${e.name}" is declared twice`);
    ecallNames.add(e.name);
  }
  const ocalls: OcallDeclaration[] = ocallsIn.map((o: unknown, i: number) => {
    const w = `${where}.ocalls[${i}]`;
    const decl = typeof o === 'string' ? { name: o } : o;
    if (!isObject(decl)) bad(w, 'must be a name or { name, allow? }');
    checkKeys(w, decl, ['name', 'allow']);
    const out: OcallDeclaration = { name: identifier(`${w}.name`, decl.name) };
    if (decl.allow !== undefined) {
      if (!Array.isArray(decl.allow)) bad(`${w}.allow`, 'must be an array of ecall names');
      out.allow = decl.allow.map((a: unknown, j: number) => {
        const name = identifier(`${w}.allow[${j}]`, a);
        if (!ecallNames.has(name)) bad(`${w}.allow[${j}]`, `"${name}" is not a declared ecall`);
        return name;
      });
    }
    return out;
  });
  const ocallNames = new Set<string>();
  for (const o of ocalls) {
    if (ocallNames.has(o.name)) bad(`${where}.ocalls`, `ocall "${o.name}" is declared twice`);
    ocallNames.add(o.name);
  }

  const manifest: EnclaveManifest = {
    name: string(`${where}.name`, input.name, 128),
    version: input.version === undefined ? d.version : string(`${where}.version`, input.version, 64),
    prodId: input.prodId === undefined ? d.prodId : integer(`${where}.prodId`, input.prodId, 0, 0xffff),
    svn: input.svn === undefined ? d.svn : integer(`${where}.svn`, input.svn, 0, 0xffff),
    debug: input.debug === undefined ? d.debug : bool(`${where}.debug`, input.debug),
    heapLimitMb: input.heapLimitMb === undefined ? d.heapLimitMb : integer(`${where}.heapLimitMb`, input.heapLimitMb, 8, 65536),
    maxConcurrentEcalls:
      input.maxConcurrentEcalls === undefined ? d.maxConcurrentEcalls : integer(`${where}.maxConcurrentEcalls`, input.maxConcurrentEcalls, 1, 4096),
    switchless: {
      poolSize: swIn.poolSize === undefined ? d.switchless.poolSize : integer(`${where}.switchless.poolSize`, swIn.poolSize, 1, 1024),
      slotBytes: swIn.slotBytes === undefined ? d.switchless.slotBytes : integer(`${where}.switchless.slotBytes`, swIn.slotBytes, 64, 1 << 20),
    },
    ecalls,
    ocalls,
  };
  if (input.memoryLimitMb !== undefined) {
    manifest.memoryLimitMb = integer(`${where}.memoryLimitMb`, input.memoryLimitMb, manifest.heapLimitMb, 1 << 20);
  }
  if (input.edlHash !== undefined) {
    const h = string(`${where}.edlHash`, input.edlHash, 96);
    if (!/^[0-9a-f]{96}$/.test(h)) bad(`${where}.edlHash`, 'must be 96 lower-case hex digits (SHA-384)');
    manifest.edlHash = h;
  }
  if (input.gramine !== undefined) manifest.gramine = normalizeGramineSection(input.gramine, `${where}.gramine`);
  return manifest;
}

/** Who may call what (private ecalls, allow lists), as the trusted runtime enforces it. */
export function callPolicyOf(manifest: EnclaveManifest): CallPolicy {
  return {
    ecalls: Object.fromEntries(manifest.ecalls.map((e) => [e.name, e.public !== false])),
    allow: Object.fromEntries(manifest.ocalls.map((o) => [o.name, [...(o.allow ?? [])]])),
  };
}

/** The memory limit an enclave runs with: the manifest's memoryLimitMb, else twice its heap limit. */
export function effectiveMemoryLimitMb(manifest: Pick<EnclaveManifest, 'heapLimitMb' | 'memoryLimitMb'>): number {
  return manifest.memoryLimitMb ?? 2 * manifest.heapLimitMb;
}

function bool(where: string, value: unknown): boolean {
  if (typeof value !== 'boolean') bad(where, `must be true or false, got ${JSON.stringify(value)}`);
  return value;
}

/** Canonical JSON: keys sorted at every level, no whitespace. The bytes the measurement covers. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isObject(value)) {
    const keys = Object.keys(value).filter((k) => value[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function encodeManifest(manifest: EnclaveManifest): Uint8Array {
  return new TextEncoder().encode(canonicalJson(manifest));
}
