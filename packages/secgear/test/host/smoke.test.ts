import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEnclave } from '../../src/host/index.js';
import { buildFixture } from '../support/fixtures.js';

test('smoke: sim and process echo', async () => {
  const image = await buildFixture('conformance');
  for (const type of ['sim', 'process'] as const) {
    const enclave = await createEnclave(image, { type, ocalls: { print: (s: string) => s.length, reenter: () => 0, reenterForbidden: () => 0 } });
    assert.equal(await enclave.ecall.add(2, 3), 5);
    assert.equal(await enclave.ecall.greet('bob'), 'greeted bob (10)');
    await enclave.destroy();
  }
});
