// A backend is a plug-in: this test registers one (the sim backend with a spying platform) and
// checks what the host does with platform responses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BackendRegistry, builtInBackends, createEnclave, listBackends } from '../../src/host/index.js';
import { simBackend } from '../../src/backends/sim/index.js';
import { createSimulatedPlatform } from '../../src/backends/sim-platform/index.js';
import { buildFixture } from '../support/fixtures.js';
import { tempStateDir } from '../support/sim-platform-harness.js';

test('a registered backend plug-in runs enclaves; sealing keys sent into the enclave leave no copy on the host', async (t) => {
  const state = tempStateDir();
  t.after(() => state.cleanup());
  const responses: unknown[] = [];
  // a registry of this test's own: the spy is never visible to other createEnclave calls
  const backends = new BackendRegistry(builtInBackends);
  backends.register({
    ...simBackend,
    name: 'spy-sim',
    createPlatform: (identity, options) => {
      const platform = createSimulatedPlatform(identity, options);
      return {
        kind: platform.kind,
        async handle(op, args) {
          const value = await platform.handle(op, args);
          responses.push(value);
          return value;
        },
      };
    },
  });
  await using enclave = await createEnclave<{ seal(d: Uint8Array, p: string): Uint8Array; unseal(b: Uint8Array): { data: Uint8Array } }>(
    await buildFixture('seal-attest'),
    { type: 'spy-sim', platform: { stateDir: state.dir }, backends },
  );
  assert.ok(!listBackends().some((b) => b.name === 'spy-sim'), 'the default registry never saw the spy');
  assert.equal(enclave.info.backend, 'spy-sim');
  const blob = await enclave.ecall.seal(new TextEncoder().encode('secret'), 'signer');
  assert.equal(new TextDecoder().decode((await enclave.ecall.unseal(blob)).data), 'secret');
  const keys = responses.filter((r): r is { key: Uint8Array } => typeof r === 'object' && r !== null && 'key' in r);
  assert.ok(keys.length >= 1, 'the enclave asked the platform for its sealing key');
  for (const { key } of keys) assert.ok(key.every((b) => b === 0), 'the host-side copy of the key was wiped after delivery');
});
