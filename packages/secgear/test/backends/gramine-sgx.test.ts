// The gramine-sgx backend end to end over fixtures: the real enclave runner in a child process,
// /dev/attestation served by the fixture, the host's encrypted channel bound to the quote.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createEnclave, createGramineSgxBackend, ErrorCode, registerBackend } from '../../src/host/index.js';
import { verifyEvidence } from '../../src/attest/index.js';
import { reportDataForRequest } from '../../src/backends/tee-files/report-data.js';
import { buildFixture } from '../support/fixtures.js';
import { rejectsWith } from '../support/assertions.js';
import { gramineFixtureBackend, imageMrEnclave } from '../support/tee-fixtures/fixture-backends.js';

type SealAttest = {
  seal(d: Uint8Array, p: string): Uint8Array;
  unseal(b: Uint8Array): { data: Uint8Array };
  whoami(): { measurement: Uint8Array; signer: Uint8Array; prodId: number; svn: number };
  targetInfo(): Uint8Array;
  report(t: Uint8Array, r: Uint8Array): Uint8Array;
  verifyReport(r: Uint8Array): unknown;
  boundEvidence(nonce: Uint8Array, data: Uint8Array): { mediaType: string; data: Uint8Array };
};

const fixture = gramineFixtureBackend('gramine-test');
// registered for this file only: tests leave nothing registered
const registrations = [registerBackend(fixture.backend)];
after(() => registrations.forEach((undo) => undo()));

describe('gramine-sgx backend over fixtures', () => {
  test('sealing, identity and evidence are answered inside the enclave; the quote verifies with the test root only', async () => {
    await using enclave = await createEnclave<SealAttest>(await buildFixture('seal-attest'), { type: 'gramine-test' });
    assert.equal(enclave.info.simulated, false);
    const id = await enclave.ecall.whoami();
    assert.deepEqual(id.measurement, enclave.info.measurement, 'the enclave computed the same identity the host verified');
    const blob = await enclave.ecall.seal(new TextEncoder().encode('secret'), 'enclave');
    assert.equal(new TextDecoder().decode((await enclave.ecall.unseal(blob)).data), 'secret');
    const signerBlob = await enclave.ecall.seal(new Uint8Array([1, 2]), 'signer');
    assert.deepEqual((await enclave.ecall.unseal(signerBlob)).data, new Uint8Array([1, 2]));

    const nonce = randomBytes(32);
    const evidence = await enclave.getEvidence({ nonce });
    assert.equal(evidence.mediaType, 'application/vnd.intel.sgx.quote');
    const { anchor, collateral } = fixture.trust();
    const result = await verifyEvidence(evidence, { trustAnchors: [anchor], replaceBuiltInAnchors: true, collateral });
    assert.equal(result.verified, true, result.failure?.message);
    assert.deepEqual(result.claims?.reportData, reportDataForRequest({ nonce }), 'REPORTDATA is the evidence binding of the nonce');
    assert.equal((await verifyEvidence(evidence, { collateral })).verified, false, 'the test root is not trusted unless passed');

    const bound = await enclave.ecall.boundEvidence(nonce, new Uint8Array([9, 9]));
    assert.deepEqual(bound.data.subarray(48 + 320, 48 + 384), reportDataForRequest({ nonce, reportData: new Uint8Array([9, 9]) }));
  });

  test('local reports come from EREPORT; verifying one is refused (Gramine has no REPORT key)', async () => {
    await using enclave = await createEnclave<SealAttest>(await buildFixture('seal-attest'), { type: 'gramine-test' });
    const target = await enclave.ecall.targetInfo();
    assert.equal(target.byteLength, 512);
    const report = await enclave.ecall.report(target, new Uint8Array([5]));
    assert.equal(report.byteLength, 432);
    assert.equal(report[320], 5);
    await assert.rejects(enclave.ecall.verifyReport(report), rejectsWith(ErrorCode.NOT_SUPPORTED, /REPORT key/));
  });

  test('an MRENCLAVE pin is enforced at connection', async () => {
    const image = await buildFixture('seal-attest');
    const pinned = gramineFixtureBackend('gramine-pinned', { expectMrEnclave: imageMrEnclave(image) });
    registrations.push(registerBackend(pinned.backend));
    await (await createEnclave(image, { type: 'gramine-pinned' })).destroy();
    await assert.rejects(createEnclave(image, { type: 'gramine-pinned', platform: { expectMrEnclave: 'ab'.repeat(32) } }), rejectsWith(ErrorCode.INVALID_EVIDENCE, /MRENCLAVE/));
  });

  test('a process that answers on the channel without evidence binding its keys is refused', async () => {
    const impostor = createGramineSgxBackend({
      name: 'gramine-impostor',
      files: { exists: async () => true, open: () => Promise.reject(new Error('no')), mkdir: async () => undefined, rmdir: async () => undefined },
      connectTimeoutMs: 10_000,
      launch: ({ env }) => {
        const [host, port] = env.SECGEAR_CHANNEL.split(':');
        // a hello with a random key and a "quote" whose report data binds nothing
        const script = `const s=require('net').connect(${port},'${host}',()=>{const m=Buffer.from('SGCH\\x01');const k=require('crypto').randomBytes(32);const t=Buffer.from('application/vnd.intel.sgx.quote');const q=Buffer.alloc(1000);const b=Buffer.concat([m,k,Buffer.from([0,t.length]),t,Buffer.from([0,0,3,232]),q]);const h=Buffer.alloc(4);h.writeUInt32BE(b.length);s.write(Buffer.concat([h,b]));});s.on('close',()=>process.exit(0));`;
        return spawn(process.execPath, ['-e', script], { stdio: 'ignore' });
      },
    });
    registerBackend(impostor);
    await assert.rejects(createEnclave(await buildFixture('seal-attest'), { type: 'gramine-impostor' }), rejectsWith(ErrorCode.INVALID_EVIDENCE, /does not bind this channel/));
  });

  test('an enclave program that exits before connecting fails creation with CC_ERROR_ENCLAVE_LOST', async () => {
    registerBackend(createGramineSgxBackend({ name: 'gramine-dies', files: { exists: async () => true, open: () => Promise.reject(new Error('no')), mkdir: async () => undefined, rmdir: async () => undefined }, launch: () => spawn(process.execPath, ['-e', 'process.exit(3)'], { stdio: 'ignore' }) }));
    await assert.rejects(createEnclave(await buildFixture('seal-attest'), { type: 'gramine-dies' }), rejectsWith(ErrorCode.ENCLAVE_LOST, /code 3/));
  });

  test('the default launcher needs the folder gramine-sgx-sign signed', async () => {
    registerBackend(createGramineSgxBackend({ name: 'gramine-nodir', files: { exists: async () => true, open: () => Promise.reject(new Error('no')), mkdir: async () => undefined, rmdir: async () => undefined } }));
    await assert.rejects(createEnclave(await buildFixture('seal-attest'), { type: 'gramine-nodir' }), rejectsWith(ErrorCode.BAD_PARAMETERS, /gramineDir/));
  });

  test('type "auto" picks gramine-sgx when /dev/sgx_enclave and the launcher exist', async () => {
    await using enclave = await createEnclave(await buildFixture('seal-attest'), { type: 'auto' });
    assert.match(enclave.info.backend, /^gramine-/);
  });

});
