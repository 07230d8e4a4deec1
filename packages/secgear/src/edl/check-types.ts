/**
 * Type resolution for the checker: EDL type references to model value types, struct/union
 * layouts (LP64), enums, foreign type mappings, and size/count expressions.
 */
import type { EnumDef, SizeExpr, StructDef, TypeDef, TypeRef } from './ast.js';
import { BOOL_SIZE, BUILTINS, ENUM_SIZE, POINTER_SIZE, alignUp } from './c-types.js';
import { SyntaxFailure, type DiagnosticBag, type SourceLocation } from './diagnostics.js';
import { tokenize } from './lexer.js';
import type { EnumModel, SizeTerm, StructModel, ValueType } from './model.js';
import { parseTypeTokens } from './parser.js';

export type ElemType = Exclude<ValueType, { kind: 'array' }>;

/** Resolved as a value, `void`, or failed (already reported). */
export type Resolved = { ok: true; type: ValueType } | { ok: true; type: null } | { ok: false };

const FAILED: Resolved = { ok: false };
/** Structs may contain structs this deep (keeps every recursive pass within the stack). */
const MAX_NESTING = 128;

export class TypeTable {
  readonly defs = new Map<string, TypeDef>();
  readonly enumValues = new Map<string, bigint | null>();
  private readonly structModels = new Map<string, StructModel | 'busy'>();
  private readonly foreignCache = new Map<string, Resolved | 'busy'>();
  /** Structs being built right now (nesting depth). */
  private building = 0;
  /** Filled by the checker when it builds a struct's members (needs function-level rules). */
  buildStruct: ((def: StructDef) => StructModel | null) | null = null;

  /** Built-in definitions pulled in because the EDL named them, in the order reached. */
  readonly pulled: TypeDef[] = [];

  constructor(
    private readonly bag: DiagnosticBag,
    private readonly foreign: Readonly<Record<string, string>>,
    /** Definitions known without the EDL defining them (the SGX SDK's types). */
    private readonly builtins: ReadonlyMap<string, TypeDef> = new Map(),
  ) {}

  /** The definition of a struct/union/enum name: the EDL's own, else a built-in one (pulled in). */
  lookup(name: string): TypeDef | undefined {
    const own = this.defs.get(name);
    if (own) return own;
    const builtin = this.builtins.get(name);
    if (!builtin) return undefined;
    this.defs.set(name, builtin);
    this.pulled.push(builtin);
    if (builtin.kind === 'enum') this.addEnumItems(builtin);
    return builtin;
  }

  /** Whether a foreign (typedef) name has a mapping or a definition. */
  knows(name: string): boolean {
    return Object.hasOwn(this.foreign, name) || this.defs.has(name);
  }

  /** Whether a definition is a built-in one. */
  isBuiltin(def: TypeDef): boolean {
    return this.builtins.get(def.name) === def;
  }

  /** Registers definitions (all files merged); reports duplicates. */
  addDefinitions(types: TypeDef[]): void {
    for (const def of types) {
      if (def.kind === 'enum') this.addEnumItems(def);
      if (def.kind === 'enum' && def.name === '') continue;
      const prev = this.defs.get(def.name);
      if (prev) {
        if (prev === def) continue;
        const what = def.kind === 'enum' ? 'enum' : 'structure';
        this.bag.error('semantic', def.loc, `duplicated ${what} definition '${def.name}' (first defined at ${prev.loc.file}:${prev.loc.line}:${prev.loc.col})`, 'struct, union and enum names share one namespace; rename one');
        continue;
      }
      if (this.builtins.has(def.name)) {
        this.bag.warn('semantic', def.loc, `'${def.name}' is also a type of the SGX SDK; this EDL's definition replaces it everywhere, including inside SDK types that contain it`, 'rename it unless it is meant to be the SDK type');
      }
      this.defs.set(def.name, def);
    }
  }

  private addEnumItems(def: EnumDef): void {
    let next: bigint | null = 0n;
    for (const item of def.items) {
      if (this.enumValues.has(item.name)) {
        this.bag.error('semantic', item.loc, `duplicated enumerator '${item.name}'`, 'enumerators of all enums share one namespace; rename one');
        continue;
      }
      let value: bigint | null;
      if (!item.value) value = next;
      else if (item.value.kind === 'num') value = item.value.value;
      else value = this.enumValues.get(item.value.name) ?? null; // a C constant from a header: unknown here
      this.enumValues.set(item.name, value);
      next = value === null ? null : value + 1n;
    }
  }

  enumModel(def: EnumDef): EnumModel {
    return { kind: 'enum', name: def.name, items: def.items.map((i) => ({ name: i.name, value: this.enumValues.get(i.name) ?? null })), loc: def.loc };
  }

  /** The model of a struct/union, building it once; null when it failed. */
  struct(name: string, loc: SourceLocation): StructModel | null {
    const cached = this.structModels.get(name);
    if (cached === 'busy') {
      this.bag.error('semantic', loc, `'${name}' contains itself by value`, 'use a pointer member with count= for recursive data');
      return null;
    }
    if (cached) return cached;
    const def = this.lookup(name);
    if (!def || def.kind === 'enum' || !this.buildStruct) return null;
    if (this.building >= MAX_NESTING) {
      this.bag.error('semantic', loc, `'${name}': structs nested more than ${MAX_NESTING} deep`, 'flatten the data structure');
      return null;
    }
    this.structModels.set(name, 'busy');
    this.building++;
    const model = this.buildStruct(def);
    this.building--;
    if (model) this.structModels.set(name, model);
    else this.structModels.delete(name);
    return model;
  }

  /**
   * Resolves a type without its pointers (the pointee for pointers). `byPointer`: the type is
   * reached through a pointer, so a struct still being built (recursive data) is fine.
   */
  resolveSpec(ref: TypeRef, loc: SourceLocation, byPointer = false): Resolved {
    const spec = ref.spec;
    switch (spec.kind) {
      case 'builtin': {
        const b = BUILTINS[spec.name];
        return { ok: true, type: b.scalar };
      }
      case 'enum': {
        const def = this.lookup(spec.name);
        if (!def) return this.undefinedType('enum', spec.name, loc);
        if (def.kind !== 'enum') return this.kindMismatch('enum', spec.name, def, loc);
        return { ok: true, type: { kind: 'enum', name: spec.name } };
      }
      case 'struct':
      case 'union': {
        const def = this.lookup(spec.name);
        if (!def) return this.undefinedType(spec.kind, spec.name, loc);
        if (def.kind !== spec.kind) return this.kindMismatch(spec.kind, spec.name, def, loc);
        // through a pointer the pointee need not be laid out yet (recursive data, long chains):
        // the checker builds every struct in definition order and fixes sizes afterwards.
        // Built-in types are not in that order, and never recursive: laid out right away.
        if (byPointer && !this.isBuiltin(def) && !(this.structModels.get(spec.name) instanceof Object)) return { ok: true, type: { kind: spec.kind, name: spec.name } };
        return this.struct(spec.name, loc) ? { ok: true, type: { kind: spec.kind, name: spec.name } } : FAILED;
      }
      case 'foreign':
        return this.resolveForeign(spec.name, loc);
    }
  }

  /** A value type from a declared type (pointers become handles) and declarator dimensions. */
  valueType(ref: TypeRef, dims: number[], loc: SourceLocation): Resolved {
    let base: Resolved = ref.pointers > 0 ? { ok: true, type: { kind: 'handle', c: cSpelling(ref) } } : this.resolveSpec(ref, loc);
    if (!base.ok || base.type === null || dims.length === 0) return base;
    return { ok: true, type: arrayOf(base.type, dims) };
  }

  private undefinedType(kind: string, name: string, loc: SourceLocation): Resolved {
    this.bag.error('semantic', loc, `${kind} '${name}' is not defined in the EDL`, `define ${kind} ${name} { ... }; in the EDL (TypeScript has no C header to take its layout from)`);
    return FAILED;
  }

  private kindMismatch(kind: string, name: string, def: TypeDef, loc: SourceLocation): Resolved {
    this.bag.error('semantic', loc, `'${name}' is a ${def.kind}, not a ${kind}`, `write ${def.kind} ${name}`);
    return FAILED;
  }

  private resolveForeign(name: string, loc: SourceLocation): Resolved {
    const cached = this.foreignCache.get(name);
    if (cached === 'busy') {
      this.bag.error('semantic', loc, `foreign type '${name}' is mapped to itself`, 'map it to an EDL type');
      return FAILED;
    }
    if (cached) return cached;
    const def = this.defs.get(name);
    const spec = Object.hasOwn(this.foreign, name) ? this.foreign[name] : undefined;
    if (spec === undefined) {
      if (def) {
        this.bag.error('semantic', loc, `'${name}' names a ${def.kind}; write '${def.kind} ${name}'`, `EDL refers to its own types as ${def.kind} ${name}`);
        return FAILED;
      }
      this.bag.error('semantic', loc, `unknown foreign type '${name}': TypeScript has no C header to read it from`, `map it to an EDL type (foreignTypes: { ${name}: 'uint32_t' } or --foreign-type ${name}=uint32_t), or define it in the EDL as a struct/enum`);
      return FAILED;
    }
    this.foreignCache.set(name, 'busy');
    const result = this.resolveMapping(name, spec, loc);
    this.foreignCache.set(name, result);
    return result;
  }

  private resolveMapping(name: string, spec: string, loc: SourceLocation): Resolved {
    const text = spec.trim();
    if (text === 'bool') return { ok: true, type: { kind: 'bool', c: name } };
    if (text === 'handle') return { ok: true, type: { kind: 'handle', c: name } };
    try {
      const { type, dims } = parseTypeTokens(tokenize(text, `<foreign type ${name}>`), `<foreign type ${name}>`);
      if (type.pointers > 0) return { ok: true, type: dims.length ? arrayOf({ kind: 'handle', c: name }, dims) : { kind: 'handle', c: name } };
      const base = this.resolveSpec(type, loc);
      if (!base.ok) return base;
      if (base.type === null) {
        this.bag.error('semantic', loc, `foreign type '${name}' is mapped to void`, 'map it to a value type');
        return FAILED;
      }
      const resolved = dims.length ? arrayOf(base.type, dims) : base.type;
      return { ok: true, type: rename(resolved, name) };
    } catch (error) {
      if (!(error instanceof SyntaxFailure)) throw error;
      this.bag.error('semantic', loc, `the mapping of foreign type '${name}' ("${spec}") is not an EDL type: ${error.diagnostic.message}`, "use e.g. 'uint32_t', 'uint8_t[16]', 'struct name', 'bool' or 'handle'");
      return FAILED;
    }
  }

  /** Pointer members to a struct that was still being built got size 0; fill them in now. */
  fixDeferredSizes(): void {
    for (const model of this.structModels.values()) {
      if (model === 'busy') continue;
      for (const m of model.members) {
        if (m.kind !== 'buffer' || m.elemSize !== 0) continue;
        m.elemSize = this.sizeOf(m.elem);
        if (m.unitSize === 0) m.unitSize = m.elemSize;
        const count = m.count?.kind === 'num' ? m.count.value : m.count ? null : 1n;
        const size = m.size?.kind === 'num' ? m.size.value : m.size ? null : BigInt(m.unitSize);
        if (count !== null && size !== null && m.elemSize > 0 && (count * size) % BigInt(m.elemSize) !== 0n) {
          this.bag.error('semantic', m.loc, `member '${model.name}.${m.name}': ${count * size} bytes is not a whole number of elements of ${m.elemSize} bytes`, 'make size a multiple of the element size');
        }
      }
    }
  }

  sizeOf(t: ValueType): number {
    switch (t.kind) {
      case 'int':
        return t.bits / 8;
      case 'float':
        return t.c === 'long double' ? 16 : t.bits / 8;
      case 'bool':
        return BOOL_SIZE;
      case 'handle':
        return POINTER_SIZE;
      case 'enum':
        return ENUM_SIZE;
      case 'struct':
      case 'union':
        return this.structModels.get(t.name) instanceof Object ? (this.structModels.get(t.name) as StructModel).size : 0;
      case 'array':
        return this.sizeOf(t.elem) * t.length;
    }
  }

  alignOf(t: ValueType): number {
    switch (t.kind) {
      case 'struct':
      case 'union':
        return this.structModels.get(t.name) instanceof Object ? (this.structModels.get(t.name) as StructModel).align : 1;
      case 'array':
        return this.alignOf(t.elem);
      default:
        return this.sizeOf(t);
    }
  }

  /** Lays members out as a C compiler does (LP64): returns total size and alignment. */
  layout(kind: 'struct' | 'union', members: { size: number; align: number }[], packed = false): { size: number; align: number } {
    let size = 0;
    let align = 1;
    for (const member of members) {
      // #pragma pack(1): every member at the next byte, the whole aligned to 1
      const m = packed ? { size: member.size, align: 1 } : member;
      align = Math.max(align, m.align);
      size = kind === 'union' ? Math.max(size, m.size) : alignUp(size, m.align) + m.size;
    }
    return { size: alignUp(size, align), align };
  }

  /**
   * Resolves a size/count expression in `scope` (a function's parameters or a struct's
   * members). Enum constants and sizeof fold to numbers.
   */
  sizeTerm(expr: SizeExpr, scope: SizeScope): SizeTerm | null {
    switch (expr.kind) {
      case 'num':
        return { kind: 'num', value: expr.value };
      case 'name': {
        const found = scope.lookup(expr.name, expr.loc);
        if (found === 'ok') return { kind: 'ref', name: expr.name };
        if (found === 'reported') return null;
        const enumValue = this.enumValues.get(expr.name);
        if (enumValue !== undefined && enumValue !== null) return { kind: 'num', value: enumValue };
        scope.missing(expr.name, expr.loc);
        return null;
      }
      case 'sizeof': {
        const r = this.valueType(expr.type, [], expr.loc);
        if (!r.ok) return null;
        if (r.type === null) {
          this.bag.error('semantic', expr.loc, 'sizeof(void) is not defined', 'use sizeof of a value type');
          return null;
        }
        return { kind: 'num', value: BigInt(this.sizeOf(r.type)) };
      }
      case 'neg': {
        const o = this.sizeTerm(expr.operand, scope);
        return o && (o.kind === 'num' ? { kind: 'num', value: -o.value } : { kind: 'neg', operand: o });
      }
      case 'bin': {
        const l = this.sizeTerm(expr.left, scope);
        const r = this.sizeTerm(expr.right, scope);
        if (!l || !r) return null;
        if (l.kind === 'num' && r.kind === 'num') {
          if ((expr.op === '/' || expr.op === '%') && r.value === 0n) {
            this.bag.error('semantic', expr.loc, 'division by zero in a size expression');
            return null;
          }
          return { kind: 'num', value: fold(expr.op, l.value, r.value) };
        }
        return { kind: 'bin', op: expr.op, left: l, right: r };
      }
    }
  }

}

/** Names a size/count expression may use: 'ok', 'missing', or 'reported' (unusable; reported). */
export interface SizeScope {
  lookup(name: string, loc: SourceLocation): 'ok' | 'missing' | 'reported';
  missing(name: string, loc: SourceLocation): void;
}

function fold(op: '+' | '-' | '*' | '/' | '%', a: bigint, b: bigint): bigint {
  switch (op) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      return a / b;
    case '%':
      return a % b;
  }
}

export function arrayOf(base: ValueType, dims: number[]): ValueType {
  const length = dims.reduce((a, b) => a * b, 1);
  if (base.kind === 'array') return { kind: 'array', elem: base.elem, length: length * base.length, dims: [...dims, ...base.dims] };
  return { kind: 'array', elem: base, length, dims };
}

/** Keeps the foreign name as the C spelling of mapped scalars (for docs in generated code). */
function rename(t: ValueType, c: string): ValueType {
  if (t.kind === 'int' || t.kind === 'float' || t.kind === 'bool' || t.kind === 'handle') return { ...t, c };
  return t;
}

export function cSpelling(ref: TypeRef): string {
  const s = ref.spec;
  const base = s.kind === 'builtin' || s.kind === 'foreign' ? s.name : `${s.kind} ${s.name}`;
  return `${ref.isConst ? 'const ' : ''}${base}${ref.pointers ? ' ' + '*'.repeat(ref.pointers) : ''}`;
}
