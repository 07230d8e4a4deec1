/**
 * Generated code at run time, both sides, through a simulated boundary that copies every
 * value (structuredClone, as postMessage does). The real enclave round trip is in
 * examples/helloworld and examples/edl-bank.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boundary, loadGenerated, rejectsWith } from './support.js';

const BAD = 'CC_ERROR_BAD_PARAMETERS';

const EDL = `enclave {
    struct Point { int32_t x; int32_t y; };
    struct Blob { size_t len; [size=len] uint8_t *data; int32_t vals[4]; struct Point at; };
    union Num { int32_t i; double d; };
    enum Color { RED, GREEN = 5, BLUE };
    trusted {
        public int get_string([out, size=32] char *buf);
        public int get_random([out, size=buf_len] char *buf, int buf_len);
        public uint64_t sum([in, count=n] const int32_t *v, size_t n);
        public void ints(int8_t a, uint8_t b, int16_t c, uint16_t d, int32_t e, uint32_t f, int64_t g, uint64_t h, float fl, double db);
        public int take([in] struct Blob *b, [in, count=n] struct Point *pts, size_t n, enum Color c, union Num u);
        public void strings([in, string] const char *s, [in, wstring] const wchar_t *ws, [in, out, string] char *io);
        public void outs([out] int64_t *total, [out, count=3] struct Point *pts, [in, out] struct Point *p, [out] enum Color *c);
        public void echo_handle([user_check] void *p);
        public void shape([in, size=len * 2 + 1] uint8_t *b, uint32_t len, [in, out, count=k] double *d, uint8_t k);
        public void greet(void);
    };
    untrusted {
        int host_add(int a, int b);
        void host_fill([out, size=8] uint8_t *buf, [in, string] const char *tag);
        int host_errno(void) propagate_errno;
    };
};`;

function makeEnclave(calls: string[]) {
  return {
    get_string(buf: Uint8Array) {
      calls.push('get_string');
      buf.set(new TextEncoder().encode('This is a sample'));
      return 0;
    },
    get_random(buf: Uint8Array, len: number) {
      calls.push('get_random');
      buf.fill(7);
      return len;
    },
    sum(v: Int32Array, n: bigint) {
      calls.push('sum');
      assert.ok(v instanceof Int32Array);
      assert.equal(BigInt(v.length), n);
      return BigInt(v.reduce((a, b) => a + b, 0));
    },
    ints(...args: unknown[]) {
      calls.push(`ints ${args.map(String).join(' ')}`);
    },
    take(b: { len: bigint; data: Uint8Array; vals: Int32Array; at: { x: number; y: number } }, pts: { x: number }[], n: bigint, c: string, u: Record<string, number>) {
      calls.push('take');
      assert.ok(b.vals instanceof Int32Array);
      return b.data.length + b.vals[3] + b.at.y + pts.length + Number(n) + (c === 'BLUE' ? 100 : 0) + (u.i ?? 0);
    },
    strings(s: string, ws: string, io: { value: string }) {
      calls.push(`strings ${s} ${ws} ${io.value}`);
      io.value = io.value.toUpperCase();
    },
    outs(total: { value: bigint }, pts: { x: number; y: number }[], p: { value: { x: number; y: number } }, c: { value: string }) {
      calls.push('outs');
      assert.equal(pts.length, 3);
      total.value = 1n << 40n;
      pts[2].y = 9;
      p.value.x += 1;
      c.value = 'GREEN';
    },
    echo_handle(p: bigint) {
      calls.push(`handle ${p}`);
    },
    shape(b: Uint8Array, len: number, d: Float64Array, k: number) {
      calls.push(`shape ${b.length} ${len} ${d.length} ${k}`);
      d.reverse();
    },
    async greet() {
      calls.push('greet');
    },
  };
}

async function setup() {
  const loaded = await loadGenerated(EDL);
  const calls: string[] = [];
  const impl = makeEnclave(calls);
  const ecalls = loaded.t.createEcallTable(impl);
  const ocalls = loaded.u.createOcallTable({
    host_add: (a: number, b: number) => a + b,
    host_fill: (buf: Uint8Array, tag: string) => buf.set(new TextEncoder().encode(tag).subarray(0, 8)),
    host_errno: (errno: { value: number }) => {
      errno.value = 2;
      return -1;
    },
  });
  const enclave = boundary(loaded, ecalls, ocalls);
  return { ...loaded, calls, impl, ecalls, ocalls, enclave };
}

test('roundtrip: secGear hello world: [out, size=32] and [out, size=buf_len] buffers', async () => {
  const { u, enclave } = await setup();
  const r = await u.get_string(enclave);
  assert.equal(r.retval, 0);
  assert.equal(r.buf.length, 32);
  assert.equal(new TextDecoder().decode(r.buf.subarray(0, 16)), 'This is a sample');
  assert.deepEqual(r.buf.subarray(16), new Uint8Array(16));
  const g = await u.get_random(enclave, 5);
  assert.deepEqual([g.retval, [...g.buf]], [5, [7, 7, 7, 7, 7]]);
  await rejectsWith(u.get_random(enclave, -1), BAD, /ecall get_random: size of buf: expected a size from 0 to 67108864/);
});

test('roundtrip: count= arrays of numbers are typed arrays; the size parameter is filled from the length', async () => {
  const { u, enclave } = await setup();
  assert.equal(await u.sum(enclave, new Int32Array([1, 2, 3, -4])), 2n);
  assert.equal(await u.sum(enclave, new Int32Array(0)), 0n);
  // an unaligned view and a shared buffer arrive as private, aligned typed arrays
  const bytes = new Uint8Array(13);
  const shared = new Int32Array(new SharedArrayBuffer(12));
  shared.set([5, 6, 7]);
  assert.equal(await u.sum(enclave, shared), 18n);
  assert.equal(await u.sum(enclave, new Int32Array(bytes.buffer, 4, 2)), 0n);
  await rejectsWith(u.sum(enclave, [1, 2] as unknown as Int32Array), BAD, /ecall sum: v: expected Int32Array of 2 elements/);
});

test('roundtrip: integer and float ranges are checked on arrival', async () => {
  const { u, enclave, calls } = await setup();
  await u.ints(enclave, -128, 255, -32768, 65535, -(2 ** 31), 2 ** 32 - 1, -(2n ** 63n), 2n ** 64n - 1n, 1.1, 2.5);
  assert.equal(calls.pop(), `ints -128 255 -32768 65535 -2147483648 4294967295 -9223372036854775808 18446744073709551615 ${Math.fround(1.1)} 2.5`);
  const ok = [0, 0, 0, 0, 0, 0, 0n, 0n, 0, 0];
  const bad: [number, unknown, RegExp][] = [
    [0, 128, /: a: expected an int8/],
    [1, -1, /: b: expected a uint8/],
    [2, 1.5, /: c: expected an int16/],
    [3, 65536, /: d: expected a uint16/],
    [4, 2 ** 31, /: e: expected an int32/],
    [5, -1, /: f: expected a uint32/],
    [6, 2n ** 63n, /: g: expected an int64 as a bigint/],
    [7, 1, /: h: expected a uint64 as a bigint, got 1/],
    [8, '1', /: fl: expected a number/],
    [9, 1n, /: db: expected a number/],
  ];
  for (const [i, value, message] of bad) {
    const args: unknown[] = [...ok];
    args[i] = value;
    await rejectsWith(u.ints(enclave, ...args), BAD, message);
  }
  assert.equal(calls.length, 0, 'no bad value reached the enclave implementation');
});

test('roundtrip: structs are deep copied (size members, fixed arrays, nested), enums by name, unions one-of', async () => {
  const { u, enclave, calls } = await setup();
  const blob = { len: 3n, data: new Uint8Array([1, 2, 3]), vals: new Int32Array([0, 0, 0, 40]), at: { x: 1, y: 2 }, extra: 'dropped' };
  const pts = [{ x: 1, y: 1 }, { x: 2, y: 2 }];
  assert.equal(await u.take(enclave, blob, pts, 'BLUE', { i: 5 }), 3 + 40 + 2 + 2 + 2 + 100 + 5);
  const bad: [unknown[], RegExp][] = [
    [[{ ...blob, len: 4n }, pts, 'RED', { i: 1 }], /ecall take: b\.data: expected a Uint8Array of 4 bytes, got Uint8Array of 3 bytes/],
    [[{ ...blob, vals: new Int32Array(3) }, pts, 'RED', { i: 1 }], /ecall take: b\.vals: expected Int32Array of 4 elements/],
    [[{ ...blob, at: { x: 1 } }, pts, 'RED', { i: 1 }], /ecall take: b\.at\.y: expected an int32 \(-2147483648\.\.2147483647\), got undefined/],
    [[blob, [{ x: 1, y: 1 }, null], 'RED', { i: 1 }], /ecall take: pts\[1\]: expected an object, got null/],
    [[blob, pts, 'PURPLE', { i: 1 }], /ecall take: c: expected one of RED, GREEN, BLUE, got "PURPLE"/],
    [[blob, pts, 0, { i: 1 }], /ecall take: c: expected one of RED, GREEN, BLUE, got 0/],
    [[blob, pts, 'RED', { i: 1, d: 2 }], /ecall take: u: expected union Num: an object with exactly one of i, d/],
    [[blob, pts, 'RED', { x: 1 }], /ecall take: u: expected union Num: one of i, d, got "x"/],
    [[blob, pts, 'RED', { d: 'x' }], /ecall take: u\.d: expected a number/],
    [['blob', pts, 'RED', { i: 1 }], /ecall take: b: expected an object, got "blob"/],
  ];
  for (const [args, message] of bad) await rejectsWith(u.take(enclave, ...args), BAD, message);
  assert.deepEqual(calls, ['take']);
});

test('roundtrip: strings are checked for type, NUL and well-formedness; [in, out] strings must fit', async () => {
  const { u, enclave, calls, ecalls } = await setup();
  assert.deepEqual(await u.strings(enclave, 'héllo', 'wide ☃', 'mixed Case'), { io: 'MIXED CASE' });
  assert.equal(calls.pop(), 'strings héllo wide ☃ mixed Case');
  await rejectsWith(u.strings(enclave, 'a\0b', 'w', 'x'), BAD, /ecall strings: s: expected a string without NUL characters/);
  await rejectsWith(u.strings(enclave, 'ok', '\ud800', 'x'), BAD, /ecall strings: ws: expected a well-formed string/);
  await rejectsWith(u.strings(enclave, 42, 'w', 'x'), BAD, /ecall strings: s: expected a string, got 42/);
  // the enclave may not grow an [in, out] string beyond the buffer C would have given it
  const { t } = await setup();
  const grow = t.createEcallTable({ ...makeEnclave([]), strings: (_s: string, _w: string, io: { value: string }) => void (io.value = `${io.value}!`) });
  const { u: u2 } = await setup();
  await rejectsWith(u2.strings(boundary({ u: u2, t, onOcall: () => {} } as never, grow), 'a', 'b', 'ß'), BAD, /ecall strings result: io: expected a string of at most 2 UTF-8 bytes/);
  assert.equal(typeof ecalls.strings, 'function');
});

test('roundtrip: [out] and [in, out] values: refs for single values, zeroed arrays, results beside retval', async () => {
  const { u, enclave } = await setup();
  const r = await u.outs(enclave, { x: 1, y: 2 });
  assert.deepEqual(r, { total: 1n << 40n, pts: [{ x: 0, y: 0 }, { x: 0, y: 0 }, { x: 0, y: 9 }], p: { x: 2, y: 2 }, c: 'GREEN' });
  const s = await u.shape(enclave, new Uint8Array(7), 3, new Float64Array([1, 2, 3]));
  assert.deepEqual(s, { d: new Float64Array([3, 2, 1]) });
  await rejectsWith(u.shape(enclave, new Uint8Array(6), 3, new Float64Array([1, 2, 3])), BAD, /ecall shape: b: expected a Uint8Array of 7 bytes/);
  await rejectsWith(u.shape(enclave, new Uint8Array(7), 3, new Float64Array(256)), BAD, /ecall shape: k: expected a uint8 \(0\.\.255\), got 256/);
});

test('roundtrip: user_check pointers cross as opaque handles only', async () => {
  const { u, enclave, calls } = await setup();
  await u.echo_handle(enclave, 0xdeadbeefn);
  assert.equal(calls.pop(), `handle ${0xdeadbeefn}`);
  await rejectsWith(u.echo_handle(enclave, -1n), BAD, /expected an opaque handle/);
});

test('roundtrip: the receiving side refuses malformed wire calls before user code runs', async () => {
  const { ecalls, calls } = await setup();
  await rejectsWith(ecalls.get_string(), BAD, /ecall get_string: expected 1 argument, got 0/);
  await rejectsWith(ecalls.get_string(new Uint8Array(32)), BAD, /ecall get_string: buf: expected null \(an \[out\] parameter carries nothing in\)/);
  await rejectsWith(ecalls.get_random(null, 2 ** 40), BAD, /ecall get_random: buf_len: expected an int32/);
  await rejectsWith(ecalls.get_random(null, 2 ** 30), BAD, /ecall get_random: size of buf: expected a size from 0 to 67108864/);
  await rejectsWith(ecalls.sum(new Uint8Array(8), 3n), BAD, /ecall sum: v: expected Int32Array of 3 elements \(12 bytes\)/);
  await rejectsWith(ecalls.sum(new Uint8Array(8), 2n ** 61n), BAD, /ecall sum: size of v/);
  await rejectsWith(ecalls.shape(new Uint8Array(7), 3, new Uint8Array(0), 0, 'extra'), BAD, /expected 4 arguments, got 5/);
  assert.deepEqual(calls, []);
});

test('roundtrip: bad values from the enclave never reach host code', async () => {
  const { u, t } = await setup();
  const evil = (patch: Record<string, unknown>) => t.createEcallTable({ ...makeEnclave([]), ...patch });
  const via = (table: unknown) => boundary({ u, t, onOcall: () => {} } as never, table as never);
  await rejectsWith(u.get_string(via(evil({ get_string: () => 'zero' }))), BAD, /ecall get_string result: retval: expected an int32 \(.*\), got "zero"/);
  await rejectsWith(u.sum(via(evil({ sum: () => 1 })), new Int32Array(1)), BAD, /ecall sum result: expected a uint64 as a bigint, got 1/);
  await rejectsWith(u.outs(via(evil({ outs: (_t: unknown, pts: unknown[]) => void pts.pop() })), { x: 0, y: 0 }), BAD, /ecall outs result: total: expected a uint64|ecall outs result: pts: expected an array of 3/);
  await rejectsWith(u.outs(via(evil({ outs: (tot: { value: unknown }, _p: unknown, _q: unknown, c: { value: string }) => { tot.value = 1n; c.value = 'PINK'; } })), { x: 0, y: 0 }), BAD, /ecall outs result: c: expected one of RED, GREEN, BLUE/);
  // the generated table never sends a void function's return value; a forged reply is refused
  await rejectsWith(u.greet(via({ greet: async () => 5 })), BAD, /ecall greet result: expected nothing \(the function returns void\), got 5/);
  // an enclave without the function (image built from another EDL)
  await rejectsWith(u.greet({ ecall: {} }), 'CC_ERROR_ECALL_NOT_FOUND', /ecall "greet" is not available/);
});

test('roundtrip: ocalls: the host checks arguments, the enclave checks results; propagate_errno', async () => {
  const { t, ocalls, onOcall } = await setup();
  assert.equal(await t.host_add(2, 3), 5);
  const fill = await t.host_fill('abc');
  assert.deepEqual([...fill.buf], [97, 98, 99, 0, 0, 0, 0, 0]);
  assert.deepEqual(await t.host_errno(), { retval: -1, errno: 2 });
  await rejectsWith(ocalls.host_add(1, 'x'), BAD, /ocall host_add: b: expected an int32/);
  await rejectsWith(ocalls.host_fill(new Uint8Array(8), 'x'), BAD, /ocall host_fill: buf: expected null/);
  onOcall(async () => 'lies');
  await rejectsWith(t.host_add(1, 2), BAD, /ocall host_add result: expected an int32 \(.*\), got "lies"/);
  onOcall(async () => ({ buf: new Uint8Array(7) }));
  await rejectsWith(t.host_fill('x'), BAD, /ocall host_fill result: buf: expected a Uint8Array of 8 bytes/);
  onOcall(async () => ({ retval: 0, errno: 1.5 }));
  await rejectsWith(t.host_errno(), BAD, /ocall host_errno result: errno: expected an int32/);
});

test('roundtrip: tables refuse implementations that miss a function', async () => {
  const { t, u } = await setup();
  assert.throws(() => t.createEcallTable({ get_string: () => 0 }), { code: BAD, message: /createEcallTable: the implementation has no function "get_random"/ });
  assert.throws(() => u.createOcallTable({ host_add: () => 0 }), { code: BAD, message: /createOcallTable: the implementation has no function "host_fill"/ });
});

test('roundtrip: a class instance works as the implementation (methods keep this)', async () => {
  const loaded = await loadGenerated('enclave { trusted { public int next(void); }; };');
  class Counter {
    n = 0;
    next() {
      return ++this.n;
    }
  }
  const enclave = boundary(loaded, loaded.t.createEcallTable(new Counter()));
  assert.equal(await loaded.u.next(enclave), 1);
  assert.equal(await loaded.u.next(enclave), 2);
});

test('roundtrip: maxBufferBytes bounds every size', async () => {
  const loaded = await loadGenerated('enclave { trusted { public void f([out, size=n] char *b, size_t n); }; };', { maxBufferBytes: 1024 });
  const ecalls = loaded.t.createEcallTable({ f: () => undefined });
  const enclave = boundary(loaded, ecalls);
  assert.equal((await loaded.u.f(enclave, 1024n)).b.length, 1024);
  await rejectsWith(loaded.u.f(enclave, 1025n), BAD, /size of b: expected a size from 0 to 1024 bytes/);
  await rejectsWith(ecalls.f(null, 1025n), BAD, /size of b/);
  await assert.rejects(loadGenerated('enclave {\n  trusted { public void f([out, size=2048] char *b); };\n};', { maxBufferBytes: 1024 }), /test\.edl:2:50: error: 'f': 'b': constant size 2048 is outside 0\.\.1024 \(maxBufferBytes\)/);
});

test('roundtrip: recursive structs are deep copied; cyclic or too deep data is refused', async () => {
  const loaded = await loadGenerated('enclave { struct Node { uint32_t count; [count=count] struct Node *children; int64_t value; }; trusted { public int64_t total([in] struct Node *n); }; };');
  type Node = { count: number; children: Node[]; value: bigint };
  const sum = (n: Node): bigint => n.value + n.children.reduce((a, c) => a + sum(c), 0n);
  const ecalls = loaded.t.createEcallTable({ total: sum });
  const enclave = boundary(loaded, ecalls);
  const leaf = (value: bigint): Node => ({ count: 0, children: [], value });
  assert.equal(await loaded.u.total(enclave, { count: 2, children: [leaf(1n), { count: 1, children: [leaf(2n)], value: 3n }], value: 4n }), 10n);
  await rejectsWith(loaded.u.total(enclave, { count: 2, children: [leaf(1n)], value: 0n }), BAD, /ecall total: n\.children: expected an array of 2/);
  const cyclic: Node = { count: 1, children: [], value: 0n };
  cyclic.children.push(cyclic);
  await rejectsWith(ecalls.total(cyclic), BAD, /ecall total: n(\.children\[0\])+: expected data nested at most 64 levels deep/);
  let chain = leaf(1n);
  for (let i = 0; i < 70; i++) chain = { count: 1, children: [chain], value: 1n };
  await rejectsWith(loaded.u.total(enclave, chain), BAD, /nested at most 64 levels deep/);
});

test('roundtrip: the standard library\'s ocalls have working host implementations, overridable', async () => {
  const { mkdtempSync, readFileSync, existsSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const loaded = await loadGenerated('enclave { from "secgear_tstdc.edl" import *; from "secgear_tprotected_fs.edl" import *; trusted { public void f(); }; };');
  const dir = mkdtempSync(join(tmpdir(), 'secgear-pfs-'));
  const printed: string[] = [];
  boundary(loaded, {}, loaded.u.createOcallTable({}, { protectedFsDir: dir }));
  const { t } = loaded;
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string) => (printed.push(String(chunk)), true)) as typeof process.stdout.write;
  try {
    await t.sg_ocall_print_string('from the enclave');
  } finally {
    process.stdout.write = write;
  }
  assert.deepEqual(printed, ['from the enclave\n']);
  const now = await t.sg_ocall_time_ms();
  assert.ok(typeof now === 'bigint' && Math.abs(Number(now) - Date.now()) < 5000);
  const t0 = Date.now();
  await t.sg_ocall_sleep_ms(20);
  assert.ok(Date.now() - t0 >= 15);

  const data = new Uint8Array([1, 2, 3, 4, 5]);
  assert.equal(await t.sg_ocall_pfs_write('vault/key.sealed', data), 0);
  assert.deepEqual(readFileSync(join(dir, 'vault', 'key.sealed')), Buffer.from(data));
  const size = await t.sg_ocall_pfs_size('vault/key.sealed');
  assert.deepEqual(size, { retval: 0, size: 5n });
  const read = await t.sg_ocall_pfs_read('vault/key.sealed', 5n);
  assert.deepEqual([read.retval, [...read.buf]], [0, [1, 2, 3, 4, 5]]);
  assert.equal((await t.sg_ocall_pfs_read('vault/key.sealed', 4n)).retval, 22, 'EINVAL: the size changed');
  assert.equal((await t.sg_ocall_pfs_size('nope')).retval, 2, 'ENOENT');
  for (const bad of ['../escape', '/etc/passwd', 'a/../../b', 'a//b', '']) assert.equal(await t.sg_ocall_pfs_write(bad, data), 22, bad);
  assert.equal(await t.sg_ocall_pfs_remove('vault/key.sealed'), 0);
  assert.ok(!existsSync(join(dir, 'vault', 'key.sealed')));

  // an application's own implementation wins
  boundary(loaded, {}, loaded.u.createOcallTable({ sg_ocall_time_ms: () => 42n }));
  assert.equal(await t.sg_ocall_time_ms(), 42n);
});

test('roundtrip: per-call options go to Enclave.call; without a call method they are refused', async () => {
  const loaded = await loadGenerated('enclave { trusted { public int add(int a, int b); }; };');
  const table = loaded.t.createEcallTable({ add: (a: number, b: number) => a + b });
  const seen: unknown[] = [];
  const enclave = {
    ...boundary(loaded, table),
    call: async (name: string, args: unknown[], options: unknown) => {
      seen.push([name, options]);
      return structuredClone(await table[name](...structuredClone(args)));
    },
  };
  const signal = new AbortController().signal;
  assert.equal(await loaded.u.add(enclave, 2, 3), 5);
  assert.equal(await loaded.u.add(enclave, 2, 3, { timeoutMs: 50, signal }), 5);
  assert.deepEqual(seen, [['add', { timeoutMs: 50, signal }]]);
  await rejectsWith(loaded.u.add(boundary(loaded, table), 1, 1, { timeoutMs: 1 }), 'CC_ERROR_NOT_SUPPORTED', /takes no per-call options/);
});
