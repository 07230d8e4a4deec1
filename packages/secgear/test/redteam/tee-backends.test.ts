// Red team on the real-TEE backends (over fixtures): enclave code under gramine-sgx and cvm runs
// under the same allow-list confinement as sim and process, so every host-reaching probe of the
// hostile fixture must be refused there too, and a second enclave must be unaffected.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { resolveStateDir, STATE_FILE } from '../../src/backends/sim-platform/index.js';
import { registerFixtureBackends } from '../support/tee-fixtures/fixture-backends.js';
import { assertUnaffected, startPair, type BackendType } from './support.js';

registerFixtureBackends();

for (const type of ['gramine-sgx-fixture', 'cvm-fixture']) {
  describe(`red team, host-reaching paths: ${type}`, () => {
    test('every probe is refused; the host and a second enclave are unaffected', async () => {
      await using pair = await startPair(type as BackendType);
      const names = await pair.hostile.ecall.probeNames();
      assert.ok(names.length >= 60, `only ${names.length} probes`);
      const platformFile = join(resolveStateDir(), STATE_FILE);
      const reached: string[] = [];
      for (const name of names) {
        const outcome = await pair.hostile.ecall.probe(name, platformFile);
        if (!outcome.startsWith('refused: ')) reached.push(`${name}: ${outcome}`);
      }
      assert.deepEqual(reached, [], 'the boundary did not hold');
      await assertUnaffected(pair);
    });
  });
}
