import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tokenize } from '../../src/edl/lexer.js';
import { parseTokens } from '../../src/edl/parser.js';
import { SyntaxFailure } from '../../src/edl/diagnostics.js';
import { assertError, parse, parseErrors } from './support.js';

const ast = (src: string) => parseTokens(tokenize(src, 'a.edl'), 'a.edl');

test('parser: the whole grammar: includes, imports, types, trusted and untrusted blocks', () => {
  const file = ast(`enclave {
    include "a.h"
    include "b.h";
    from "lib.edl" import *;
    from "lib2.edl" import f1, f2;
    struct S { int a; [count=a] long long *p; unsigned char c[4][2]; };
    union U { float f; double d; };
    enum E { A, B = 5, C = A, D = -1, };
    enum { X = 0x10 };
    trusted {
        include "t.h"
        public int f(void);
        private_ecall_t g(const char *s, [in, out] struct S *s2) transition_using_threads;
        public unsigned long h(unsigned u, signed char c, short int si, long int li, long double ld, wchar_t w, size_t z);
    };
    untrusted {
        include "u.h"
        [cdecl, dllimport] void o1([in, string] const char *s) allow(f, g) propagate_errno transition_using_threads;
        void o2() transition_using_threads propagate_errno;
        int64_t o3(uint8_t a, uint16_t b, uint32_t c, uint64_t d, int8_t e, int16_t f2, int32_t g2) allow();
    };
};`);
  assert.deepEqual(file.includes.map((i) => [i.path, i.scope]), [['a.h', 'enclave'], ['b.h', 'enclave'], ['t.h', 'trusted'], ['u.h', 'untrusted']]);
  assert.deepEqual(file.imports.map((i) => [i.path, i.names === '*' ? '*' : i.names.map((n) => n.name)]), [['lib.edl', '*'], ['lib2.edl', ['f1', 'f2']]]);
  assert.deepEqual(file.types.map((t) => [t.kind, t.name]), [['struct', 'S'], ['union', 'U'], ['enum', 'E'], ['enum', '']]);
  const e = file.types[2];
  assert.ok(e.kind === 'enum');
  assert.deepEqual(e.items.map((i) => [i.name, i.value]), [['A', undefined], ['B', { kind: 'num', value: 5n }], ['C', { kind: 'name', name: 'A' }], ['D', { kind: 'num', value: -1n }]]);
  const s = file.types[0];
  assert.ok(s.kind === 'struct');
  assert.deepEqual(s.members[2].decl.dims, [4, 2]);
  assert.deepEqual(s.members[1].type.spec, { kind: 'builtin', name: 'long long' });
  assert.deepEqual(file.trusted.map((t) => [t.func.name, t.isPublic, t.switchless]), [['f', true, false], ['g', false, true], ['h', true, false]]);
  assert.deepEqual(file.trusted[2].func.params.map((p) => (p.type.spec as { name: string }).name), ['unsigned int', 'char', 'short', 'long', 'long double', 'wchar_t', 'size_t']);
  assert.equal(file.trusted[1].func.returnType.spec.kind, 'foreign');
  assert.equal(file.trusted[1].func.params[0].type.isConst, true);
  const [o1, o2, o3] = file.untrusted;
  assert.deepEqual([o1.allow.map((a) => a.name), o1.propagateErrno, o1.switchless, o1.attrs?.map((a) => a.key)], [['f', 'g'], true, true, ['cdecl', 'dllimport']]);
  assert.deepEqual([o2.propagateErrno, o2.switchless, o2.func.params.length], [true, true, 0]);
  assert.deepEqual([o3.allow, o3.func.params.length], [[], 7]);
});

test('parser: size and count take numbers, names and expressions with sizeof', () => {
  const file = ast('enclave { trusted { public void f([in, size=(n + 1) * sizeof(struct S) - 4 / 2 % 3, count=-x] char *p); }; };');
  const size = file.trusted[0].func.params[0].attrs![1].value!;
  assert.equal(size.kind, 'bin');
  assert.equal(file.trusted[0].func.params[0].attrs![2].value!.kind, 'neg');
});

test('parser: without an error sink the first syntax error is thrown, with line:col, what and how to fix', () => {
  const cases: [string, RegExp, number?, number?][] = [
    ['', /expected 'enclave'/, 1, 1],
    ['enclave { }', /expected ';' after the enclave block/, 1, 12],
    ['enclave { };\nfoo', /after the end of the enclave block/, 2, 1],
    ['enclave {\n  trusted { public void f(); }\n};', /expected ';' after the trusted block/, 3, 1],
    ['enclave { trusted { public void f() }; };', /expected ';' after the declaration of 'f'/, 1, 37],
    ['enclave { trusted { public void f([] int *p); }; };', /no attribute specified/, 1, 35],
    ['enclave { trusted { public void f([in int *p); }; };', /expected '\]' to close the attribute list/],
    ['enclave { trusted { public void f([in] int a[]); }; };', /flexible array/],
    ['enclave { trusted { public void f([in] int a[0]); }; };', /zero-length arrays/],
    ['enclave { trusted { public int[4] f(); }; };', /returning an array is not supported/],
    ['enclave { trusted { public int f[4](); }; };', /returning an array is not supported/],
    ['enclave { trusted { [cdecl] void f(); }; };', /trusted functions take no \[attributes\]/],
    ['enclave { trusted { public void f() allow(g); }; };', /allow\(\.\.\.\) applies to untrusted functions/],
    ['enclave { trusted { public void f() propagate_errno; }; };', /propagate_errno applies to untrusted/],
    ['enclave { untrusted { public void f(); }; };', /'public' applies to trusted functions/],
    ['enclave { trusted { public void f(int from); }; };', /'from' is an EDL keyword/],
    ['enclave { struct S { }; };', /struct 'S' has no members/],
    ['enclave { struct S { int a; } };', /expected ';' after the type definition/],
    ['enclave { trusted { public void f(const int x); }; };', /'const' applies only to pointer parameters/],
    ['enclave { trusted { public void f([in] int const *x); }; };', /'const' after the type is not EDL/],
    ['enclave { trusted { public void f(struct S { int a; } s); }; };', /definitions go at the enclave level/],
    ['enclave { import f; };', /an import needs a file/],
    ['enclave { from lib.edl import *; };', /expected a "file.edl" after 'from'/],
    ['enclave { from "lib.edl" *; };', /expected 'import'/],
    ['enclave { include a.h };', /expected a "file name" after 'include'/],
    ['enclave { enum E { A = }; };', /expected a number or a name as the value of 'A'/],
    ['enclave { trusted { public void f([in, size=] char *p); }; };', /expected a number, a parameter name/],
    ['enclave { trusted { public void f(', /expected a type, found end of file/],
    ['enclave { trusted {', /unexpected end of file inside the trusted block/],
    ['enclave { trusted { public void f([in, size=1] char *p, ); }; };', /expected a type, found '\)'/],
    ['enclave { foo; };', /unexpected identifier 'foo' in the enclave body/],
  ];
  for (const [src, message, line, col] of cases) {
    let caught: SyntaxFailure | null = null;
    try {
      ast(src);
    } catch (error) {
      if (!(error instanceof SyntaxFailure)) throw error;
      caught = error;
    }
    assert.ok(caught, `expected a syntax error for ${src}`);
    assert.match(caught.diagnostic.message, message, src);
    if (line !== undefined) assert.equal(caught.diagnostic.loc.line, line, src);
    if (col !== undefined) assert.equal(caught.diagnostic.loc.col, col, src);
  }
});

test('parser: errors reach parseEdl callers as CC_ERROR_EDL_SYNTAX with file:line:col', () => {
  assert.throws(
    () => parse('enclave {\n  trusted { public void f(int x) };\n};'),
    (e: Error & { code?: string }) => e.code === 'CC_ERROR_EDL_SYNTAX' && /^\/edl\/test\.edl:2:34: error: expected ';'/.test(e.message),
  );
  assertError(parseErrors('enclave { trusted { public void f(int x) }; };'), /expected ';'/, 1);
});
