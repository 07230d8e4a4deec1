// The freeze `ses` gets in enclave isolates (spec-freeze.ts): the same end state as the native
// Object.freeze by the spec's definition, reached in the spec's order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';

const native = Object.freeze;
const { restoreNativeFreeze, lockdownFreeze, setIntegrityLevelFrozen } = await import('../../src/backends/confinement/spec-freeze.js');
const swapped = Object.freeze;
restoreNativeFreeze();
const freezeBySpec = <T>(value: T): T => {
  if ((typeof value === 'object' || typeof value === 'function') && value !== null) setIntegrityLevelFrozen(value);
  return value;
};

test('importing it swaps Object.freeze until restored; the swapped one has no prototype, like the native', () => {
  assert.equal(swapped, lockdownFreeze);
  assert.equal(Object.freeze, native);
  assert.equal(Object.hasOwn(lockdownFreeze, 'prototype'), false);
});

test('lockdown freeze: other objects natively, primitives passed through', () => {
  const probe = { a: 1 };
  assert.equal(lockdownFreeze(probe), probe);
  assert.ok(Object.isFrozen(probe));
  assert.equal(lockdownFreeze(7), 7);
});

test('the end state equals the native freeze for plain objects, arrays, functions and accessors (property)', () => {
  fc.assert(
    fc.property(fc.anything({ maxDepth: 2, withObjectString: true }), (value) => {
      const make = () => (typeof value === 'object' && value !== null ? structuredClone(value) : value);
      let a: unknown;
      let b: unknown;
      try {
        a = make();
        b = make();
      } catch {
        return; // not cloneable: nothing to compare
      }
      assert.equal(freezeBySpec(a), a);
      native(b);
      if (typeof a === 'object' && a !== null) {
        assert.ok(Object.isFrozen(a));
        assert.deepEqual(Object.getOwnPropertyDescriptors(a), Object.getOwnPropertyDescriptors(b));
      }
    }),
    { numRuns: 200 },
  );
  const withAccessor = Object.defineProperty(function f() {}, 'x', { get: () => 1, configurable: true });
  freezeBySpec(withAccessor);
  assert.ok(Object.isFrozen(withAccessor));
  assert.equal(Object.getOwnPropertyDescriptor(withAccessor, 'x')?.configurable, false);
});

test('like the native freeze, a typed array with elements cannot be frozen, an empty one can', () => {
  assert.throws(() => freezeBySpec(new Uint8Array(2)), TypeError);
  assert.throws(() => native(new Uint8Array(2)), TypeError);
  assert.ok(Object.isFrozen(freezeBySpec(new Uint8Array(0))));
});

test('a proxy sees the spec order: preventExtensions before any defineProperty; a refusing proxy throws', () => {
  const calls: string[] = [];
  const target = { a: 1 };
  const proxy = new Proxy(target, {
    preventExtensions: (t) => (calls.push('preventExtensions'), Reflect.preventExtensions(t)),
    defineProperty: (t, k, d) => (calls.push(`define ${String(k)}`), Reflect.defineProperty(t, k, d)),
  });
  freezeBySpec(proxy);
  assert.deepEqual(calls, ['preventExtensions', 'define a']);
  assert.ok(Object.isFrozen(target));
  assert.throws(() => freezeBySpec(new Proxy({}, { preventExtensions: () => false })), TypeError);
  assert.throws(() => freezeBySpec(new Proxy({ b: 1 }, { defineProperty: () => false })), TypeError);
});

test('primitives pass through', () => {
  for (const v of [1, 'x', null, undefined, 1n, true, Symbol('s')]) assert.equal(freezeBySpec(v), v);
});
