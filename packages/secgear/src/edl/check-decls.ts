/**
 * Checks declarations — function parameters, return types and struct/union members — with
 * edger8r's rules, and turns them into model parameters and members.
 */
import type { FuncDecl, StructDef, TypeRef, VarDecl } from './ast.js';
import { checkMemberAttrs, checkParamAttrs, readAttrs, type PtrAttrs } from './attributes.js';
import { cSpelling, type ElemType, type SizeScope, type TypeTable } from './check-types.js';
import type { DiagnosticBag, SourceLocation } from './diagnostics.js';
import type { BufferShape, MemberModel, ParamModel, StructModel, ValueType } from './model.js';

const BYTE: ElemType = { kind: 'int', bits: 8, signed: false, c: 'void' };

export class DeclChecker {
  constructor(
    private readonly bag: DiagnosticBag,
    private readonly types: TypeTable,
  ) {
    types.buildStruct = (def) => this.buildStruct(def);
  }

  private err(loc: SourceLocation, message: string, hint?: string): void {
    this.bag.error('semantic', loc, message, hint);
  }

  private warn(loc: SourceLocation, message: string, hint?: string): void {
    this.bag.warn('semantic', loc, message, hint);
  }

  /** Checks a function's parameters and return type. Null when anything failed. */
  checkFunction(fn: FuncDecl, kind: 'ecall' | 'ocall'): { params: ParamModel[]; returns: ValueType | null } | null {
    const before = this.bag.items.length;
    const seen = new Set<string>();
    for (const p of fn.params) {
      if (seen.has(p.decl.name)) this.err(p.decl.loc, `'${fn.name}': duplicated parameter name '${p.decl.name}'`, 'rename one of the parameters');
      seen.add(p.decl.name);
      checkIdentifier(p.decl.name, p.decl.loc, this.bag);
    }
    const params: ParamModel[] = [];
    for (const p of fn.params) {
      const model = this.param(fn, p, kind);
      if (model) params.push(model);
    }
    let returns: ValueType | null = null;
    const rt = fn.returnType;
    if (rt.pointers > 0) {
      returns = { kind: 'handle', c: cSpelling(rt) };
      this.warn(rt.loc, `'${fn.name}' returns a pointer (${cSpelling(rt)}); a pointer cannot be followed across a JavaScript boundary, so it comes back as an opaque handle`, 'return the data through an [out] parameter instead');
    } else {
      const r = this.types.resolveSpec(rt, rt.loc);
      if (r.ok && r.type) {
        returns = r.type;
        this.noDeepCopyByValue(r.type, rt.loc, `'${fn.name}' returns`);
        this.warnLongDouble(r.type, rt.loc);
      }
    }
    return this.bag.errorsSince(before) ? null : { params, returns };
  }

  private param(fn: FuncDecl, p: VarDecl, kind: 'ecall' | 'ocall'): ParamModel | null {
    const { type, decl } = p;
    const before = this.bag.items.length;
    const name = decl.name;
    const where = `'${fn.name}': '${name}'`;
    const isArray = decl.dims.length > 0;
    if (!p.attrs) {
      if (type.pointers > 0 || isArray) {
        this.err(decl.loc, `${where}: a pointer/array parameter must have a direction attribute or 'user_check'`, `write [in${type.pointers > 0 && isCharLike(type) ? ', string' : ''}] (copied in), [out] (copied back) or [in, out]`);
        return null;
      }
      const r = this.types.valueType(type, [], type.loc);
      if (!r.ok) return null;
      if (r.type === null) {
        this.err(decl.loc, `parameter '${name}' of '${fn.name}' has type void`, 'remove it, or write (void) for an empty parameter list');
        return null;
      }
      this.noDeepCopyByValue(r.type, type.loc, `${where}: passed by value,`);
      this.warnLongDouble(r.type, type.loc);
      return { kind: 'value', name, type: r.type, loc: decl.loc };
    }

    const a = readAttrs(p.attrs, this.bag);
    checkParamAttrs(a, name, p.attrsLoc ?? decl.loc, this.bag);
    const bare = type.pointers === 0;
    const foreign = type.spec.kind === 'foreign';
    if (a.isPtr && !(bare && foreign)) this.err(a.at.isptr!, `${where}: 'isptr' is only for user-defined (foreign) types, not for '${cSpelling(type)}'`);
    if (a.isAry && !(bare && foreign)) this.err(a.at.isary!, `${where}: 'isary' is only for user-defined (foreign) types, not for '${cSpelling(type)}'`);
    if (a.readonly && !foreign) this.err(a.at.readonly!, `${where}: 'readonly' is only for user-defined (foreign) types`, "for built-in types write 'const' before the type");
    else if (a.readonly && !a.isPtr) this.err(a.at.readonly!, `${where}: 'readonly' is used only with the 'isptr' attribute`);
    if (bare && !isArray && !a.isPtr && !a.isAry) {
      if (foreign) this.err(p.attrsLoc!, `'${(type.spec as { name: string }).name}' is considered a plain type but decorated with pointer attributes`, "add 'isptr' (it is a pointer typedef) or 'isary' (an array typedef), or remove the attributes");
      else this.err(p.attrsLoc!, `${where}: unexpected pointer attributes for '${cSpelling(type)}'`, 'attributes apply to pointers and arrays; remove them from a value parameter');
      return null;
    }
    const readonly = a.readonly || type.isConst;
    const isVoidPtr = type.pointers === 1 && type.spec.kind === 'builtin' && type.spec.name === 'void';
    if (isVoidPtr && !a.userCheck && !a.size && !a.sizefunc) {
      this.err(decl.loc, `${where}: void pointer '${name}' - buffer size unknown`, 'add size=n (in bytes), or user_check');
      return null;
    }
    if ((isArray || a.isAry) && (type.pointers > 0 || a.isPtr)) this.err(decl.loc, `${where}: pointer arrays are not allowed - '${name}' is a pointer array`, 'pass the data as a buffer, or use user_check');
    if (readonly && (a.dir === 'out' || a.dir === 'inout')) this.err(a.at.out!, `${where}: '${name}' is readonly - cannot be used with 'out'`, "remove 'const'/'readonly' or use [in]");
    if (a.isString && !(type.pointers === 1 && isCharLike(type))) this.err(a.at.string!, `${where}: invalid 'string' attribute - '${name}' is not a char pointer`, 'use string on char*, wstring on wchar_t*');
    if (a.isWString && !(type.pointers === 1 && type.spec.kind === 'builtin' && type.spec.name === 'wchar_t')) this.err(a.at.wstring!, `${where}: invalid 'wstring' attribute - '${name}' is not a wchar_t pointer`, 'use wstring on wchar_t*, string on char*');
    if (isArray) {
      const extra = a.at.size ?? a.at.count ?? a.at.isary;
      if (extra) this.err(extra, `${where}: invalid '${a.at.size ? 'size' : a.at.count ? 'count' : 'isary'}' attribute - '${name}' is an explicitly declared array`, 'the declared dimensions fix its size; remove the attribute');
    }
    if (this.bag.errorsSince(before)) return null;

    if (a.userCheck) {
      this.warn(decl.loc, `${where}: user_check pointer '${name}' cannot cross a JavaScript boundary; it is passed as an opaque handle`, 'copy the data with [in]/[out] and size= if the callee needs it');
      return { kind: 'value', name, type: { kind: 'handle', c: cSpelling(type) }, loc: decl.loc };
    }
    const dir = a.dir as 'in' | 'out' | 'inout';
    if (a.isString || a.isWString) return { kind: 'string', name, dir: dir as 'in' | 'inout', wide: a.isWString, loc: decl.loc };

    const scope = this.paramScope(fn);
    let shape: BufferShape | null;
    if (isArray || a.isAry) shape = this.arrayShape(type, decl.dims, a.isAry, decl.loc, where);
    else if (a.isPtr) shape = this.foreignPtrShape(a, scope, decl.loc, where);
    else shape = this.pointerShape(type, a, scope, decl.loc, where);
    if (!shape) return null;
    if (a.sizefunc) {
      this.warn(a.sizefunc.loc, `${where}: sizefunc=${a.sizefunc.name} is not called in TypeScript; the buffer's own length is used`, 'Intel removed sizefunc from EDL; prefer size=');
    }
    if (shape.single && isCharLike(type) && !isArray && kind) {
      this.warn(
        decl.loc,
        `${where}: a char pointer without size, count or string copies exactly one char`,
        dir === 'out' ? 'did you mean [out, size=n]?' : 'did you mean [in, string] or [in, size=n]?',
      );
    }
    if ((shape.elem.kind === 'struct' || shape.elem.kind === 'union') && dir === 'out') {
      const s = this.types.struct(shape.elem.name, decl.loc);
      if (s?.deepCopy) this.err(decl.loc, `the structure '${shape.elem.name}' specifies a deep copy and cannot be used with an 'out' attribute in '${fn.name}'`, 'use [in, out] so the callee receives the buffers to fill');
    }
    return { kind: 'buffer', name, dir, loc: decl.loc, ...shape };
  }

  private paramScope(fn: FuncDecl): SizeScope {
    return {
      lookup: (ref, loc) => {
        const target = fn.params.find((q) => q.decl.name === ref);
        if (!target) return 'missing';
        return this.integerTarget(target, loc, `size/count parameter '${ref}' of '${fn.name}'`);
      },
      missing: (ref, loc) => this.err(loc, `'${fn.name}': parameter '${ref}' not found`, `size= and count= name a parameter of '${fn.name}', a number, or an expression of them`),
    };
  }

  /** A size/count must name an integer value (parameter or member). */
  private integerTarget(target: VarDecl, loc: SourceLocation, what: string): 'ok' | 'reported' {
    if (target.attrs || target.type.pointers > 0 || target.decl.dims.length > 0) {
      this.err(loc, `${what} must be an integer passed by value; it is '${cSpelling(target.type)}${target.decl.dims.map((d) => `[${d}]`).join('')}'`, 'name an integer parameter such as size_t len');
      return 'reported';
    }
    const r = this.types.valueType(target.type, [], loc);
    if (!r.ok) return 'reported';
    if (!r.type || r.type.kind !== 'int') {
      this.err(loc, `${what} must have an integer type; it is '${cSpelling(target.type)}'`, 'use size_t, uint32_t, int, ...');
      return 'reported';
    }
    return 'ok';
  }

  private pointerShape(type: TypeRef, a: PtrAttrs, scope: SizeScope, loc: SourceLocation, where: string): BufferShape | null {
    let elem: ElemType;
    let unitSize: number;
    let arrayPointee = false;
    if (type.pointers > 1) {
      elem = { kind: 'handle', c: cSpelling({ ...type, pointers: type.pointers - 1, isConst: false }) };
      unitSize = 8;
      this.warn(loc, `${where}: a pointer to pointers copies pointer values, which cross as opaque handles`, 'copy the pointed-to data with a struct of deep-copied members instead');
    } else if (type.spec.kind === 'foreign' && a.size && !a.count && !a.sizefunc && !this.types.knows(type.spec.name)) {
      // `[in, size=n] header_type_t *p` copies n bytes whatever the type is (as edger8r does):
      // an unknown type from a C header can cross as those bytes
      this.warn(loc, `${where}: '${type.spec.name}' comes from a C header this generator cannot read; the buffer crosses as size= bytes (a Uint8Array)`, `to marshal its fields by name, define struct ${type.spec.name} in the EDL or map it with --foreign-type`);
      elem = { kind: 'int', bits: 8, signed: false, c: type.spec.name };
      unitSize = 1;
    } else {
      const r = this.types.resolveSpec(type, loc, true);
      if (!r.ok) return null;
      if (r.type === null) {
        elem = BYTE;
        unitSize = 1;
      } else if (r.type.kind === 'array') {
        elem = r.type.elem;
        unitSize = this.types.sizeOf(r.type);
        arrayPointee = true;
      } else {
        elem = r.type;
        unitSize = this.types.sizeOf(elem);
        this.warnLongDouble(elem, loc);
      }
      const def = elem.kind === 'struct' ? this.types.lookup(elem.name) : undefined;
      if (def && def.kind === 'struct' && def.flexibleTail && a.size && !a.count && !a.sizefunc) {
        // `[in, size=n] sgx_ra_msg2_t *p` copies n bytes in C: the head and its variable tail,
        // which no fixed TypeScript object holds; carried as those bytes
        this.warn(loc, `${where}: '${def.name}' ends in the variable-length '${def.flexibleTail}[]'; with size= the buffer crosses as size bytes, head and tail (a Uint8Array)`, `without size= it crosses as the ${unitSize}-byte head, field by field`);
        elem = { kind: 'int', bits: 8, signed: false, c: def.name };
        unitSize = 1;
      }
    }
    return this.finishShape(elem, unitSize, a, scope, loc, where, arrayPointee);
  }

  private foreignPtrShape(a: PtrAttrs, scope: SizeScope, loc: SourceLocation, where: string): BufferShape | null {
    if (!a.size) {
      this.err(loc, `${where}: a foreign pointer type (isptr) needs size= in bytes`, 'TypeScript cannot know sizeof(*p) from a C header; add size=n');
      return null;
    }
    return this.finishShape(BYTE, 1, a, scope, loc, where, false);
  }

  private arrayShape(type: TypeRef, dims: number[], isAry: boolean, loc: SourceLocation, where: string): BufferShape | null {
    const r = this.types.valueType(type, dims, loc);
    if (!r.ok) return null;
    if (!r.type || r.type.kind !== 'array') {
      if (isAry) this.err(loc, `${where}: '${cSpelling(type)}' is not mapped to an array type, so 'isary' cannot copy it`, `map it to an array, e.g. --foreign-type ${cSpelling(type)}=uint8_t[16]`);
      else this.err(loc, `${where}: an array of void is not allowed`);
      return null;
    }
    const elemSize = this.types.sizeOf(r.type.elem);
    return { elem: r.type.elem, elemSize, unitSize: elemSize, count: { kind: 'num', value: BigInt(r.type.length) }, single: false, variable: false };
  }

  private finishShape(elem: ElemType, unitSize: number, a: PtrAttrs, scope: SizeScope, loc: SourceLocation, where: string, arrayPointee: boolean): BufferShape | null {
    const size = a.size ? this.types.sizeTerm(a.size, scope) : undefined;
    const count = a.count ? this.types.sizeTerm(a.count, scope) : undefined;
    if (size === null || count === null) return null;
    const elemSize = this.types.sizeOf(elem);
    for (const [key, term] of [['size', size], ['count', count]] as const) {
      if (term?.kind === 'num' && term.value < 0n) {
        this.err(a.at[key] ?? loc, `${where}: ${key} is negative (${term.value})`, `${key} must be zero or more`);
        return null;
      }
    }
    // elemSize is 0 for a struct still being built (recursive data): checked at run time instead
    if (elemSize > 0 && (size === undefined || size.kind === 'num') && (count === undefined || count.kind === 'num') && (size || count)) {
      const total = (count?.kind === 'num' ? count.value : 1n) * (size?.kind === 'num' ? size.value : BigInt(unitSize));
      if (total % BigInt(elemSize) !== 0n) {
        this.err(a.at.size ?? a.at.count ?? loc, `${where}: ${total} bytes is not a whole number of elements of ${elemSize} bytes`, 'make size a multiple of the element size');
        return null;
      }
    }
    const shape: BufferShape = { elem, elemSize, unitSize, single: !size && !count && !a.sizefunc && !arrayPointee, variable: a.sizefunc !== undefined };
    if (size) shape.size = size;
    if (count) shape.count = count;
    return shape;
  }

  /** Builds a struct/union model; called through TypeTable.struct (once per name). */
  buildStruct(def: StructDef): StructModel | null {
    const before = this.bag.items.length;
    const members: MemberModel[] = [];
    const layout: { size: number; align: number }[] = [];
    const seen = new Set<string>();
    const scope: SizeScope = {
      lookup: (ref, loc) => {
        const target = def.members.find((m) => m.decl.name === ref);
        return target ? this.integerTarget(target, loc, `size/count member '${def.name}.${ref}'`) : 'missing';
      },
      missing: (ref, loc) => this.err(loc, `'${ref}' is not a member of ${def.kind} '${def.name}'`, 'size= and count= in a struct name another integer member'),
    };
    for (const m of def.members) {
      const name = m.decl.name;
      const where = `'${def.name}.${name}'`;
      if (seen.has(name)) this.err(m.decl.loc, `${def.kind} '${def.name}': duplicated member name '${name}'`, 'rename one of the members');
      seen.add(name);
      checkIdentifier(name, m.decl.loc, this.bag);
      if (m.attrs) {
        if (def.kind === 'union') {
          this.err(m.attrsLoc!, `union '${def.name}': attributes are not allowed on union members`, 'unions are copied by value; use a struct for deep copies');
          continue;
        }
        const a = readAttrs(m.attrs, this.bag);
        checkMemberAttrs(a, def.name, name, m.attrsLoc ?? m.decl.loc, this.bag);
        if (m.decl.dims.length > 0) {
          this.err(m.attrsLoc!, `member ${where}: size/count cannot be used on an explicitly declared array`, 'the declared dimensions fix its size');
          continue;
        }
        if (m.type.pointers === 0) {
          this.err(m.attrsLoc!, `member ${where}: unexpected pointer attributes for '${cSpelling(m.type)}'`, 'size/count apply to pointer members');
          continue;
        }
        if (a.userCheck || (!a.size && !a.count)) continue;
        const isVoid = m.type.pointers === 1 && m.type.spec.kind === 'builtin' && m.type.spec.name === 'void';
        if (isVoid && !a.size) {
          this.err(m.decl.loc, `member ${where}: void pointer - buffer size unknown`, 'add size=n (in bytes)');
          continue;
        }
        const shape = this.pointerShape(m.type, a, scope, m.decl.loc, `member ${where}`);
        if (!shape) continue;
        members.push({ kind: 'buffer', name, loc: m.decl.loc, ...shape });
        layout.push({ size: 8, align: 8 });
        continue;
      }
      if (m.type.pointers > 0) {
        this.warn(m.decl.loc, `member ${where} is a pointer without size/count: it is not deep-copied and crosses as an opaque handle`, 'add [count=n] or [size=len] naming another member to copy what it points to');
      }
      const r = this.types.valueType(m.type, m.decl.dims, m.decl.loc);
      if (!r.ok) continue;
      if (r.type === null) {
        this.err(m.decl.loc, `member ${where} has type void`, 'give it a value type');
        continue;
      }
      this.warnLongDouble(r.type, m.decl.loc);
      members.push({ kind: 'value', name, type: r.type, loc: m.decl.loc });
      layout.push({ size: this.types.sizeOf(r.type), align: this.types.alignOf(r.type) });
    }
    if (this.bag.errorsSince(before)) return null;
    const { size, align } = this.types.layout(def.kind, layout, def.packed === true);
    return { kind: def.kind, name: def.name, members, size, align, deepCopy: members.some((m) => m.kind === 'buffer'), loc: def.loc };
  }

  private noDeepCopyByValue(t: ValueType, loc: SourceLocation, what: string): void {
    if (t.kind !== 'struct') return;
    const s = this.types.struct(t.name, loc);
    if (s?.deepCopy) this.err(loc, `${what} the structure '${t.name}', which specifies a deep copy; it must be passed by pointer`, `pass [in] struct ${t.name} *p`);
  }

  private warnLongDouble(t: ValueType, loc: SourceLocation): void {
    const scalar = t.kind === 'array' ? t.elem : t;
    if (scalar.kind === 'float' && scalar.c === 'long double') this.warn(loc, "'long double' is carried as a 64-bit number (JavaScript has nothing wider); precision beyond double is lost", 'use double');
  }
}

function isCharLike(type: TypeRef): boolean {
  return type.spec.kind === 'builtin' && (type.spec.name === 'char' || type.spec.name === 'unsigned char');
}

/** Identifiers that would break the generated JavaScript objects. */
export function checkIdentifier(name: string, loc: SourceLocation, bag: DiagnosticBag): void {
  if (name === '__proto__') bag.error('semantic', loc, "'__proto__' cannot be used as a name: it is special in JavaScript objects", 'rename it');
}
