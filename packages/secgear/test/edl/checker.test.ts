import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertError, enclave, parse, parseErrors } from './support.js';

/** A trusted block with one public ecall holding the given parameter list. */
const ecall = (params: string, extra = '') => `enclave {\n${extra}\n  trusted { public void f(${params}); };\n};`;
const ECALL_LINE = 3;

/** [name, EDL, message, line?] — every semantic check, each on its own. */
const CASES: [string, string, RegExp, number?][] = [
  // attributes (edger8r's get_ptr_attr / get_param_ptr_attr)
  ['unknown attribute', ecall('[in, sized=4] char *p'), /unknown attribute 'sized'/, ECALL_LINE],
  ['flag with a value', ecall('[in=1, size=4] char *p'), /attribute 'in' takes no value/],
  ['valued attribute without value', ecall('[in, size] char *p'), /attribute 'size' needs a value/],
  ['duplicated in', ecall('[in, in, size=4] char *p'), /duplicated attribute 'in'/],
  ['duplicated out after in,out', ecall('[in, out, out, size=4] char *p'), /duplicated attribute 'out'/],
  ['duplicated size', ecall('[in, size=4, size=8] char *p'), /duplicated attribute 'size'/],
  ['duplicated count', ecall('[in, count=4, count=8] int *p'), /duplicated attribute 'count'/],
  ['sizefunc with a number', ecall('[in, sizefunc=4] char *p'), /'sizefunc' needs a function name/],
  ['string and wstring', ecall('[in, string, wstring] char *p'), /'string' and 'wstring' are mutually exclusive/],
  ['size and sizefunc', ecall('[in, size=4, sizefunc=g] char *p'), /'size' and 'sizefunc' cannot be used together/],
  ['isary with size', ecall('[in, isary, size=4] arr_t a', ''), /size attributes cannot be used with a foreign array/],
  ['isary with string', ecall('[in, isary, string] arr_t a'), /'isary' cannot be used with 'string'/],
  ['isary with isptr', ecall('[in, isary, isptr] arr_t a'), /'isary' cannot be used with 'isptr'/],
  ['isary with direction and user_check', ecall('[in, isary, user_check] arr_t a'), /mutually exclusive/],
  ['isary without direction', ecall('[isary] arr_t a'), /an array must have a direction attribute or 'user_check'/],
  ['size with string', ecall('[in, string, size=4] char *p'), /size attributes are mutually exclusive with the \(w\)string/],
  ['size without direction', ecall('[size=4] char *p'), /size\/string attributes must be used with a pointer direction/],
  ['direction with user_check', ecall('[in, user_check] char *p'), /pointer direction and 'user_check' are mutually exclusive/],
  ['user_check with size', ecall('[user_check, size=4] char *p'), /'user_check' pointers are not copied/],
  ['pointer attributes without direction', ecall('[readonly] char *p'), /must have a direction attribute or 'user_check'/],
  ['out with string', ecall('[out, string] char *p'), /'string'\/'wstring' must be used with an 'in' attribute/],
  ['out with sizefunc', ecall('[out, sizefunc=g] char *p'), /'sizefunc' must be used with an 'in' attribute/],
  // parameter types (edger8r's param_type and check_ptr_attr)
  ['pointer without attributes', ecall('char *p'), /a pointer\/array parameter must have a direction attribute/, ECALL_LINE],
  ['array without attributes', ecall('int a[4]'), /a pointer\/array parameter must have a direction attribute/],
  ['void parameter', ecall('int a, void b'), /parameter 'b' of 'f' has type void/],
  ['isptr on a built-in type', ecall('[in, isptr, size=4] int *p'), /'isptr' is only for user-defined \(foreign\) types/],
  ['isary on a built-in type', ecall('[in, isary] int a'), /'isary' is only for user-defined \(foreign\) types/],
  ['readonly on a built-in type', ecall('[in, readonly, size=4] char *p'), /'readonly' is only for user-defined \(foreign\) types/],
  ['readonly without isptr', ecall('[in, readonly] arr_t *p', ''), /'readonly' is used only with the 'isptr' attribute/],
  ['foreign value with pointer attributes', ecall('[in] time_t t'), /'time_t' is considered a plain type but decorated with pointer attributes/],
  ['built-in value with pointer attributes', ecall('[in] int x'), /unexpected pointer attributes for 'int'/],
  ['void pointer without size', ecall('[in] void *p'), /void pointer 'p' - buffer size unknown/],
  ['void pointer with count only', ecall('[in, count=4] void *p'), /void pointer 'p' - buffer size unknown/],
  ['pointer array', ecall('[in] int *a[4]'), /pointer arrays are not allowed/],
  ['const pointer with out', ecall('[out, size=4] const char *p'), /'p' is readonly - cannot be used with 'out'/],
  ['string on a non-char pointer', ecall('[in, string] int *p'), /invalid 'string' attribute - 'p' is not a char pointer/],
  ['string on char**', ecall('[in, string] char **p'), /invalid 'string' attribute/],
  ['wstring on a non-wchar_t pointer', ecall('[in, wstring] char *p'), /invalid 'wstring' attribute - 'p' is not a wchar_t pointer/],
  ['size on a declared array', ecall('[in, size=16] int a[4]'), /invalid 'size' attribute - 'a' is an explicitly declared array/],
  ['count on a declared array', ecall('[in, count=4] int a[4]'), /invalid 'count' attribute/],
  ['isptr foreign pointer without size', ecall('[in, isptr] handle_t h', ''), /a foreign pointer type \(isptr\) needs size=/],
  ['isary on a type that is not an array', ecall('[in, isary] time_t t'), /is not mapped to an array type/],
  ['size names no parameter', ecall('[out, size=len] char *p'), /'f': parameter 'len' not found/, ECALL_LINE],
  ['size names a double', ecall('[out, size=len] char *p, double len'), /must have an integer type; it is 'double'/],
  ['size names a pointer', ecall('[out, size=q] char *p, [in, size=4] char *q'), /must be an integer passed by value/],
  ['size names an enum', ecall('[out, size=e] char *p, enum E e', 'enum E { A };'), /must have an integer type/],
  ['negative constant size', ecall('[out, size=-4] char *p'), /size is negative/],
  ['size not a whole number of elements', ecall('[in, size=6] int32_t *p'), /6 bytes is not a whole number of elements of 4 bytes/],
  ['division by zero in a size', ecall('[in, size=8/0] char *p'), /division by zero in a size expression/],
  ['sizeof(void)', ecall('[in, size=sizeof(void)] char *p'), /sizeof\(void\) is not defined/],
  ['duplicated parameter names', ecall('int a, int a'), /duplicated parameter name 'a'/],
  ['__proto__ as a name', ecall('int __proto__'), /'__proto__' cannot be used as a name/],
  ['retval parameter beside a return value', 'enclave { trusted { public int f(int retval); }; };', /a parameter named 'retval' clashes/],
  ['errno parameter with propagate_errno', enclave('untrusted { void o(int errno) propagate_errno; };'), /a parameter named 'errno' clashes/],
  // deep copy (edger8r's check_structure)
  ['deep-copy struct by value', ecall('struct D d', 'struct D { size_t n; [count=n] int *v; };'), /specifies a deep copy; it must be passed by pointer/],
  ['deep-copy struct with out', ecall('[out] struct D *d', 'struct D { size_t n; [count=n] int *v; };'), /specifies a deep copy and cannot be used with an 'out' attribute/],
  ['deep-copy struct returned by value', 'enclave { struct D { size_t n; [count=n] int *v; }; trusted { public struct D f(void); }; };', /'f' returns the structure 'D', which specifies a deep copy/],
  // struct and union members (smember_type, get_member_ptr_attr)
  ['direction on a member', enclave('struct S { size_t n; [in, count=n] int *v; };'), /direction attributes are not allowed on structure members/],
  ['isptr on a member', enclave('struct S { size_t n; [isptr, count=n] int *v; };'), /'isptr' is not allowed on structure members/],
  ['isary on a member', enclave('struct S { size_t n; [isary, count=n] int *v; };'), /'isary' is not allowed on structure members/],
  ['readonly on a member', enclave('struct S { size_t n; [readonly, count=n] int *v; };'), /'readonly' is not allowed on structure members/],
  ['string on a member', enclave('struct S { [string] char *s; };'), /'string' is not allowed on structure members/],
  ['wstring on a member', enclave('struct S { [wstring] wchar_t *s; };'), /'wstring' is not allowed on structure members/],
  ['sizefunc on a member', enclave('struct S { [sizefunc=g] char *s; };'), /'sizefunc' is not allowed on structure members/],
  ['member attributes without size/count', enclave('struct S { [user_check] char *s; };'), /size\/count attributes must be used on a structure member's pointer/],
  ['member attributes on a declared array', enclave('struct S { size_t n; [count=n] int a[4]; };'), /size\/count cannot be used on an explicitly declared array/],
  ['member attributes on a value', enclave('struct S { size_t n; [count=n] int a; };'), /unexpected pointer attributes for 'int'/],
  ['member void pointer without size', enclave('struct S { size_t n; [count=n] void *p; };'), /void pointer - buffer size unknown/],
  ['void member', enclave('struct S { void v; };'), /member 'S.v' has type void/],
  ['member size names no member', enclave('struct S { [count=n] int *v; };'), /'n' is not a member of struct 'S'/],
  ['member size names a pointer member', enclave('struct S { size_t n; [count=n] int *v; [count=v] int *w; };'), /must be an integer passed by value/],
  ['duplicated member', enclave('struct S { int a; int a; };'), /duplicated member name 'a'/],
  ['attributes on a union member', enclave('union U { [count=4] int *p; };'), /attributes are not allowed on union members/],
  // types
  ['duplicated struct', enclave('struct S { int a; };\nstruct S { int b; };'), /duplicated structure definition 'S'/, 3],
  ['struct and enum share a name', enclave('struct S { int a; };\nenum S { A };'), /duplicated enum definition 'S'/],
  ['duplicated enumerator', enclave('enum E { A, B };\nenum F { B };'), /duplicated enumerator 'B'/],
  ['undefined struct', ecall('[in] struct Nope *p'), /struct 'Nope' is not defined in the EDL/],
  ['undefined enum', ecall('enum Nope e'), /enum 'Nope' is not defined in the EDL/],
  ['union written as struct', ecall('struct U u', 'union U { int a; };'), /'U' is a union, not a struct/],
  ['unknown foreign type', ecall('my_handle_t h'), /unknown foreign type 'my_handle_t'/],
  ['struct used without the struct keyword', ecall('S s', 'struct S { int a; };'), /'S' names a struct; write 'struct S'/],
  ['struct containing itself', enclave('struct S { int a; struct S inner; };'), /'S' contains itself by value/],
  // functions and the enclave as a whole (edger8r's CodeGen checks)
  ['duplicated function', 'enclave { trusted { public void f(); }; untrusted { void f(); }; };', /multiple definition of function 'f'/],
  ['reserved runtime prefix', 'enclave { trusted { public void __secgear_x(); }; };', /reserved for the runtime/],
  ['two calling conventions', enclave('untrusted { [cdecl, stdcall] void o(); };'), /unexpected 'stdcall', conflicts with 'cdecl'/],
  ['dllimport twice', enclave('untrusted { [dllimport, dllimport] void o(); };'), /duplicated attribute 'dllimport'/],
  ['unknown function attribute', enclave('untrusted { [inline] void o(); };'), /invalid function attribute 'inline'/],
  ['function attribute with a value', enclave('untrusted { [cdecl=1] void o(); };'), /function attribute 'cdecl' takes no value/],
  ['allow names an unknown function', enclave('untrusted { void o() allow(nope); };'), /'o' declared to allow unknown function 'nope'/],
  ['allow names an ocall', enclave('untrusted { void o() allow(o2); void o2(); };'), /declared to allow unknown function 'o2'/],
  ['no public ecall', 'enclave { trusted { int f(); }; untrusted { void o() allow(f); }; };', /contains no public root ECALL/],
  ['no ecall at all', 'enclave { untrusted { void o(); }; };', /contains no public root ECALL/],
  ['private ecall nobody allows', 'enclave { trusted { public void f(); int g(); }; };', /private ECALL 'g' is not allowed by any OCALL/],
];

test('checker: every semantic check reports file:line:col, what is wrong and how to fix it', () => {
  for (const [name, src, message, line] of CASES) {
    const d = assertError(parseErrors(src), message, line);
    assert.equal(d.loc.file, '/edl/test.edl', name);
    assert.ok(d.loc.line >= 1 && d.loc.col >= 1, name);
    assert.equal(d.kind, 'semantic', `${name}: ${d.message}`);
  }
});

test('checker: one run reports every error, not just the first', () => {
  const d = parseErrors(ecall('[in] void *p, [out, string] char *s, double d, [in, size=d] char *b'));
  assert.ok(d.filter((x) => x.severity === 'error').length >= 3, d.map((x) => x.message).join('\n'));
});

test('checker: errors carry the stable codes CC_ERROR_EDL_SEMANTIC and CC_ERROR_EDL_IMPORT', () => {
  assert.throws(() => parse(ecall('[in] void *p')), { code: 'CC_ERROR_EDL_SEMANTIC' });
  assert.throws(() => parse('enclave { from "nope.edl" import *; trusted { public void f(); }; };'), { code: 'CC_ERROR_EDL_IMPORT' });
});

test('checker: warnings for what TypeScript cannot carry exactly', () => {
  const warnings = (src: string) => parse(src).warnings.map((w) => w.message).join('\n');
  assert.match(warnings(ecall('[user_check] void *p')), /user_check pointer 'p' cannot cross a JavaScript boundary; it is passed as an opaque handle/);
  assert.match(warnings('enclave { trusted { public char *f(); }; };'), /returns a pointer/);
  assert.match(warnings(ecall('[in, count=2] char **pp')), /a pointer to pointers copies pointer values/);
  assert.match(warnings(ecall('long double x')), /'long double' is carried as a 64-bit number/);
  assert.match(warnings(ecall('[in] const char *c')), /copies exactly one char/);
  const outChar = parse(ecall('[out] char *buf')).warnings.find((w) => /copies exactly one char/.test(w.message));
  assert.match(outChar?.hint ?? '', /\[out, size=n\]/, 'an [out] char buffer without size is flagged too (helloworld without size=32)');
  assert.match(warnings(ecall('[in, sizefunc=get_size] char *c')), /sizefunc=get_size is not called in TypeScript/);
  assert.match(warnings(enclave('struct S { char *p; };')), /pointer without size\/count: it is not deep-copied/);
  assert.match(warnings(enclave('untrusted { void o() allow(ping, ping); };')), /'ping' is listed twice in allow/);
});

test('checker: accepted constructs resolve to the model', () => {
  const { model } = parse(`enclave {
    struct P { int16_t x; double y; };
    struct D { size_t n; [count=n] struct P *pts; [size=n] uint8_t *raw; char tag[3]; };
    union U { int32_t i; P_alias_t a; };
    enum E { A = 2, B };
    enum { K = 8 };
    trusted {
      public void f([in, count=K] int32_t *a, [in, size=sizeof(struct P) * 2] struct P *two, [in] struct D *d, union U u, enum E e,
                    [in, isary] key_t k, [in, isptr, size=16] handle_t h, bool flag, [in, out, count=n * 2 + 1] double *vs, size_t n);
    };
  };`, { foreignTypes: { P_alias_t: 'uint64_t', key_t: 'uint8_t[16]', handle_t: 'handle' } });
  const [p, d, u] = model.types;
  assert.deepEqual([p.kind === 'struct' && p.size, p.kind === 'struct' && p.align], [16, 8]);
  assert.deepEqual([d.kind === 'struct' && d.deepCopy, d.kind === 'struct' && d.size], [true, 32]);
  assert.equal(u.kind === 'union' && u.size, 8);
  assert.deepEqual(model.constants, [{ name: 'K', value: 8n }]);
  const params = model.ecalls[0].params;
  const shape = (i: number) => params[i] as Extract<(typeof params)[number], { kind: 'buffer' }>;
  assert.deepEqual(shape(0).count, { kind: 'num', value: 8n });
  assert.deepEqual([shape(1).size, shape(1).elemSize], [{ kind: 'num', value: 32n }, 16]);
  assert.equal(shape(2).single, true);
  assert.deepEqual(params[5].kind === 'buffer' && [params[5].count, params[5].elem], [{ kind: 'num', value: 16n }, { kind: 'int', bits: 8, signed: false, c: 'uint8_t' }]);
  assert.deepEqual(params[7], { kind: 'value', name: 'flag', type: { kind: 'bool', c: 'bool' }, loc: params[7].loc });
  assert.equal(shape(8).count?.kind, 'bin');
});
