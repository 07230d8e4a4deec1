import { test } from 'node:test';
import assert from 'node:assert/strict';
import { verifyEvidence, loadCollateral } from '../../src/attest/index.js';
import { ErrorCode } from '../../src/common/errors.js';
import { rejectsWith } from '../support/assertions.js';
import { readVector, vectorPath } from '../support/paths.js';

test('verifyEvidence refuses options that would weaken it: an invalid clock, a non-Date clock, a non-bytes nonce', async () => {
  const quote = readVector('sgx-dcap/dcap-qvl/sgx_quote.bin');
  for (const now of [new Date('nope'), '2025-07-19T10:01:17Z', 1752919277000]) {
    await assert.rejects(verifyEvidence(quote, { now: now as Date }), rejectsWith(ErrorCode.BAD_PARAMETERS, /valid Date/));
  }
  await assert.rejects(verifyEvidence(quote, { nonce: 'abc' as unknown as Uint8Array }), rejectsWith(ErrorCode.BAD_PARAMETERS, /nonce/));
});

test('verifyEvidence refuses what is not evidence with a clear error, and takes loadCollateral results as they are', async () => {
  for (const bad of [null, undefined, 'quote', { data: 'x' }, [1, 2]]) {
    await assert.rejects(verifyEvidence(bad as never), rejectsWith(ErrorCode.BAD_PARAMETERS, /Uint8Array/));
  }
  await assert.rejects(verifyEvidence(new Uint8Array(8), { collateral: [{ role: 1 }] as never }), rejectsWith(ErrorCode.BAD_PARAMETERS, /collateral/));
  const quote = readVector('sgx-dcap/dcap-qvl/sgx_quote.bin');
  const collateral = await loadCollateral([vectorPath('sgx-dcap/dcap-qvl/sgx_quote_collateral.json')]);
  const result = await verifyEvidence(quote, { collateral, now: new Date('2025-07-19T10:01:17Z') });
  assert.equal(result.verified, true, JSON.stringify(result.failure));
  assert.equal(result.claims?.tcbStatus, 'ConfigurationAndSWHardeningNeeded');
});

test('Intel collateral is valid up to, not at, its nextUpdate (the vectors give the window as half-open)', async () => {
  const quote = readVector('sgx-dcap/dcap-qvl/sgx_quote.bin');
  const collateral = await loadCollateral([vectorPath('sgx-dcap/dcap-qvl/sgx_quote_collateral.json')]);
  const last = await verifyEvidence(quote, { collateral, now: new Date('2025-07-19T10:01:17.999Z') });
  assert.equal(last.verified, true, JSON.stringify(last.failure));
  const edge = await verifyEvidence(quote, { collateral, now: new Date('2025-07-19T10:01:18Z') });
  assert.equal(edge.verified, false);
  assert.match(edge.failure?.check ?? '', /validity$/);
});
