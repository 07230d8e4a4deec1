/**
 * Helpers for the EDL tests: an in-memory file system, diagnostics assertions, loading
 * generated code as real modules (with a simulated boundary that copies every value, as
 * postMessage does), and type-checking generated code with the TypeScript compiler API.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import { EdlError, generate, parseEdl, type Diagnostic, type GenerateOptions, type ParseEdlOptions, type ParsedEdl } from '../../src/edl/index.js';
import type { EdlFileSystem } from '../../src/edl/loader.js';
import { repoRoot } from '../support/paths.js';

export const sourceDir = join(repoRoot, 'packages', 'secgear', 'test', 'edl');

/** An EdlFileSystem over a map of absolute paths. */
export function memFs(files: Record<string, string>): EdlFileSystem {
  return { readFile: (path) => (Object.hasOwn(files, path) ? files[path] : null) };
}

/** Parses, expecting success. */
export function parse(source: string, options: ParseEdlOptions = {}): ParsedEdl {
  return parseEdl(source, { fileName: '/edl/test.edl', fs: memFs({}), ...options });
}

/** Parses, expecting an EdlError; returns its diagnostics. */
export function parseErrors(source: string, options: ParseEdlOptions = {}): Diagnostic[] {
  try {
    parse(source, options);
  } catch (error) {
    if (error instanceof EdlError) return [...error.diagnostics];
    throw error;
  }
  assert.fail(`expected an EdlError for:\n${source}`);
}

/** Asserts that one error matches `message` at line:col (col optional). */
export function assertError(diagnostics: Diagnostic[], message: RegExp, line?: number, col?: number): Diagnostic {
  const errors = diagnostics.filter((d) => d.severity === 'error');
  const hit = errors.find((d) => message.test(d.message));
  assert.ok(hit, `no error matching ${message}; got:\n${errors.map((d) => `${d.loc.line}:${d.loc.col} ${d.message}`).join('\n')}`);
  if (line !== undefined) assert.equal(hit.loc.line, line, `line of "${hit.message}"`);
  if (col !== undefined) assert.equal(hit.loc.col, col, `column of "${hit.message}"`);
  return hit;
}

/** Wraps declarations in an enclave with one public ecall (so the root checks pass). */
export function enclave(body: string): string {
  return `enclave {\n${body}\n  trusted { public void ping(void); };\n};\n`;
}

const here = dirname(fileURLToPath(import.meta.url));
const compiled = import.meta.url.endsWith('.js');
/** URL of the real errors module (source under tsx, compiled under dist), for generated code. */
export const errorsModule = pathToFileURL(join(here, '..', '..', 'src', 'common', compiled ? 'errors.js' : 'errors.ts')).href;
/** URL of the real secgear/edl-runtime module, likewise. */
export const runtimeModule = pathToFileURL(join(here, '..', '..', 'src', 'edl', 'runtime', compiled ? 'index.js' : 'index.ts')).href;

type Table = { [name: string]: (...args: unknown[]) => Promise<unknown> };
type Hook = (name: string, args: unknown[]) => Promise<unknown>;
/** Stands in for secgear/enclave's getEvidence in generated enclave code (see `onEvidence`). */
export type EvidenceHook = (options: { nonce?: Uint8Array; reportData?: Uint8Array }) => Promise<{ mediaType: string; data: Uint8Array }>;
const hooks: Hook[] = [];
const evidenceHooks: EvidenceHook[] = [];
(globalThis as Record<string, unknown>).__edlTestOcall = (id: number, name: string, args: unknown[]) => hooks[id](name, args);
(globalThis as Record<string, unknown>).__edlTestEvidence = (id: number, options: Parameters<EvidenceHook>[0]) => evidenceHooks[id](options);

export interface Loaded {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  u: any;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  t: any;
  parsed: ParsedEdl;
  /** Sets where the enclave side's ocalls go (default: the host's ocall table, through the boundary). */
  onOcall(hook: Hook): void;
  /** Sets what the enclave side's getEvidence answers (default: fails the test). */
  onEvidence(hook: EvidenceHook): void;
}

let loads = 0;
const loadCache = new Map<string, Promise<Loaded>>();

/** Generates, transpiles and imports both sides of an EDL (once per EDL and options). */
export function loadGenerated(source: string, options: ParseEdlOptions & GenerateOptions = {}): Promise<Loaded> {
  const key = JSON.stringify([source, options]);
  let loaded = loadCache.get(key);
  if (!loaded) {
    loaded = load(source, options);
    loadCache.set(key, loaded);
    loaded.catch(() => loadCache.delete(key));
  }
  return loaded;
}

async function load(source: string, options: ParseEdlOptions & GenerateOptions): Promise<Loaded> {
  const parsed = parse(source, options);
  const id = hooks.length;
  hooks.push(async () => assert.fail('no ocall hook set'));
  evidenceHooks.push(async () => assert.fail('no evidence hook set'));
  const dir = mkdtempSync(join(tmpdir(), 'secgear-edl-'));
  const stub = join(dir, 'enclave-stub.mjs');
  writeFileSync(
    stub,
    `export const ocall = new Proxy({}, { get: (_t, name) => (...args) => globalThis.__edlTestOcall(${id}, name, args) });\n` +
      `export const getEvidence = (options) => globalThis.__edlTestEvidence(${id}, options);\n`,
  );
  const result = generate(parsed, { ...options, modules: { errors: errorsModule, enclave: pathToFileURL(stub).href, runtime: runtimeModule } });
  const mods: Record<string, unknown> = {};
  for (const f of result.files) {
    const js = ts.transpileModule(f.contents, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, verbatimModuleSyntax: true } }).outputText;
    const path = join(dir, `${f.name.replace(/\.ts$/, '')}.${loads++}.mjs`);
    writeFileSync(path, js);
    mods[f.side] = await import(pathToFileURL(path).href);
  }
  return { u: mods.untrusted, t: mods.trusted, parsed, onOcall: (hook) => (hooks[id] = hook), onEvidence: (hook) => (evidenceHooks[id] = hook) };
}

/** A fake enclave: the host's proxies reach `ecalls` (the enclave's table) through structuredClone. */
export function boundary(loaded: Loaded, ecalls: Table, ocalls?: Table): { ecall: Table } {
  if (ocalls) loaded.onOcall(async (name, args) => structuredClone(await ocalls[name](...structuredClone(args))));
  const ecall = new Proxy({} as Table, {
    get: (_t, name) => (typeof name === 'string' && ecalls[name] ? async (...args: unknown[]) => structuredClone(await ecalls[name](...structuredClone(args))) : undefined),
  });
  return { ecall };
}

/** Asserts a promise rejects with a SecGearError of `code` whose message matches. */
export async function rejectsWith(promise: Promise<unknown>, code: string, message?: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    const e = error as { code?: string; message?: string };
    assert.equal(e.code, code, `code of: ${e.message}`);
    if (message) assert.match(e.message ?? '', message);
    return true;
  });
}

// ---- type-checking generated code with the TypeScript compiler API ----

const STRICT: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  lib: ['lib.es2023.d.ts'],
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  strict: true,
  noEmit: true,
  noUnusedLocals: true,
  noUnusedParameters: true,
  noImplicitReturns: true,
  noUncheckedIndexedAccess: true,
  exactOptionalPropertyTypes: true,
  noPropertyAccessFromIndexSignature: true,
  verbatimModuleSyntax: true,
  isolatedModules: true,
  skipLibCheck: true,
  types: ['node'],
  typeRoots: [join(repoRoot, 'node_modules', '@types')],
};

const VROOT = '/virtual-edl';
// what generated enclave code uses of secgear/enclave, with the real signatures
const ENCLAVE_MODULE_TYPES = [
  'export const ocall: Record<string, (...args: unknown[]) => Promise<unknown>> = {};',
  'export interface EvidenceOptions { nonce?: Uint8Array; reportData?: Uint8Array }',
  'export interface Evidence { mediaType: string; data: Uint8Array }',
  'export declare function getEvidence(options?: EvidenceOptions): Promise<Evidence>;',
  '',
].join('\n');
const sourceCache = new Map<string, ts.SourceFile>();
const srcDir = join(repoRoot, 'packages', 'secgear', 'src');
const errorsSource = readFileSync(join(srcDir, 'common', 'errors.ts'), 'utf8');
// the real runtime sources (every file of src/edl/runtime/), importing the virtual errors.ts
const runtimeSources = readdirSync(join(srcDir, 'edl', 'runtime'))
  .filter((f) => f.endsWith('.ts'))
  .map((f): [string, string] => [`${VROOT}/edl-runtime/${f}`, readFileSync(join(srcDir, 'edl', 'runtime', f), 'utf8').split("'../../common/errors.js'").join("'../errors.js'")]);

/** The module specifiers to generate with, for `typeCheck`. */
export const TYPECHECK_MODULES = { errors: '../errors.js', enclave: '../enclave.js', runtime: '../edl-runtime/index.js' };

/**
 * Type-checks generated files under the strictest settings. `files` maps a name (a folder per
 * EDL, e.g. `3/demo_u.ts`) to contents; they import `../errors.js` (the real errors.ts),
 * `../edl-runtime/index.js` (the real src/edl/runtime/, checked under the same settings) and
 * `../enclave.js` (the `ocall` and `getEvidence` exports of secgear/enclave). Returns formatted diagnostics.
 */
export function typeCheck(files: Record<string, string>): string[] {
  const virtual = new Map<string, string>([
    [`${VROOT}/package.json`, '{ "type": "module" }'],
    [`${VROOT}/errors.ts`, errorsSource],
    [`${VROOT}/enclave.ts`, ENCLAVE_MODULE_TYPES],
    ...runtimeSources,
  ]);
  for (const [name, text] of Object.entries(files)) virtual.set(`${VROOT}/${name}`, text);
  const host = ts.createCompilerHost(STRICT, true);
  const base = { ...host };
  host.fileExists = (f) => virtual.has(f) || (!f.startsWith(VROOT) && base.fileExists(f));
  host.readFile = (f) => virtual.get(f) ?? (f.startsWith(VROOT) ? undefined : base.readFile(f));
  host.directoryExists = (d) => d.startsWith(VROOT) || (base.directoryExists?.(d) ?? true);
  host.getSourceFile = (f, lang) => {
    const text = virtual.get(f);
    if (text !== undefined) return ts.createSourceFile(f, text, lang, true);
    let sf = sourceCache.get(f);
    if (!sf) {
      sf = base.getSourceFile(f, lang);
      if (sf) sourceCache.set(f, sf);
    }
    return sf;
  };
  const roots = Object.keys(files).map((n) => `${VROOT}/${n}`);
  const program = ts.createProgram(roots, STRICT, host);
  return ts
    .getPreEmitDiagnostics(program)
    .map((d) => {
      const where = d.file && d.start !== undefined ? (() => {
        const p = d.file.getLineAndCharacterOfPosition(d.start);
        return `${d.file.fileName.slice(VROOT.length + 1)}:${p.line + 1}:${p.character + 1}`;
      })() : '';
      return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    });
}

/** Writes a file, creating folders (for golden updates). */
export function writeFileDeep(path: string, contents: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, contents);
}
