/**
 * Every byte of a quote up to the end of its signature data is covered by a signature, a hash
 * binding, a certificate, or the structure itself: flipping any one of them, or truncating the
 * quote, must be rejected with a named check and never throw. Trailing bytes are not signed and
 * are ignored. The signed collateral JSON is held to the same rule.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { verifyEvidence } from '../../../src/attest/index.js';
import { parseQuote } from '../../../src/attest/intel/quote.js';
import type { CollateralItem, EvidenceFormat, VerifyOptions } from '../../../src/attest/types.js';
import { readVector } from '../../support/paths.js';

interface Case {
  file: string;
  format: EvidenceFormat;
  at: string;
  collateral: CollateralItem[];
}

const bundle = (path: string): CollateralItem[] => [{ role: 'bundle', data: readVector(path), source: path }];

const cases: Case[] = [
  { file: 'sgx-dcap/dcap-qvl/sgx_quote.bin', format: 'sgx-dcap', at: '2025-07-19T10:01:17Z', collateral: bundle('sgx-dcap/dcap-qvl/sgx_quote_collateral.json') },
  { file: 'tdx/dcap-qvl/tdx_quote.bin', format: 'tdx', at: '2025-07-19T10:00:34Z', collateral: bundle('tdx/dcap-qvl/tdx_quote_collateral.json') },
  { file: 'tdx/automata/quotes/alibaba_quote_5.dat', format: 'tdx', at: '2025-06-15T00:00:00Z', collateral: [] },
];

/** The quote's regions by name, as [start, end) offsets, from the parser's views. */
function regions(bytes: Uint8Array): Array<[string, number, number]> {
  const q = parseQuote(bytes);
  const at = (view: Uint8Array) => view.byteOffset - bytes.byteOffset;
  return [
    ['header and body (quote signature)', 0, q.signedData.byteLength],
    ['signature data length', q.signedData.byteLength, q.signedData.byteLength + 4],
    ['quote signature', at(q.signature), at(q.signature) + 64],
    ['attestation key', at(q.attestationKey), at(q.attestationKey) + 64],
    ['between key and QE report (v4/v5 certification data header)', at(q.attestationKey) + 64, at(q.qeReport.raw)],
    ['QE report', at(q.qeReport.raw), at(q.qeReport.raw) + 384],
    ['QE report signature and auth data', at(q.qeReportSignature), at(q.certification.data) ],
    ['PCK certificate chain', at(q.certification.data), q.length],
  ];
}

describe('single-byte flips inside signed regions are rejected', () => {
  for (const c of cases) {
    const quote = readVector(c.file);
    const options: VerifyOptions = { format: c.format, collateral: c.collateral, now: new Date(c.at) };
    it(`${c.file}: baseline verifies`, async () => {
      const r = await verifyEvidence(quote, options);
      assert.equal(r.verified, true, r.failure?.message);
    });
    for (const [name, start, end] of regions(quote)) {
      it(`${c.file}: every byte of ${name} [${start}, ${end})`, async () => {
        const checks = new Set<string>();
        for (let i = start; i < end; i++) {
          const mutated = new Uint8Array(quote);
          mutated[i] ^= 0x01;
          const r = await verifyEvidence(mutated, options);
          assert.equal(r.verified, false, `flipping byte ${i} (${name}) was not detected`);
          assert.ok(r.failure && r.failure.check && r.failure.message, `byte ${i}: no failed check named`);
          checks.add(r.failure.check);
        }
        assert.ok(!checks.has('verifier.internal'), `a mutation reached an internal error: ${[...checks].join(', ')}`);
      });
    }
  }

  it('trailing bytes are not signed: changing them changes nothing', async () => {
    const quote = readVector('tdx/dcap-qvl/tdx_quote.bin');
    const end = parseQuote(quote).length;
    const mutated = new Uint8Array(quote);
    for (let i = end; i < mutated.byteLength; i++) mutated[i] = 0x5a;
    const r = await verifyEvidence(mutated, { collateral: bundle('tdx/dcap-qvl/tdx_quote_collateral.json'), now: new Date('2025-07-19T10:00:34Z') });
    assert.equal(r.verified, true);
  });
});

describe('truncated quotes are rejected', () => {
  for (const c of cases) {
    it(`${c.file}: every truncation length`, async () => {
      const quote = readVector(c.file);
      const end = parseQuote(quote).length;
      for (let n = 0; n < end; n++) {
        const r = await verifyEvidence(quote.subarray(0, n), { format: c.format, collateral: c.collateral, now: new Date(c.at) });
        assert.equal(r.verified, false, `truncation to ${n} bytes accepted`);
        assert.equal(r.failure?.check, 'quote.parse', `truncation to ${n}: ${r.failure?.check}`);
      }
    });
  }
});

describe('flips in signed collateral are rejected', () => {
  const quote = readVector('sgx-dcap/automata/sgx_v3_quote_0825.bin');
  const dir = 'sgx-dcap/automata/';
  const files: Array<[string, string]> = [
    ['tcbInfo', '0825/sgx_tcbinfov3_00606a000000.json'],
    ['qeIdentity', '0825/sgx_qeidentity_v4.json'],
    ['pckCrl', '0825/platform_crl.der'],
    ['rootCrl', 'pcs_certs/rootCrlDer.der'],
    ['pckCrlIssuerChain', 'pcs_certs/platformCaDer.der'],
    ['tcbInfoIssuerChain', 'pcs_certs/tcbSigningDer.der'],
  ];
  const collateral = files.map(([role, f]) => ({ role, data: readVector(dir + f), source: f }));
  const now = new Date('2025-08-15T05:45:00Z');

  it('baseline verifies', async () => {
    assert.equal((await verifyEvidence(quote, { collateral, now })).verified, true);
  });

  for (const [index, [role, file]] of files.entries()) {
    // every byte of the smaller items, every 3rd byte of the 6 KiB TCB Info (keeps the suite fast)
    const stride = role === 'tcbInfo' ? 3 : 1;
    it(`${role} (${file}): ${stride === 1 ? 'every byte' : `every ${stride}rd byte`}`, async () => {
      const original = collateral[index].data;
      for (let i = 0; i < original.byteLength; i += stride) {
        const data = new Uint8Array(original);
        data[i] ^= 0x01;
        const items = collateral.map((c, j) => (j === index ? { ...c, data } : c));
        const r = await verifyEvidence(quote, { collateral: items, now });
        if (r.verified) {
          // the only unsigned bytes of an X.509 CRL or certificate a flip may leave valid are none;
          // in served JSON, only bytes outside the signed value and signature could be, and those break the JSON
          assert.fail(`flipping byte ${i} of ${file} was not detected`);
        }
        assert.ok(r.failure?.check, `byte ${i}: no failed check named`);
      }
    });
  }
});
