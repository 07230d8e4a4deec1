/**
 * Per-function code: the caller's typed proxy (host ecall wrapper, enclave ocall proxy) and
 * the callee's dispatch entry (enclave ecall table, host ocall table), which checks every
 * argument against the EDL before the implementation sees it.
 *
 * Wire form of a call: one argument per EDL parameter, in EDL order, `null` for [out]
 * parameters. Wire result: the return value alone, or, when there are [out]/[in, out]
 * parameters (or propagate_errno), `{ retval, <name>..., errno }`.
 */
import type { BufferShape, FunctionModel, OcallModel, ParamModel, SizeTerm } from '../model.js';
import { jsName, prop, str } from './names.js';
import type { HelperSet } from './helpers.js';
import { elementCount, locating, type SizeRefs } from './sizes.js';
import { describe, type TypeGen } from './types.js';

type BufferParam = Extract<ParamModel, { kind: 'buffer' }>;
type Kind = 'ecall' | 'ocall';

interface Plan {
  /** Value parameters the caller does not pass: filled from an [in] buffer's length. */
  derived: Map<string, { from: BufferParam; via: 'size' | 'count' }>;
  inputs: ParamModel[];
  outputs: ParamModel[];
  errno: boolean;
}

const isRef = (t: SizeTerm | undefined, name?: string): t is { kind: 'ref'; name: string } => t?.kind === 'ref' && (name === undefined || t.name === name);

export class CallGen {
  constructor(
    private readonly t: TypeGen,
    private readonly h: HelperSet,
  ) {}

  plan(fn: FunctionModel): Plan {
    const derived = new Map<string, { from: BufferParam; via: 'size' | 'count' }>();
    const values = new Set(fn.params.filter((p) => p.kind === 'value' && p.type.kind === 'int').map((p) => p.name));
    for (const p of fn.params) {
      if (p.kind !== 'buffer' || p.dir === 'out' || p.single || p.variable || p.unitSize !== p.elemSize) continue;
      const via = isRef(p.size) && !p.count ? 'size' : isRef(p.count) && !p.size ? 'count' : null;
      const name = via === 'size' ? (p.size as { name: string }).name : via === 'count' ? (p.count as { name: string }).name : null;
      if (via && name && values.has(name) && !derived.has(name)) derived.set(name, { from: p, via });
    }
    const inputs = fn.params.filter((p) => !derived.has(p.name) && !(p.kind === 'buffer' && p.dir === 'out'));
    const outputs = fn.params.filter((p) => (p.kind === 'buffer' || p.kind === 'string') && p.dir !== 'in');
    const errno = (fn as Partial<OcallModel>).propagateErrno === true;
    return { derived, inputs, outputs, errno };
  }

  /** The type of a buffer as the caller passes or receives it. */
  private bufferType(p: BufferShape): string {
    return p.single ? this.t.tsType(p.elem) : this.t.arrayType(p.elem);
  }

  private callerInType(p: ParamModel): string {
    if (p.kind === 'value') return this.t.tsType(p.type);
    if (p.kind === 'string') return 'string';
    return this.bufferType(p);
  }

  private calleeType(p: ParamModel): string {
    if (p.kind === 'value') return this.t.tsType(p.type);
    if (p.kind === 'string') return p.dir === 'in' ? 'string' : this.t.refType('string');
    if (p.single && p.dir !== 'in') return this.t.refType(this.t.tsType(p.elem));
    return this.bufferType(p);
  }

  private resultType(fn: FunctionModel, plan: Plan): string {
    const ret = fn.returns ? this.t.tsType(fn.returns) : 'void';
    if (plan.outputs.length === 0 && !plan.errno) return ret;
    const fields = [
      ...(fn.returns ? [`retval: ${ret}`] : []),
      ...plan.outputs.map((p) => `${str(p.name)}: ${p.kind === 'string' ? 'string' : this.bufferType(p as BufferParam)}`),
      ...(plan.errno ? ['errno: number'] : []),
    ];
    return `{ ${fields.join('; ')} }`;
  }

  /** A one-line description of the EDL declaration, for doc comments. */
  doc(fn: FunctionModel, kind: Kind): string {
    const params = fn.params.map((p) => `${describeParam(p)} ${p.name}`).join(', ');
    const flags = [
      kind === 'ecall' && (fn as { isPublic?: boolean }).isPublic ? 'public' : kind === 'ecall' ? 'private' : '',
      (fn as { switchless?: boolean }).switchless ? 'switchless' : '',
      (fn as Partial<OcallModel>).allow?.length ? `allow(${(fn as OcallModel).allow.join(', ')})` : '',
      (fn as Partial<OcallModel>).propagateErrno ? 'propagate_errno' : '',
    ].filter(Boolean);
    return `${kind} ${fn.returns ? describe(fn.returns) : 'void'} ${fn.name}(${params})${flags.length ? ` [${flags.join(', ')}]` : ''}`;
  }

  /** The caller's proxy: `export async function name(...)`. `table` is code for the call table. */
  caller(fn: FunctionModel, kind: Kind, target: { param: string | null; table: string }): string {
    const plan = this.plan(fn);
    const W = str(`${kind} ${fn.name}`);
    const WR = str(`${kind} ${fn.name} result`);
    // ecall proxies take per-call options last (a name no EDL parameter uses)
    const optionsName = fn.params.some((p) => jsName(p.name) === 'options') ? '$options' : 'options';
    const withOptions = target.param !== null;
    const args = [
      ...(target.param ? [target.param] : []),
      ...plan.inputs.map((p) => `${jsName(p.name)}: ${this.callerInType(p)}`),
      ...(withOptions ? [`${optionsName}?: EcallOptions`] : []),
    ];
    const lines: string[] = [];
    lines.push(`/** ${this.doc(fn, kind)} */`);
    lines.push(`export async function ${jsName(fn.name)}(${args.join(', ')}): Promise<${this.resultType(fn, plan)}> {`);
    for (const [name, d] of plan.derived) {
      const p = fn.params.find((q) => q.name === name) as Extract<ParamModel, { kind: 'value' }>;
      const count = `${this.h.use('count')}(${jsName(d.from.name)})`;
      const n = d.via === 'size' && d.from.elemSize !== 1 ? `${count} * ${d.from.elemSize}` : count;
      const is64 = p.type.kind === 'int' && p.type.bits === 64;
      lines.push(`  const ${jsName(name)} = ${is64 ? `${this.h.use('bi')}(${n}, ${W}, ${str(`: length of ${d.from.name}`)})` : n};`);
    }
    const refs: SizeRefs = { ref: (n) => jsName(n) };
    const counts = new Map<string, string>();
    for (const p of plan.outputs) {
      if (p.kind !== 'buffer' || p.single) continue;
      if (p.variable) {
        counts.set(p.name, `${jsName(p.name)}.length`);
        continue;
      }
      const n = locating(`'${fn.name}': '${p.name}'`, p.loc, () => elementCount(p, refs, W, str(`: size of ${p.name}`), this.h, this.t.maxBytes));
      if (typeof n === 'number') counts.set(p.name, String(n));
      else {
        lines.push(`  const $n_${p.name} = ${n};`);
        counts.set(p.name, `$n_${p.name}`);
      }
    }
    const wire = fn.params.map((p) => {
      const v = jsName(p.name);
      if (p.kind === 'value') return this.t.encode(p.type, v);
      if (p.kind === 'string') return v;
      if (p.dir === 'out') return 'null';
      return p.single ? this.t.encode(p.elem, v) : this.t.encodeArray(p.elem, v);
    });
    const direct = `${this.h.use('fn')}(${target.table}, ${str(fn.name)}, '${kind}')(${wire.join(', ')})`;
    if (withOptions) {
      const target0 = target.param!.split(':')[0];
      lines.push(`  const $r = await (${optionsName} === undefined ? ${direct} : ${this.h.use('call')}(${target0}, ${str(fn.name)}, [${wire.join(', ')}], ${optionsName}));`);
    } else {
      lines.push(`  const $r = await ${direct};`);
    }
    if (plan.outputs.length === 0 && !plan.errno) {
      if (fn.returns) lines.push(`  return ${this.t.decode(fn.returns, '$r', WR, "''")};`);
      else lines.push(`  ${this.h.use('void')}($r, ${WR}, '');`);
    } else {
      lines.push(`  const $o = ${this.h.use('obj')}($r, ${WR}, '');`);
      const fields: string[] = [];
      if (fn.returns) fields.push(`retval: ${this.t.decode(fn.returns, prop('$o', 'retval'), WR, "': retval'")}`);
      for (const p of plan.outputs) {
        const at = prop('$o', p.name);
        const k = str(`: ${p.name}`);
        let code: string;
        if (p.kind === 'string') code = `${this.h.use('fits')}(${this.h.use('str')}(${at}, ${WR}, ${k}), ${jsName(p.name)}, ${WR}, ${k})`;
        else if (p.kind !== 'buffer') continue;
        else if (p.single) code = this.t.decode(p.elem, at, WR, k);
        else code = this.t.decodeArray(p.elem, counts.get(p.name)!, at, WR, k);
        fields.push(`${str(p.name)}: ${code}`);
      }
      if (plan.errno) fields.push(`errno: ${this.h.use('i32')}(${prop('$o', 'errno')}, ${WR}, ': errno')`);
      lines.push(`  return { ${fields.join(', ')} };`);
    }
    lines.push('}');
    return lines.join('\n');
  }

  /** The implementation's method signature (for the Ecalls/Ocalls interface). */
  implMember(fn: FunctionModel): string {
    const plan = this.plan(fn);
    const params = fn.params.map((p) => `${jsName(p.name)}: ${this.calleeType(p)}`);
    if (plan.errno) params.push(`errno: ${this.t.refType('number')}`);
    const ret = fn.returns ? this.t.tsType(fn.returns) : 'void';
    return `  ${fn.name}(${params.join(', ')}): ${ret} | Promise<${ret}>;`;
  }

  /** The callee's table entry: checks the wire arguments, calls `$impl`, encodes the result. */
  callee(fn: FunctionModel, kind: Kind): string {
    const plan = this.plan(fn);
    const W = str(`${kind} ${fn.name}`);
    const lines: string[] = [`    ${str(fn.name)}: async (...$a: unknown[]): Promise<unknown> => {`];
    const body: string[] = [`${this.h.use('args')}($a, ${fn.params.length}, ${W});`];
    const local = (name: string) => `$p_${name}`;
    const refs: SizeRefs = { ref: local };
    fn.params.forEach((p, i) => {
      if (p.kind === 'value') body.push(`const ${local(p.name)} = ${this.t.decode(p.type, `$a[${i}]`, W, str(`: ${p.name}`))};`);
    });
    fn.params.forEach((p, i) => {
      const at = `$a[${i}]`;
      const k = str(`: ${p.name}`);
      const v = local(p.name);
      if (p.kind === 'string') {
        const s = `${this.h.use('str')}(${at}, ${W}, ${k})`;
        body.push(p.dir === 'in' ? `const ${v} = ${s};` : `const ${v}: ${this.t.refType('string')} = { value: ${s} };`);
        return;
      }
      if (p.kind !== 'buffer') return;
      if (p.dir === 'out') body.push(`${this.h.use('none')}(${at}, ${W}, ${k});`);
      if (p.single) {
        const inner = this.t.tsType(p.elem);
        if (p.dir === 'in') body.push(`const ${v} = ${this.t.decode(p.elem, at, W, k)};`);
        else body.push(`const ${v}: ${this.t.refType(inner)} = { value: ${p.dir === 'out' ? this.t.zero(p.elem) : this.t.decode(p.elem, at, W, k)} };`);
        return;
      }
      if (p.variable) {
        body.push(`const ${v} = ${this.t.decodeAnyArray(p.elem, at, W, k)};`);
        return;
      }
      const n = locating(`'${fn.name}': '${p.name}'`, p.loc, () => elementCount(p, refs, W, str(`: size of ${p.name}`), this.h, this.t.maxBytes));
      const count = typeof n === 'number' ? String(n) : `$n_${p.name}`;
      if (typeof n !== 'number') body.push(`const $n_${p.name} = ${n};`);
      body.push(`const ${v} = ${p.dir === 'out' ? this.t.zeroArray(p.elem, count) : this.t.decodeArray(p.elem, count, at, W, k)};`);
    });
    if (plan.errno) body.push(`const $errno: ${this.t.refType('number')} = { value: 0 };`);
    const callArgs = [...fn.params.map((p) => local(p.name)), ...(plan.errno ? ['$errno'] : [])];
    const call = `$impl.${fn.name}(${callArgs.join(', ')})`;
    if (plan.outputs.length === 0 && !plan.errno) {
      if (fn.returns) body.push(`return ${this.t.encode(fn.returns, `await ${call}`)};`);
      else body.push(`await ${call};`, 'return undefined;');
    } else {
      body.push(fn.returns ? `const $ret = await ${call};` : `await ${call};`);
      const fields: string[] = [];
      if (fn.returns) fields.push(`retval: ${this.t.encode(fn.returns, '$ret')}`);
      for (const p of plan.outputs) {
        const v = local(p.name);
        if (p.kind === 'string') fields.push(`${str(p.name)}: ${v}.value`);
        else if (p.kind === 'buffer') fields.push(`${str(p.name)}: ${p.single ? this.t.encode(p.elem, `${v}.value`) : this.t.encodeArray(p.elem, v)}`);
      }
      if (plan.errno) fields.push('errno: $errno.value');
      body.push(`return { ${fields.join(', ')} };`);
    }
    lines.push(...body.map((l) => `      ${l}`), '    },');
    return lines.join('\n');
  }
}

function describeParam(p: ParamModel): string {
  if (p.kind === 'value') return describe(p.type);
  if (p.kind === 'string') return `[${p.dir === 'in' ? 'in' : 'in, out'}, ${p.wide ? 'wstring' : 'string'}] ${p.wide ? 'wchar_t' : 'char'}*`;
  const attrs = [p.dir === 'inout' ? 'in, out' : p.dir];
  if (p.size) attrs.push(`size=${termText(p.size)}`);
  if (p.count) attrs.push(`count=${termText(p.count)}`);
  if (p.variable) attrs.push('sizefunc');
  return `[${attrs.join(', ')}] ${describe(p.elem)}*`;
}

function termText(t: SizeTerm): string {
  switch (t.kind) {
    case 'num':
      return String(t.value);
    case 'ref':
      return t.name;
    case 'neg':
      return `-${termText(t.operand)}`;
    case 'bin':
      return `(${termText(t.left)} ${t.op} ${termText(t.right)})`;
  }
}
