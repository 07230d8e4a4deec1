// The Gramine platform's sealing keys and evidence, over the /dev/attestation fixture.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createGraminePlatform } from '../../src/backends/gramine-sgx/gramine-platform.js';
import { gramineAttestation } from '../../src/backends/tee-files/gramine-attestation.js';
import { reportDataForRequest } from '../../src/backends/tee-files/report-data.js';
import { PlatformOp, type SealKeyResponse } from '../../src/common/platform-ops.js';
import { ErrorCode } from '../../src/common/errors.js';
import { gramineFixture } from '../support/tee-fixtures/gramine-fixture.js';
import { makeIntelFixture } from '../support/intel-fixture.js';
import { rejectsWith } from '../support/assertions.js';

const intel = makeIntelFixture({ tee: 'sgx' });
const identity = { measurement: new Uint8Array(48).fill(1), signer: new Uint8Array(48).fill(2), prodId: 7, svn: 3, debug: false };
const platformOn = (cpuSecret: Uint8Array, id = identity) =>
  createGraminePlatform(id, gramineAttestation(gramineFixture({ cpuSecret, quoteFor: (reportData) => intel.quoteWith({ reportData }) }).port));
const key = async (p: ReturnType<typeof platformOn>, request: object) => ((await p.handle(PlatformOp.sealKey, [request])) as SealKeyResponse).key;

describe('gramine platform', () => {
  test('seal keys: per policy and identity, stable on one CPU, different after a CPU SVN change', async () => {
    const cpu = new Uint8Array(32).fill(1);
    const p = platformOn(cpu);
    const enclave = await key(p, { policy: 'enclave' });
    assert.equal(enclave.byteLength, 32);
    assert.deepEqual(await key(platformOn(cpu), { policy: 'enclave' }), enclave);
    assert.notDeepEqual(await key(p, { policy: 'signer' }), enclave);
    assert.notDeepEqual(await key(platformOn(cpu, { ...identity, measurement: new Uint8Array(48).fill(9) }), { policy: 'enclave' }), enclave);
    assert.deepEqual(await key(platformOn(cpu, { ...identity, measurement: new Uint8Array(48).fill(9) }), { policy: 'signer' }), await key(p, { policy: 'signer' }), 'signer keys do not depend on the measurement');
    assert.notDeepEqual(await key(platformOn(new Uint8Array(32).fill(2)), { policy: 'enclave' }), enclave, 'another CPU SVN: other keys (hence the recovery path)');
    await assert.rejects(p.handle(PlatformOp.sealKey, [{ policy: 'enclave', svn: 2 }]), rejectsWith(ErrorCode.NOT_SUPPORTED, /own svn/));
    await assert.rejects(p.handle(PlatformOp.sealKey, [{ policy: 'other' }]), rejectsWith(ErrorCode.SEAL_POLICY));
    assert.equal(((await p.handle(PlatformOp.sealKey, [{ policy: 'enclave', svn: 3 }])) as SealKeyResponse).svn, 3);
  });

  test('evidence carries the evidence binding of nonce and data; bad requests are refused', async () => {
    const p = platformOn(new Uint8Array(32));
    const nonce = new Uint8Array([1, 2, 3]);
    const evidence = (await p.handle(PlatformOp.evidence, [{ nonce, reportData: new Uint8Array([4]) }])) as { mediaType: string; data: Uint8Array };
    assert.equal(evidence.mediaType, 'application/vnd.intel.sgx.quote');
    assert.deepEqual(evidence.data.subarray(368, 432), reportDataForRequest({ nonce, reportData: new Uint8Array([4]) }));
    await assert.rejects(p.handle(PlatformOp.evidence, [{ nonce: new Uint8Array(65) }]), rejectsWith(ErrorCode.BAD_PARAMETERS));
    await assert.rejects(p.handle(PlatformOp.evidence, [{ nonce: 'x' }]), rejectsWith(ErrorCode.BAD_PARAMETERS));
    await assert.rejects(p.handle(PlatformOp.createReport, [new Uint8Array(512), new Uint8Array(65)]), rejectsWith(ErrorCode.BAD_PARAMETERS));
    await assert.rejects(p.handle('nope', []), rejectsWith(ErrorCode.NOT_SUPPORTED));
  });
});
