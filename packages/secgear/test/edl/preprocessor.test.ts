import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertError, enclave, memFs, parse, parseErrors } from './support.js';

const bufSize = (src: string, options = {}) => {
  const e = parse(src, options).model.ecalls.find((f) => f.name === 'f')!;
  const p = e.params[0];
  assert.equal(p.kind, 'buffer');
  return p.kind === 'buffer' ? p.size : undefined;
};

test('preprocessor: object-like macros expand in attribute values and array sizes', () => {
  const src = `#define LEN 32
#define TWICE (LEN * 2)
enclave { struct S { uint8_t b[LEN]; }; trusted { public void f([out, size=TWICE] char *buf, [in] struct S *s); }; };`;
  assert.deepEqual(bufSize(src), { kind: 'num', value: 64n });
  const s = parse(src).model.types[0];
  assert.equal(s.kind === 'struct' && s.size, 32);
});

test('preprocessor: #if/#ifdef/#ifndef/#elif/#else select declarations; -D defines', () => {
  const src = `
#ifdef BIG
#  define N 4096
#elif defined(MEDIUM) && MEDIUM > 1
#  define N 512
#else
#  define N 16
#endif
#ifndef N
#error N must be defined
#endif
#if 0
this is not EDL and is skipped
#endif
enclave { trusted { public void f([out, size=N] char *buf); }; };`;
  assert.deepEqual(bufSize(src), { kind: 'num', value: 16n });
  assert.deepEqual(bufSize(src, { defines: { BIG: true } }), { kind: 'num', value: 4096n });
  assert.deepEqual(bufSize(src, { defines: { MEDIUM: 2 } }), { kind: 'num', value: 512n });
  assert.deepEqual(bufSize(src, { defines: { MEDIUM: 1 } }), { kind: 'num', value: 16n });
});

test('preprocessor: #if arithmetic, nesting, #undef, #pragma, null directive', () => {
  const src = `
#define A 3
#if (A << 2) == 12 && !(A % 2 == 0) && (A > 2 ? 1 : 0) && ~0 == -1
#  if A - 3
#    define N 1
#  else
#    define N 7
#  endif
#endif
#undef A
#ifdef A
#  define N 99
#endif
#pragma once
#
enclave { trusted { public void f([out, size=N] char *buf); }; };`;
  assert.deepEqual(bufSize(src), { kind: 'num', value: 7n });
});

test('preprocessor: #include pulls in macros and EDL text from the search path', () => {
  const files = {
    '/inc/sizes.h': '#ifndef SIZES_H\n#define SIZES_H\n#define KEY_LEN 16\n#endif\n',
    '/edl/part.edl': 'struct K { uint8_t k[KEY_LEN]; };\n',
  };
  const src = `#include "sizes.h"
#include "sizes.h"
enclave {
#include "part.edl"
  trusted { public void f([in, size=KEY_LEN] uint8_t *key, [in] struct K *k); };
};`;
  const parsed = parse(src, { fs: memFs(files), searchPath: ['/inc'] });
  assert.deepEqual(bufSize(src, { fs: memFs(files), searchPath: ['/inc'] }), { kind: 'num', value: 16n });
  assert.equal(parsed.model.types[0].name, 'K');
  // secgear_urts.h is built in
  parse(`#include "secgear_urts.h"\n${enclave('')}`);
});

test('preprocessor: #line and gcc line markers move diagnostics to the original file', () => {
  const d = parseErrors(`# 40 "original.edl"\nenclave {\n  trusted { public void f([in] void *p); };\n};`);
  assertError(d, /void pointer 'p'/, 41);
  assert.equal(d[0].loc.file, 'original.edl');
  const e = parseErrors(`#line 100\nenclave { trusted { public void f([in] void *p); }; };`);
  assertError(e, /void pointer/, 100);
});

test('preprocessor: errors', () => {
  const cases: [string, RegExp, number][] = [
    ['#if 1\nenclave {};', /unterminated #if/, 1],
    ['#endif\n', /#endif without #if/, 1],
    ['#else\n', /#else without #if/, 1],
    ['#if 1\n#else\n#else\n#endif', /#else after #else/, 3],
    ['#error stop here', /#error stop here/, 1],
    ['#frobnicate', /unknown preprocessor directive "#frobnicate"/, 1],
    ['#if 1 +\n#endif', /invalid #if expression/, 1],
    ['#if 1 / 0\n#endif', /division by zero/, 1],
    ['#include "missing.h"', /cannot find #include file "missing.h"/, 1],
    ['#define\n', /#define needs a macro name/, 1],
    ['#define F(x) x\nenclave { trusted { public void f([out, size=F(2)] char *b); }; };', /function-like macro "F"/, 2],
    ['#define BAD @@\nenclave { trusted { public void f([out, size=BAD] char *b); }; };', /expands to "@@", which is not EDL/, 2],
    ['#define A B\n#define B A\nenclave { trusted { public void f([out, size=A] char *b); }; };', /parameter 'A' not found/, 3],
  ];
  for (const [src, message, line] of cases) assertError(parseErrors(src), message, line);
  const recursive = { '/edl/a.h': '#include "b.h"\n', '/edl/b.h': '#include "a.h"\n' };
  assertError(parseErrors('#include "a.h"\n', { fs: memFs(recursive) }), /recursive #include/);
});

test('preprocessor: a redefined macro is a warning, not an error', () => {
  const parsed = parse(`#define N 1\n#define N 2\nenclave { trusted { public void f([out, size=N] char *b); }; };`);
  assert.match(parsed.warnings[0].message, /macro "N" redefined/);
});
