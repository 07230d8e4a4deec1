/**
 * Semantic checks over a loaded EDL file and its imports, as strict as edger8r's, and the
 * resolved interface (`EdlModel`) the generator consumes.
 */
import type { Attribute, TrustedFunc, UntrustedFunc } from './ast.js';
import { DeclChecker, checkIdentifier } from './check-decls.js';
import { TypeTable } from './check-types.js';
import type { DiagnosticBag, SourceLocation } from './diagnostics.js';
import { DEFAULT_FOREIGN_TYPES } from './foreign-types.js';
import { sgxBuiltinTypes } from './sgx/index.js';
import type { LoadResult } from './loader.js';
import type { EcallModel, EdlModel, OcallModel, TypeModel } from './model.js';

export interface CheckOptions {
  /** Extra foreign type mappings (name → EDL type, 'bool' or 'handle'); they override the defaults. */
  foreignTypes?: Record<string, string>;
}

/** Reserved by the runtime for its own ocalls (see image/manifest.ts). */
const RUNTIME_PREFIX = '__secgear_';

export function checkEdl(load: LoadResult, bag: DiagnosticBag, options: CheckOptions = {}): EdlModel | null {
  const sgx = sgxBuiltinTypes();
  const types = new TypeTable(bag, { ...DEFAULT_FOREIGN_TYPES, ...sgx.typedefs, ...options.foreignTypes }, sgx.defs);
  const decls = new DeclChecker(bag, types);
  types.addDefinitions(load.types);

  const typeModels: TypeModel[] = [];
  const constants: { name: string; value: bigint }[] = [];
  for (const def of load.types) {
    if (def.kind === 'enum') {
      for (const item of def.items) checkIdentifier(item.name, item.loc, bag);
      if (def.name === '') {
        for (const item of def.items) {
          const value = types.enumValues.get(item.name);
          if (value !== undefined && value !== null) constants.push({ name: item.name, value });
        }
        continue;
      }
      if (types.defs.get(def.name) === def) typeModels.push(types.enumModel(def));
      continue;
    }
    checkIdentifier(def.name, def.loc, bag);
    if (types.defs.get(def.name) !== def) continue;
    const model = types.struct(def.name, def.loc);
    if (model) typeModels.push(model);
  }

  types.fixDeferredSizes();

  const seen = new Map<string, SourceLocation>();
  const checkName = (name: string, loc: SourceLocation) => {
    const prev = seen.get(name);
    if (prev) bag.error('semantic', loc, `multiple definition of function '${name}' (first declared at ${prev.file}:${prev.line}:${prev.col})`, 'ecalls and ocalls share one namespace; rename one');
    else seen.set(name, loc);
    if (name.startsWith(RUNTIME_PREFIX)) bag.error('semantic', loc, `'${name}': names starting with ${RUNTIME_PREFIX} are reserved for the runtime`, 'rename the function');
  };

  const ecalls: EcallModel[] = [];
  for (const t of load.trusted) {
    checkName(t.func.name, t.func.loc);
    const checked = decls.checkFunction(t.func, 'ecall');
    reservedNames(t, checked?.returns !== null, bag);
    if (checked) ecalls.push({ name: t.func.name, params: checked.params, returns: checked.returns, loc: t.func.loc, file: t.file, isPublic: t.isPublic, switchless: t.switchless });
  }
  const ocalls: OcallModel[] = [];
  const stdFiles = new Set(load.files.filter((f) => f.std).map((f) => f.path));
  for (const u of load.untrusted) {
    checkName(u.func.name, u.func.loc);
    checkFuncAttrs(u.attrs ?? [], u.func.name, bag);
    const checked = decls.checkFunction(u.func, 'ocall');
    reservedNames(u, checked?.returns !== null, bag);
    if (checked) {
      ocalls.push({
        name: u.func.name,
        params: checked.params,
        returns: checked.returns,
        loc: u.func.loc,
        file: u.file,
        allow: u.allow.map((a) => a.name),
        propagateErrno: u.propagateErrno,
        switchless: u.switchless,
        std: stdFiles.has(u.file),
      });
    }
  }

  // allow(...) must name ecalls; every private ecall must be allowed somewhere
  const trustedNames = new Set(load.trusted.map((t) => t.func.name));
  const allowed = new Set<string>();
  for (const u of load.untrusted) {
    const once = new Set<string>();
    for (const a of u.allow) {
      if (!trustedNames.has(a.name)) {
        const hint = seen.has(a.name) ? `'${a.name}' is an ocall; allow(...) lists ecalls` : 'list ecalls (trusted functions) declared in this EDL or its imports';
        bag.error('semantic', a.loc, `'${u.func.name}' declared to allow unknown function '${a.name}'`, hint);
      }
      if (once.has(a.name)) bag.warn('semantic', a.loc, `'${a.name}' is listed twice in allow(...) of '${u.func.name}'`, 'remove the duplicate');
      once.add(a.name);
      allowed.add(a.name);
    }
  }
  const rootLoc: SourceLocation = { file: load.root.path, line: 1, col: 1 };
  if (load.trusted.length === 0 || load.trusted.every((t) => !t.isPublic)) {
    bag.error('semantic', load.trusted[0]?.func.loc ?? rootLoc, `the enclave '${shortName(load.root.path)}' contains no public root ECALL`, "mark at least one trusted function 'public': the host can call only public ecalls directly");
  }
  for (const t of load.trusted) {
    if (!t.isPublic && !allowed.has(t.func.name)) {
      bag.error('semantic', t.func.loc, `private ECALL '${t.func.name}' is not allowed by any OCALL, so nothing can ever call it`, `mark it 'public', or add allow(${t.func.name}) to the ocall during which the host may call it`);
    }
  }

  // the built-in SDK types the interface reached, each once (structs may pull in more while built)
  for (let i = 0; i < types.pulled.length; i++) {
    const def = types.pulled[i];
    if (def.kind === 'enum') typeModels.push(types.enumModel(def));
    else {
      const model = types.struct(def.name, def.loc);
      if (model) typeModels.push(model);
    }
  }

  if (bag.hasErrors) return null;
  return {
    name: shortName(load.root.path),
    file: load.root.path,
    files: load.files.map((f) => f.path),
    includes: [...new Set(load.files.flatMap((f) => f.ast.includes.map((i) => i.path)))],
    types: typeModels,
    constants,
    ecalls,
    ocalls,
  };
}

function reservedNames(fn: TrustedFunc | UntrustedFunc, hasReturn: boolean, bag: DiagnosticBag): void {
  for (const p of fn.func.params) {
    if (p.decl.name === 'retval' && hasReturn) {
      bag.error('semantic', p.decl.loc, `'${fn.func.name}': a parameter named 'retval' clashes with the return value, which the result object carries as 'retval'`, 'rename the parameter');
    }
    if (p.decl.name === 'errno' && fn.kind === 'untrusted' && fn.propagateErrno) {
      bag.error('semantic', p.decl.loc, `'${fn.func.name}': a parameter named 'errno' clashes with propagate_errno's result field`, 'rename the parameter');
    }
  }
}

/** Untrusted function attributes: one calling convention, dllimport once (edger8r's get_func_attr). */
function checkFuncAttrs(attrs: Attribute[], fname: string, bag: DiagnosticBag): void {
  let convention: string | null = null;
  let dllimport = false;
  for (const a of attrs) {
    if (a.value) {
      bag.error('semantic', a.loc, `'${fname}': function attribute '${a.key}' takes no value`);
      continue;
    }
    if (a.key === 'cdecl' || a.key === 'stdcall' || a.key === 'fastcall') {
      if (convention) bag.error('semantic', a.loc, `'${fname}': unexpected '${a.key}', conflicts with '${convention}'`, 'give one calling convention');
      convention ??= a.key;
    } else if (a.key === 'dllimport') {
      if (dllimport) bag.error('semantic', a.loc, `'${fname}': duplicated attribute 'dllimport'`);
      dllimport = true;
    } else {
      bag.error('semantic', a.loc, `'${fname}': invalid function attribute '${a.key}'`, 'untrusted functions accept cdecl, stdcall, fastcall and dllimport (no effect in TypeScript)');
    }
  }
}

/** helloworld.edl → helloworld (edger8r's file short name). */
export function shortName(path: string): string {
  const base = path.slice(path.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}
