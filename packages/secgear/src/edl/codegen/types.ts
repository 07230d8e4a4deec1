/**
 * TypeScript for EDL value types: declarations, and the expressions that check (decode),
 * encode and zero-initialize values. On the wire every value is what the TypeScript type
 * says, except that typed arrays other than Uint8Array travel as a Uint8Array of their
 * bytes (the switchless codec carries only Uint8Array), rebuilt as views on arrival.
 */
import { isByteLike } from '../c-types.js';
import type { BufferShape, EdlModel, EnumModel, MemberModel, StructModel, ValueType } from '../model.js';
import { prop, str } from './names.js';
import type { HelperSet } from './helpers.js';
import { elementCount, locating, type SizeRefs } from './sizes.js';
import { cycleReaching, needingEncode } from './struct-graph.js';

type Elem = BufferShape['elem'];

/** How deep recursive structs may nest on the wire (as the switchless codec's limit). */
const MAX_DEPTH = 64;

/** The typed array class that carries a buffer of `elem`, or null for JavaScript arrays. */
export function typedArrayOf(elem: Elem): string | null {
  switch (elem.kind) {
    case 'int':
      if (elem.bits === 8) return isByteLike(elem) ? 'Uint8Array' : 'Int8Array';
      if (elem.bits === 64) return elem.signed ? 'BigInt64Array' : 'BigUint64Array';
      return `${elem.signed ? 'Int' : 'Uint'}${elem.bits}Array`;
    case 'float':
      return elem.bits === 32 ? 'Float32Array' : 'Float64Array';
    case 'handle':
      return 'BigUint64Array';
    default:
      return null;
  }
}

export class TypeGen {
  readonly structs = new Map<string, StructModel>();
  readonly enums = new Map<string, EnumModel>();
  /** Extra module-level code (decoders, encoders, zero builders, enum sets), by name. */
  readonly support = new Map<string, string>();
  usesHandle = false;
  usesRef = false;
  private inRecursive = false;
  private readonly recursive: Set<string>;
  private readonly encoded: Set<string>;
  /** Support functions requested but not written yet (written by `drain`, without recursion). */
  private readonly queue: { kind: 'decode' | 'encode' | 'zero'; name: string }[] = [];

  constructor(
    model: EdlModel,
    private readonly h: HelperSet,
    readonly maxBytes: number,
  ) {
    for (const t of model.types) {
      if (t.kind === 'enum') this.enums.set(t.name, t);
      else this.structs.set(t.name, t);
    }
    this.recursive = cycleReaching(this.structs);
    this.encoded = needingEncode(this.structs, typedArrayOf);
  }

  /** Writes every requested support function (each may request more). */
  drain(): void {
    for (let job = this.queue.shift(); job; job = this.queue.shift()) {
      const s = this.structs.get(job.name)!;
      if (job.kind === 'decode') this.writeDecoder(s);
      else if (job.kind === 'encode') this.writeEncoder(s);
      else this.writeZero(s);
    }
  }

  tsType(t: ValueType): string {
    switch (t.kind) {
      case 'int':
        return t.bits === 64 ? 'bigint' : 'number';
      case 'float':
        return 'number';
      case 'bool':
        return 'boolean';
      case 'handle':
        this.usesHandle = true;
        return 'EdlHandle';
      case 'enum':
      case 'struct':
      case 'union':
        return t.name;
      case 'array':
        return this.arrayType(t.elem);
    }
  }

  /** The type of several `elem` values: a typed array, or an array. */
  arrayType(elem: Elem): string {
    const typed = typedArrayOf(elem);
    if (typed) {
      if (elem.kind === 'handle') this.usesHandle = true;
      return typed;
    }
    const inner = this.tsType(elem);
    return /^[A-Za-z_][A-Za-z0-9_]*$/.test(inner) ? `${inner}[]` : `Array<${inner}>`;
  }

  refType(inner: string): string {
    this.usesRef = true;
    return `EdlRef<${inner}>`;
  }

  /** An expression that checks `v` (code) and yields the typed value. `w`, `k` are code for the error location. */
  decode(t: ValueType, v: string, w: string, k: string): string {
    switch (t.kind) {
      case 'int': {
        const name = `${t.signed ? 'i' : 'u'}${t.bits}`;
        return `${this.h.use(name)}(${v}, ${w}, ${k})`;
      }
      case 'float':
        return `${this.h.use(t.bits === 32 ? 'f32' : 'f64')}(${v}, ${w}, ${k})`;
      case 'bool':
        return `${this.h.use('bool')}(${v}, ${w}, ${k})`;
      case 'handle':
        this.usesHandle = true;
        return `${this.h.use('handle')}(${v}, ${w}, ${k})`;
      case 'enum':
        return `(${this.h.use('enum')}(${v}, ${this.enumSet(t.name)}, ${w}, ${k}) as ${t.name})`;
      case 'struct':
      case 'union': {
        const fn = this.structDecoder(t.name);
        // inside a recursive struct's decoder, nested levels count towards MAX_DEPTH
        const depth = this.inRecursive && this.isRecursive(t.name) ? ', d + 1' : '';
        return `${fn}(${v}, ${w} + ${k}${depth})`;
      }
      case 'array':
        return this.decodeArray(t.elem, String(t.length), v, w, k);
    }
  }

  /** Whether decoding a struct/union may recurse (it can reach a cycle of structs). */
  isRecursive(name: string): boolean {
    return this.recursive.has(name);
  }

  /** Checks an array of exactly `n` (code) elements. */
  decodeArray(elem: Elem, n: string, v: string, w: string, k: string): string {
    const typed = typedArrayOf(elem);
    if (typed === 'Uint8Array') return `${this.h.use('bytes')}(${v}, ${n}, ${w}, ${k})`;
    if (typed) return `${this.h.use('view')}(${v}, ${n}, ${typed}, ${w}, ${k})`;
    return `${this.h.use('arr')}(${v}, ${n}, ${w}, ${k}).map(($e, $i) => ${this.decode(elem, '$e', w, `${k} + '[' + $i + ']'`)})`;
  }

  /** Checks an array of any length (sizefunc buffers). */
  decodeAnyArray(elem: Elem, v: string, w: string, k: string): string {
    const typed = typedArrayOf(elem);
    if (typed === 'Uint8Array') return `${this.h.use('bytesAny')}(${v}, 1, $MAX, ${w}, ${k})`;
    if (typed) return `${this.h.use('view')}(${v}, ${this.h.use('bytesAny')}(${v}, ${typed}.BYTES_PER_ELEMENT, $MAX, ${w}, ${k}).length / ${typed}.BYTES_PER_ELEMENT, ${typed}, ${w}, ${k})`;
    return `${this.h.use('arrAny')}(${v}, $MAX, ${w}, ${k}).map(($e, $i) => ${this.decode(elem, '$e', w, `${k} + '[' + $i + ']'`)})`;
  }

  needsEncode(t: ValueType): boolean {
    if (t.kind === 'array') return this.elemNeedsEncode(t.elem);
    return (t.kind === 'struct' || t.kind === 'union') && this.encoded.has(t.name);
  }

  elemNeedsEncode(elem: Elem): boolean {
    const typed = typedArrayOf(elem);
    if (typed) return typed !== 'Uint8Array';
    return this.needsEncode(elem);
  }

  /** The wire form of a value (code); the value itself unless it holds non-byte typed arrays. */
  encode(t: ValueType, v: string): string {
    if (t.kind === 'array') return this.encodeArray(t.elem, v);
    if ((t.kind === 'struct' || t.kind === 'union') && this.needsEncode(t)) return `${this.structEncoder(t.name)}(${v})`;
    return v;
  }

  encodeArray(elem: Elem, v: string): string {
    const typed = typedArrayOf(elem);
    if (typed && typed !== 'Uint8Array') return `${this.h.use('raw')}(${v}, ${typed})`;
    if (!typed && this.needsEncode(elem)) return `(Array.isArray(${v}) ? (${v} as unknown[]).map((e) => ${this.encode(elem, 'e')}) : ${v})`;
    return v;
  }

  /** A zero-initialized value, as C gives [out] memory. */
  zero(t: ValueType): string {
    switch (t.kind) {
      case 'int':
        return t.bits === 64 ? '0n' : '0';
      case 'float':
        return '0';
      case 'bool':
        return 'false';
      case 'handle':
        this.usesHandle = true;
        return '(0n as EdlHandle)';
      case 'enum': {
        const e = this.enums.get(t.name)!;
        const first = e.items.find((i) => i.value === 0n) ?? e.items[0];
        return `(${str(first.name)} as ${t.name})`;
      }
      case 'struct':
      case 'union':
        return `${this.structZero(t.name)}()`;
      case 'array':
        return this.zeroArray(t.elem, String(t.length));
    }
  }

  zeroArray(elem: Elem, n: string): string {
    const typed = typedArrayOf(elem);
    if (typed) return `new ${typed}(${n})`;
    return `Array.from({ length: ${n} }, (): ${this.tsType(elem)} => ${this.zero(elem)})`;
  }

  private enumSet(name: string): string {
    const id = `$E_${name}`;
    if (!this.support.has(id)) {
      const items = this.enums.get(name)!.items.map((i) => str(i.name)).join(', ');
      this.support.set(id, `const ${id}: ReadonlySet<string> = new Set([${items}]);`);
    }
    return id;
  }

  private structDecoder(name: string): string {
    const id = `$s_${name}`;
    if (!this.support.has(id)) {
      this.support.set(id, '');
      this.queue.push({ kind: 'decode', name });
    }
    return id;
  }

  private writeDecoder(s: StructModel): void {
    const id = `$s_${s.name}`;
    this.inRecursive = this.isRecursive(s.name);
    let body = s.kind === 'union' ? this.unionDecoderBody(s) : this.structDecoderBody(s);
    let params = 'v: unknown, w: string';
    if (this.inRecursive) {
      // recursive data (even cyclic: structured clone keeps cycles) stops at MAX_DEPTH levels
      body = `  if (d > ${MAX_DEPTH}) return ${this.h.use('bad')}(w, '', 'data nested at most ${MAX_DEPTH} levels deep', v);\n${body}`;
      params += ', d = 0';
    }
    this.inRecursive = false;
    this.support.set(id, `function ${id}(${params}): ${s.name} {\n${body}\n}`);
  }

  private structDecoderBody(s: StructModel): string {
    const lines = [`  const o = ${this.h.use('obj')}(v, w, '');`];
    const local = (m: MemberModel) => `$_${m.name}`;
    const refs: SizeRefs = { ref: (n) => `$_${n}` };
    // value members first: buffer sizes refer to them
    for (const m of s.members) {
      if (m.kind === 'value') lines.push(`  const ${local(m)} = ${this.decode(m.type, prop('o', m.name), 'w', str(`.${m.name}`))};`);
    }
    for (const m of s.members) {
      if (m.kind !== 'buffer') continue;
      const n = locating(`'${s.name}.${m.name}'`, m.loc, () => elementCount(m, refs, 'w', str(`.${m.name} (size)`), this.h, this.maxBytes));
      lines.push(`  const ${local(m)} = ${this.decodeArray(m.elem, String(n), prop('o', m.name), 'w', str(`.${m.name}`))};`);
    }
    lines.push(`  return { ${s.members.map((m) => `${str(m.name)}: ${local(m)}`).join(', ')} };`);
    return lines.join('\n');
  }

  private unionDecoderBody(s: StructModel): string {
    const names = s.members.map((m) => m.name);
    const lines = [`  const o = ${this.h.use('obj')}(v, w, '');`, `  const keys = Object.keys(o);`];
    lines.push(`  if (keys.length !== 1) return ${this.h.use('bad')}(w, '', ${str(`union ${s.name}: an object with exactly one of ${names.join(', ')}`)}, v);`);
    lines.push('  switch (keys[0]) {');
    for (const m of s.members) {
      if (m.kind !== 'value') continue;
      lines.push(`    case ${str(m.name)}:`, `      return { ${str(m.name)}: ${this.decode(m.type, prop('o', m.name), 'w', str(`.${m.name}`))} };`);
    }
    lines.push(`    default:`, `      return ${this.h.use('bad')}(w, '', ${str(`union ${s.name}: one of ${names.join(', ')}`)}, keys[0]);`, '  }');
    return lines.join('\n');
  }

  private structEncoder(name: string): string {
    const id = `$e_${name}`;
    if (!this.support.has(id)) {
      this.support.set(id, '');
      this.queue.push({ kind: 'encode', name });
    }
    return id;
  }

  private writeEncoder(s: StructModel): void {
    const id = `$e_${s.name}`;
    const lines = [`function ${id}(v: unknown): unknown {`, `  if (typeof v !== 'object' || v === null) return v;`, `  const o: Record<string, unknown> = { ...(v as Record<string, unknown>) };`];
    for (const m of s.members) {
      const needs = m.kind === 'value' ? this.needsEncode(m.type) : this.elemNeedsEncode(m.elem);
      if (!needs) continue;
      const at = prop('o', m.name);
      const enc = m.kind === 'value' ? this.encode(m.type, at) : this.encodeArray(m.elem, at);
      lines.push(`  if (${at} !== undefined) ${at} = ${enc};`);
    }
    lines.push('  return o;', '}');
    this.support.set(id, lines.join('\n'));
  }

  private structZero(name: string): string {
    const id = `$z_${name}`;
    if (!this.support.has(id)) {
      this.support.set(id, '');
      this.queue.push({ kind: 'zero', name });
    }
    return id;
  }

  private writeZero(s: StructModel): void {
    const id = `$z_${s.name}`;
    const members = s.kind === 'union' ? s.members.slice(0, 1) : s.members;
    const fields = members.map((m) => `${str(m.name)}: ${m.kind === 'value' ? this.zero(m.type) : this.zeroArray(m.elem, '0')}`);
    this.support.set(id, `function ${id}(): ${s.name} {\n  return { ${fields.join(', ')} };\n}`);
  }

  /** `export interface` / `export type` for every EDL type. */
  declarations(): string[] {
    const out: string[] = [];
    for (const s of this.structs.values()) {
      const fields = s.members.map((m) => {
        const type = m.kind === 'value' ? this.tsType(m.type) : this.arrayType(m.elem);
        return { name: m.name, type, doc: memberDoc(m) };
      });
      if (s.kind === 'struct') {
        out.push(`/** struct ${s.name} (${s.size} bytes in C) */\nexport interface ${s.name} {\n${fields.map((f) => `  /** ${f.doc} */\n  ${str(f.name)}: ${f.type};`).join('\n')}\n}`);
      } else {
        const alts = fields.map((f) => `{ ${[`${str(f.name)}: ${f.type}`, ...fields.filter((g) => g !== f).map((g) => `${str(g.name)}?: never`)].join('; ')} }`);
        out.push(`/** union ${s.name}: exactly one member is set */\nexport type ${s.name} =\n  | ${alts.join('\n  | ')};`);
      }
    }
    for (const e of this.enums.values()) {
      const values = e.items.map((i) => `${i.name}${i.value === null ? '' : ` = ${i.value}`}`).join(', ');
      out.push(`/** enum ${e.name} { ${values} }: carried by name */\nexport type ${e.name} = ${e.items.map((i) => str(i.name)).join(' | ') || 'never'};`);
    }
    return out;
  }
}

function memberDoc(m: MemberModel): string {
  if (m.kind === 'value') return `${describe(m.type)}`;
  const parts = [m.count ? 'count' : '', m.size ? 'size' : ''].filter(Boolean).join('/');
  return `${describe(m.elem)} buffer, deep-copied (${parts} from other members)`;
}

export function describe(t: ValueType): string {
  switch (t.kind) {
    case 'int':
    case 'float':
    case 'bool':
    case 'handle':
      return t.c;
    case 'enum':
    case 'struct':
    case 'union':
      return `${t.kind} ${t.name}`;
    case 'array':
      return `${describe(t.elem)}${t.dims.map((d) => `[${d}]`).join('')}`;
  }
}
