/** Hostile shapes of input end in a diagnostic (or work), never in a stack overflow. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generate } from '../../src/edl/index.js';
import { assertError, parse, parseErrors } from './support.js';

test('limits: long chains of structs (by value and through pointers) parse and generate without recursion', () => {
  const byValue = (n: number) => `enclave { ${Array.from({ length: n }, (_, i) => `struct S${i} { ${i ? `struct S${i - 1} a;` : 'int a;'} };`).join(' ')} trusted { public void f([in] struct S${n - 1} *p, [out] struct S${n - 1} *q); }; };`;
  const byPointer = (n: number) => `enclave { ${Array.from({ length: n }, (_, i) => `struct S${i} { size_t n; ${i ? `[count=n] struct S${i - 1} *a;` : 'int32_t a[3];'} };`).join(' ')} trusted { public void f([in] struct S${n - 1} *p); }; };`;
  for (const src of [byValue(3000), byPointer(3000)]) {
    const files = generate(parse(src)).files;
    assert.equal(files.length, 2);
    assert.match(files[1].contents, /function \$s_S0\(/);
  }
  // structs used before their definition through pointers (any order) are fine too
  const reversed = `enclave { ${Array.from({ length: 500 }, (_, i) => `struct S${i} { size_t n; [count=n] struct S${i + 1} *a; };`).join(' ')} struct S500 { int x; }; trusted { public void f([in] struct S0 *p); }; };`;
  assert.equal(generate(parse(reversed)).files.length, 2);
  // by value, a definition order C would refuse, nested beyond the limit: a diagnostic
  const deepReversed = `enclave { ${Array.from({ length: 300 }, (_, i) => `struct S${i} { struct S${i + 1} a; };`).join(' ')} struct S300 { int x; }; trusted { public void f([in] struct S0 *p); }; };`;
  assertError(parseErrors(deepReversed), /structs nested more than 128 deep/);
});

test('limits: size expressions, #if expressions and macro chains are bounded', () => {
  const nested = `enclave { trusted { public void f([in, size=${'('.repeat(50_000)}1${')'.repeat(50_000)}] char *p); }; };`;
  assertError(parseErrors(nested), /size expression too long or nested too deeply/);
  assertError(parseErrors(`enclave { trusted { public void f([in, size=${'1+'.repeat(50_000)}1] char *p); }; };`), /size expression too long/);
  assertError(parseErrors(`enclave { trusted { public void f([in, size=${'-'.repeat(50_000)}1] char *p); }; };`), /size expression too long/);
  assertError(parseErrors(`#if ${'('.repeat(50_000)}1${')'.repeat(50_000)}\n#endif\nenclave {};`), /#if expression: nested too deeply/);
  assertError(parseErrors(`#if ${'!'.repeat(50_000)}1\n#endif\nenclave {};`), /nested too deeply/);
  assertError(parseErrors(`#if ${'1?'.repeat(20_000)}1${':1'.repeat(20_000)}\n#endif\nenclave {};`), /nested too deeply/);
  const chain = `${Array.from({ length: 5000 }, (_, i) => `#define M${i} M${i + 1}`).join('\n')}\n#define M5000 4\nenclave { trusted { public void f([in, size=M0] char *p); }; };`;
  assertError(parseErrors(chain), /macro expansion of "M\d+" nests more than 256 deep/);
  // a realistic expression is fine
  const ok = parse('enclave { trusted { public void f([in, size=((n + 1) * 2 - 1) / 1 % 4096 + sizeof(int) * 0] char *p, size_t n); }; };');
  assert.equal(ok.model.ecalls.length, 1);
});
