import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clearVerificationCaches, INTEL_SGX_ROOT_CA_DER, verifyEvidence } from '../../src/attest/index.js';
import { parseCertificate } from '../../src/attest/pki/chain.js';
import { readVector } from '../support/paths.js';

describe('clearVerificationCaches', () => {
  it('forgets parsed certificates (a fresh parse afterwards), and verification still works from cold', async () => {
    const first = parseCertificate(INTEL_SGX_ROOT_CA_DER);
    assert.equal(parseCertificate(INTEL_SGX_ROOT_CA_DER), first, 'memoised by content');
    clearVerificationCaches();
    assert.notEqual(parseCertificate(INTEL_SGX_ROOT_CA_DER), first, 'parsed again after clearing');

    const quote = readVector('sgx-dcap/dcap-qvl/sgx_quote.bin');
    const options = { collateral: [{ role: 'bundle' as const, data: readVector('sgx-dcap/dcap-qvl/sgx_quote_collateral.json') }], now: new Date('2025-07-19T10:01:17Z') };
    for (let i = 0; i < 3; i++) {
      clearVerificationCaches();
      const result = await verifyEvidence(quote, options);
      assert.equal(result.verified, true, result.failure?.message);
    }
  });
});
