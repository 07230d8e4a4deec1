/**
 * Runtime helpers emitted into each generated file (only those it uses, so strict
 * `noUnusedLocals` projects compile it). They check values arriving from the other side
 * of the boundary and throw CC_ERROR_BAD_PARAMETERS naming the call, the value and what
 * was expected. Every helper is small enough for V8 to inline on the hot path.
 */

interface Helper {
  deps: string[];
  code: string;
}

const int = (name: string, test: string, what: string): Helper => ({
  deps: ['bad'],
  code: `function ${name}(v: unknown, w: string, k: string): number {
  if (typeof v === 'number' && ${test}) return v;
  return $bad(w, k, '${what}', v);
}`,
});

const big = (name: string, min: string, max: string, what: string): Helper => ({
  deps: ['bad'],
  // comparisons with literals: no bigint allocated on the hot path
  code: `function ${name}(v: unknown, w: string, k: string): bigint {
  if (typeof v === 'bigint' && v >= ${min} && v <= ${max}) return v;
  return $bad(w, k, '${what}', v);
}`,
});

export const HELPERS: Record<string, Helper> = {
  show: {
    deps: [],
    code: `function $show(v: unknown): string {
  if (v === null) return 'null';
  if (ArrayBuffer.isView(v)) return \`\${Object.prototype.toString.call(v).slice(8, -1)} of \${v.byteLength} bytes\`;
  if (Array.isArray(v)) return \`an array of \${v.length}\`;
  switch (typeof v) {
    case 'number':
    case 'boolean':
      return String(v);
    case 'bigint':
      return \`\${v}n\`;
    case 'string':
      return v.length > 40 ? \`a string of \${v.length} characters\` : JSON.stringify(v);
    default:
      return typeof v;
  }
}`,
  },
  bad: {
    deps: ['show'],
    code: `function $bad(w: string, k: string, what: string, v: unknown): never {
  throw new SecGearError(ErrorCode.BAD_PARAMETERS, \`\${w}\${k}: expected \${what}, got \${$show(v)}\`);
}`,
  },
  i8: int('$i8', '(v << 24) >> 24 === v', 'an int8 (-128..127)'),
  u8: int('$u8', '(v & 0xff) === v', 'a uint8 (0..255)'),
  i16: int('$i16', '(v << 16) >> 16 === v', 'an int16 (-32768..32767)'),
  u16: int('$u16', '(v & 0xffff) === v', 'a uint16 (0..65535)'),
  i32: int('$i32', '(v | 0) === v', 'an int32 (-2147483648..2147483647)'),
  u32: int('$u32', 'v >>> 0 === v', 'a uint32 (0..4294967295)'),
  i64: big('$i64', '-0x8000000000000000n', '0x7fffffffffffffffn', 'an int64 as a bigint'),
  u64: big('$u64', '0n', '0xffffffffffffffffn', 'a uint64 as a bigint'),
  f32: {
    deps: ['bad'],
    code: `function $f32(v: unknown, w: string, k: string): number {
  if (typeof v === 'number') return Math.fround(v);
  return $bad(w, k, 'a number (float)', v);
}`,
  },
  f64: {
    deps: ['bad'],
    code: `function $f64(v: unknown, w: string, k: string): number {
  if (typeof v === 'number') return v;
  return $bad(w, k, 'a number (double)', v);
}`,
  },
  bool: {
    deps: ['bad'],
    code: `function $bool(v: unknown, w: string, k: string): boolean {
  if (typeof v === 'boolean') return v;
  return $bad(w, k, 'a boolean', v);
}`,
  },
  handle: {
    deps: ['bad'],
    code: `function $handle(v: unknown, w: string, k: string): EdlHandle {
  if (typeof v === 'bigint' && v >= 0n && v <= 0xffffffffffffffffn) return v as EdlHandle;
  return $bad(w, k, 'an opaque handle (a uint64 bigint)', v);
}`,
  },
  enum: {
    deps: ['bad'],
    code: `function $enum(v: unknown, names: ReadonlySet<string>, w: string, k: string): string {
  if (typeof v === 'string' && names.has(v)) return v;
  return $bad(w, k, \`one of \${[...names].join(', ')}\`, v);
}`,
  },
  str: {
    deps: ['bad'],
    code: `function $str(v: unknown, w: string, k: string): string {
  if (typeof v !== 'string') return $bad(w, k, 'a string', v);
  if (v.includes('\\0')) return $bad(w, k, 'a string without NUL characters (C strings end at the first NUL)', v);
  if (!(v as unknown as { isWellFormed(): boolean }).isWellFormed()) return $bad(w, k, 'a well-formed string (no lone surrogates; it must encode as UTF-8)', v);
  return v;
}`,
  },
  utf8len: {
    deps: [],
    code: `function $utf8len(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}`,
  },
  obj: {
    deps: ['bad'],
    code: `function $obj(v: unknown, w: string, k: string): Record<string, unknown> {
  if (typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v)) return v as Record<string, unknown>;
  return $bad(w, k, 'an object', v);
}`,
  },
  arr: {
    deps: ['bad'],
    code: `function $arr(v: unknown, n: number, w: string, k: string): unknown[] {
  if (Array.isArray(v) && v.length === n) return v;
  return $bad(w, k, \`an array of \${n}\`, v);
}`,
  },
  arrAny: {
    deps: ['bad'],
    code: `function $arrAny(v: unknown, w: string, k: string): unknown[] {
  if (Array.isArray(v) && v.length <= $MAX) return v;
  return $bad(w, k, 'an array', v);
}`,
  },
  bytes: {
    deps: ['bad'],
    code: `function $bytes(v: unknown, n: number, w: string, k: string): Uint8Array {
  if (!(v instanceof Uint8Array) || v.length !== n) return $bad(w, k, \`a Uint8Array of \${n} bytes\`, v);
  // shared memory could change after the check: take a private copy
  return v.buffer instanceof ArrayBuffer ? v : v.slice();
}`,
  },
  bytesAny: {
    deps: ['bad'],
    code: `function $bytesAny(v: unknown, unit: number, w: string, k: string): Uint8Array {
  if (!(v instanceof Uint8Array) || v.length % unit !== 0 || v.length > $MAX) return $bad(w, k, \`a Uint8Array of whole \${unit}-byte elements\`, v);
  return v.buffer instanceof ArrayBuffer ? v : v.slice();
}`,
  },
  view: {
    deps: ['bad'],
    code: `interface $ViewOf<T> {
  new (buffer: ArrayBuffer, byteOffset: number, length: number): T;
  readonly BYTES_PER_ELEMENT: number;
  readonly name: string;
}
function $view<T>(v: unknown, n: number, C: $ViewOf<T>, w: string, k: string): T {
  const size = C.BYTES_PER_ELEMENT;
  if (!(v instanceof Uint8Array) || v.length !== n * size) return $bad(w, k, \`\${C.name} of \${n} elements (\${n * size} bytes)\`, v);
  // a private, aligned copy unless the bytes already are both
  const own = v.buffer instanceof ArrayBuffer && v.byteOffset % size === 0 ? v : v.slice();
  return new C(own.buffer as ArrayBuffer, own.byteOffset, n);
}`,
  },
  raw: {
    deps: [],
    code: `function $raw(v: unknown, C: abstract new (...args: never[]) => ArrayBufferView): unknown {
  return v instanceof C ? new Uint8Array(v.buffer, v.byteOffset, v.byteLength) : v;
}`,
  },
  len: {
    deps: ['bad'],
    code: `function $len(x: number | bigint, w: string, k: string): number {
  const n = typeof x === 'bigint' ? (x >= 0n && x <= $MAX_BIG ? Number(x) : -1) : x;
  if (Number.isInteger(n) && n >= 0 && n <= $MAX) return n;
  return $bad(w, k, \`a size from 0 to \${$MAX} bytes (maxBufferBytes)\`, x);
}`,
  },
  elems: {
    deps: ['bad'],
    code: `function $elems(count: number, size: number, elemSize: number, w: string, k: string): number {
  const total = count * size;
  if (total > $MAX) return $bad(w, k, \`at most \${$MAX} bytes (maxBufferBytes)\`, total);
  if (total % elemSize !== 0) return $bad(w, k, \`a whole number of \${elemSize}-byte elements\`, total);
  return total / elemSize;
}`,
  },
  bi: {
    deps: ['bad'],
    code: `function $bi(x: unknown, w: string, k: string): bigint {
  if (typeof x === 'bigint') return x;
  if (typeof x === 'number' && Number.isInteger(x)) return BigInt(x);
  return $bad(w, k, 'an integer', x);
}`,
  },
  fits: {
    deps: ['bad', 'utf8len'],
    code: `function $fits(s: string, original: string, w: string, k: string): string {
  // an [in, out, string] buffer holds strlen(original) + 1 bytes in C
  if ($utf8len(s) > $utf8len(original)) return $bad(w, k, \`a string of at most \${$utf8len(original)} UTF-8 bytes (the length passed in)\`, s);
  return s;
}`,
  },
  div: {
    deps: [],
    code: `function $div(a: bigint, b: bigint, op: '/' | '%'): bigint {
  if (b === 0n) return -1n;
  return op === '/' ? a / b : a % b;
}`,
  },
  args: {
    deps: [],
    code: `function $args(a: unknown[], n: number, w: string): void {
  if (a.length !== n) throw new SecGearError(ErrorCode.BAD_PARAMETERS, \`\${w}: expected \${n} argument\${n === 1 ? '' : 's'}, got \${a.length}\`);
}`,
  },
  none: {
    deps: ['bad'],
    code: `function $none(v: unknown, w: string, k: string): void {
  if (v !== null && v !== undefined) $bad(w, k, 'null (an [out] parameter carries nothing in)', v);
}`,
  },
  void: {
    deps: ['bad'],
    code: `function $void(v: unknown, w: string, k: string): void {
  if (v !== undefined && v !== null) $bad(w, k, 'nothing (the function returns void)', v);
}`,
  },
  count: {
    deps: [],
    code: `function $count(v: unknown): number {
  const n = ArrayBuffer.isView(v) || Array.isArray(v) ? (v as { length?: unknown }).length : undefined;
  return typeof n === 'number' ? n : NaN;
}`,
  },
  implements: {
    deps: [],
    code: `function $implements(impl: unknown, names: readonly string[], what: string): void {
  for (const n of names) {
    if (typeof (impl as Record<string, unknown> | null)?.[n] !== 'function') {
      throw new SecGearError(ErrorCode.BAD_PARAMETERS, \`\${what}: the implementation has no function "\${n}"; implement every function the EDL declares\`);
    }
  }
}`,
  },
  withDefaults: {
    deps: [],
    code: `function $withDefaults<T extends object, D extends object>(user: T, defaults: D): T & D {
  // the user's functions win; the standard library fills the rest (methods keep their this)
  return new Proxy(user, { get: (t, name, r) => Reflect.get(t, name, r) ?? Reflect.get(defaults, name) }) as T & D;
}`,
  },
  call: {
    deps: [],
    code: `function $call(target: EcallTarget, name: string, args: unknown[], options: EcallOptions): Promise<unknown> {
  if (typeof target.call !== 'function') throw new SecGearError(ErrorCode.NOT_SUPPORTED, \`ecall \${name}: this enclave object takes no per-call options (it has no call method)\`);
  return target.call(name, args, options);
}`,
  },
  fn: {
    deps: [],
    code: `function $fn(table: { readonly [name: string]: ((...args: any[]) => Promise<unknown>) | undefined }, name: string, what: 'ecall' | 'ocall'): (...args: unknown[]) => Promise<unknown> {
  const f = table[name];
  if (typeof f !== 'function') {
    const code = what === 'ecall' ? ErrorCode.ECALL_NOT_FOUND : ErrorCode.OCALL_NOT_ALLOWED;
    throw new SecGearError(code, \`\${what} "\${name}" is not available; was the image built from this EDL?\`);
  }
  return f;
}`,
  },
};

/** Tracks the helpers a file uses; `emit` returns their code, dependencies included, in a stable order. */
export class HelperSet {
  private readonly used = new Set<string>();

  use(name: string): string {
    if (!HELPERS[name]) throw new Error(`internal: unknown helper ${name}`);
    this.used.add(name);
    return `$${name}`;
  }

  has(name: string): boolean {
    return this.used.has(name);
  }

  emit(): string[] {
    const all = new Set<string>();
    const add = (n: string) => {
      if (all.has(n)) return;
      all.add(n);
      for (const d of HELPERS[n].deps) add(d);
    };
    for (const n of this.used) add(n);
    return Object.keys(HELPERS)
      .filter((n) => all.has(n))
      .map((n) => HELPERS[n].code);
  }

  /** Whether any used helper refers to $MAX. */
  needsMax(): boolean {
    return ['len', 'elems', 'arrAny', 'bytesAny'].some((n) => this.used.has(n));
  }
}
