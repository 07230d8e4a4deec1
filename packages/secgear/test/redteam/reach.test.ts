// Red team: a signed enclave tries every host-reaching path we know of (the table and
// more). Each probe must be refused (absent or denied), on both backends, and the host and a
// second enclave must be unaffected.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSimCertificates } from '../../src/backends/sim-platform/sim-certificates.js';
import { derToPem } from '../../src/backends/sim-platform/state.js';
import { BACKENDS, assertEveryProbeRefused, startPair } from './support.js';

for (const type of BACKENDS) {
  describe(`red team, host-reaching paths: ${type}`, () => {
    test('every probe is refused; the host and a second enclave are unaffected', async () => {
      await using pair = await startPair(type);
      await assertEveryProbeRefused(pair);
    });

    test('legitimate enclave code keeps working under confinement (crypto, webcrypto, zlib, events, streams, SAB/Atomics, timers)', async () => {
      await using pair = await startPair(type);
      assert.deepEqual(await pair.hostile.ecall.legit(), {
        verified: true,
        ecdh: 65,
        hkdf: 32,
        digest: 32,
        zlib: 'hello',
        inspect: '{ a: 1 }',
        heard: 1,
        text: 'ab',
        url: '1',
        clone: 2,
        atomics: 5,
        date: true,
        random: true,
        spreadFastPath: true,
      });
    });

    test('TLS 1.3 runs inside the enclave over streams the enclave feeds (TLSSocket facade)', async () => {
      await using pair = await startPair(type);
      const certs = createSimCertificates();
      const key = certs.attestationKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      const result = await pair.hostile.ecall.tlsLoopback(key, derToPem(certs.attestationCertificate));
      assert.equal(result.reply, 'echo hello');
      assert.equal(result.protocol, 'TLSv1.3');
      assert.match(result.cipher, /^TLS_/);
      assert.equal(typeof result.peer, 'string');
    });

    test("console goes through the enclave's log channel (never the host's stdout), control characters escaped", async () => {
      await using pair = await startPair(type);
      await pair.hostile.ecall.consoleLine('line one\n[enclave bystander] ERROR: forged');
      assert.ok(pair.logs.includes('info:line one\\u000a[enclave bystander] ERROR: forged'), pair.logs.join(' | '));
      assert.ok(pair.logs.includes('info:after console'));
    });
  });
}
