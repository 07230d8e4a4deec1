// Red team on the real-TEE backends (over fixtures): enclave code under gramine-sgx and cvm runs
// under the same allow-list confinement as sim and process, so every host-reaching probe of the
// hostile fixture must be refused there too, and a second enclave must be unaffected.
import { describe, test } from 'node:test';
import { registerFixtureBackends } from '../support/tee-fixtures/fixture-backends.js';
import { assertEveryProbeRefused, startPair, type BackendType } from './support.js';

registerFixtureBackends();

for (const type of ['gramine-sgx-fixture', 'cvm-fixture']) {
  describe(`red team, host-reaching paths: ${type}`, () => {
    test('every probe is refused; the host and a second enclave are unaffected', async () => {
      await using pair = await startPair(type as BackendType);
      await assertEveryProbeRefused(pair);
    });
  });
}
