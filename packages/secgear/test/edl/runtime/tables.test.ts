import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SecGearError } from '../../../src/common/errors.js';
import { $call, $fn, $implements, $withDefaults } from '../../../src/edl/runtime/index.js';

function code(f: () => unknown, expected: string, message: string): void {
  assert.throws(f, (e: unknown) => e instanceof SecGearError && e.code === expected && e.message === message);
}

test('runtime tables: $implements names the first missing function', () => {
  $implements({ a: () => 0, b: async () => 0 }, ['a', 'b'], 'createEcallTable');
  code(() => $implements({ a: () => 0, b: 1 }, ['a', 'b'], 'createEcallTable'), 'CC_ERROR_BAD_PARAMETERS', 'createEcallTable: the implementation has no function "b"; implement every function the EDL declares');
  code(() => $implements(null, ['a'], 'createOcallTable'), 'CC_ERROR_BAD_PARAMETERS', 'createOcallTable: the implementation has no function "a"; implement every function the EDL declares');
});

test('runtime tables: $withDefaults prefers the user\'s functions and keeps their this', () => {
  const user = {
    n: 2,
    twice(this: { n: number }) {
      return this.n * 2;
    },
  };
  const merged = $withDefaults(user, { twice: () => -1, other: () => 'default' });
  assert.equal(merged.twice(), 4);
  assert.equal(merged.other(), 'default');
});

test('runtime tables: $fn finds a function or says which call is missing; $call needs a call method', async () => {
  const f = async () => 1;
  assert.equal($fn({ f }, 'f', 'ecall'), f);
  code(() => $fn({}, 'g', 'ecall'), 'CC_ERROR_ECALL_NOT_FOUND', 'ecall "g" is not available; was the image built from this EDL?');
  code(() => $fn({ g: undefined }, 'g', 'ocall'), 'CC_ERROR_OCALL_NOT_ALLOWED', 'ocall "g" is not available; was the image built from this EDL?');
  const seen: unknown[] = [];
  const target = { call: async (name: string, args: unknown[], options?: { timeoutMs: number }) => (seen.push(name, args, options), 'ok') };
  assert.equal(await $call(target, 'f', [1], { timeoutMs: 5 }), 'ok');
  assert.deepEqual(seen, ['f', [1], { timeoutMs: 5 }]);
  code(() => $call({}, 'f', [], {}), 'CC_ERROR_NOT_SUPPORTED', 'ecall f: this enclave object takes no per-call options (it has no call method)');
});
