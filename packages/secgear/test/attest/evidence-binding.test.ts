// secGear's evidence binding (docs/formats/evidence-binding.md): the formula and its vectors,
// and one verifier-side check that works on every TEE's report data slot.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { checkEvidenceBinding, evidenceBinding, reportDataBinds, verifyEvidence, type VerifyOptions } from '../../src/attest/index.js';
import { toHex } from '../../src/common/bytes.js';
import { ErrorCode } from '../../src/common/errors.js';
import { makeIntelFixture } from '../support/intel-fixture.js';
import { rejectsWith } from '../support/assertions.js';
import { snpFixture } from './verifiers/sev-snp/snp-fixture.js';
import { buildToken, tokenKeys } from './verifiers/cca/cca-fixture.js';
import { FIXTURE_TIME, nitroFixture } from './verifiers/nitro/nitro-fixture.js';

const nonce = Uint8Array.from({ length: 32 }, (_, i) => i);
const data = new TextEncoder().encode('secgear');

/** The formula of the format document, written out independently of the implementation. */
function reference(n: Uint8Array, d: Uint8Array): Uint8Array {
  const part = (b: Uint8Array) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.byteLength);
    return Buffer.concat([len, b]);
  };
  return new Uint8Array(createHash('sha512').update(Buffer.concat([part(Buffer.from('secgear evidence binding v1')), part(Buffer.from(n)), part(Buffer.from(d))])).digest());
}

describe('evidence binding: the formula', () => {
  it('matches the vectors of docs/formats/evidence-binding.md', () => {
    assert.equal(
      toHex(evidenceBinding()),
      'f1f0c09e01542276e47729f9a3ae64bd37844f0c3e4a993d29d6e14781ddd5d86a01cbf12327c31aa032436790bb5c79de6d9de1b72f9a264664a5298e684dcc',
    );
    assert.equal(
      toHex(evidenceBinding({ nonce, reportData: data })),
      '8587397f71fb04be0d686d3381a49c6ab0ba71bd7416c943dc6d516d255b28abe74da3d572944e51d3706d537d92de44b4baf4b5ad8d6926520dfbb1f341f0c1',
    );
  });

  it('is the documented formula for any input, and keeps nonce and data apart', () => {
    const bytes = (max: number) => fc.uint8Array({ maxLength: max });
    fc.assert(
      fc.property(bytes(64), bytes(200), (n, d) => {
        assert.deepEqual(evidenceBinding({ nonce: n, reportData: d }), reference(n, d));
        // moving bytes from the nonce to the data changes the binding
        if (n.byteLength > 0) assert.notDeepEqual(evidenceBinding({ nonce: n.subarray(1), reportData: Uint8Array.from([n[0], ...d]) }), evidenceBinding({ nonce: n, reportData: d }));
      }),
    );
    // absent and empty are the same
    assert.deepEqual(evidenceBinding({ nonce: new Uint8Array(0), reportData: new Uint8Array(0) }), evidenceBinding({}));
  });

  it('refuses inputs it could not have bound, never throwing in the checks', () => {
    assert.throws(() => evidenceBinding({ nonce: new Uint8Array(65) }), rejectsWith(ErrorCode.BAD_PARAMETERS, /nonce/));
    assert.throws(() => evidenceBinding({ reportData: new Uint8Array(64 * 1024 + 1) }), rejectsWith(ErrorCode.BAD_PARAMETERS, /reportData/));
    assert.throws(() => evidenceBinding({ reportData: 'text' as never }), rejectsWith(ErrorCode.BAD_PARAMETERS));
    const slot = evidenceBinding({ nonce });
    assert.equal(reportDataBinds(slot, { nonce: new Uint8Array(65) }), false);
    assert.equal(reportDataBinds(null, { nonce }), false);
    assert.equal(reportDataBinds(slot.subarray(0, 32), { nonce }), false);
    assert.equal(checkEvidenceBinding({ reportData: null }, { nonce }).ok, false);
    assert.deepEqual(checkEvidenceBinding({ reportData: slot }, { nonce }), { check: 'binding', ok: true });
    assert.equal(checkEvidenceBinding({ reportData: slot }, { nonce, reportData: new Uint8Array(0) }).ok, true);
    assert.equal(checkEvidenceBinding({ reportData: slot }, { nonce, reportData: new Uint8Array(1) }).ok, false);
  });
});

/** Verifies `make(slot)` with { nonce, reportData } = the bound pair, and with every other pair. */
async function bindsOnEveryCheck(make: (slot: Uint8Array) => Uint8Array | Promise<Uint8Array>, options: VerifyOptions, what: string) {
  const evidence = await make(evidenceBinding({ nonce, reportData: data }));
  const ok = await verifyEvidence(evidence, { ...options, nonce, reportData: data });
  assert.equal(ok.verified, true, `${what}: ${JSON.stringify(ok.failure)}`);
  assert.deepEqual(ok.claims?.nonce, nonce, what);
  assert.equal(ok.checks.filter((c) => c.check === 'binding' || c.check.startsWith('nonce')).length, 1, `${what}: one binding check`);
  for (const [label, wrong] of [
    ['another nonce', { nonce: new Uint8Array(32).fill(1), reportData: data }],
    ['no nonce', { reportData: data }],
    ['other data', { nonce, reportData: new TextEncoder().encode('secgeaR') }],
    ['no data', { nonce, reportData: new Uint8Array(0) }],
  ] as const) {
    const refused = await verifyEvidence(evidence, { ...options, ...wrong });
    assert.equal(refused.verified, false, `${what}, ${label}`);
    assert.equal(refused.failure?.check, 'binding', `${what}, ${label}`);
  }
  // a nonce alone finds the binding of that nonce with no data
  const nonceOnly = await make(evidenceBinding({ nonce }));
  const fresh = await verifyEvidence(nonceOnly, { ...options, nonce });
  assert.equal(fresh.verified, true, `${what}, nonce only: ${JSON.stringify(fresh.failure)}`);
  assert.equal((await verifyEvidence(nonceOnly, { ...options, nonce: new Uint8Array(32).fill(9) })).verified, false, `${what}, stale nonce`);
}

describe('evidence binding: one check on every TEE', () => {
  it('SGX (REPORTDATA of a DCAP quote)', async () => {
    let f = makeIntelFixture();
    await bindsOnEveryCheck(
      (slot) => {
        f = makeIntelFixture({ report: { reportData: slot } });
        return f.quote;
      },
      { get collateral() { return f.collateral; }, get trustAnchors() { return [f.anchor]; }, get now() { return f.now; } } as VerifyOptions,
      'sgx',
    );
  });

  it('SEV-SNP (REPORT_DATA)', async () => {
    let f = await snpFixture();
    await bindsOnEveryCheck(
      async (slot) => {
        f = await snpFixture({ reportData: slot });
        return f.report;
      },
      { format: 'sev-snp', get collateral() { return f.collateral; }, get trustAnchors() { return [f.anchor]; }, now: new Date('2025-01-01T00:00:00Z') } as VerifyOptions,
      'sev-snp',
    );
  });

  it('Arm CCA (realm challenge)', async () => {
    const keys = tokenKeys();
    const anchor = { kind: 'jwk' as const, jwk: keys.cpak.publicKey.export({ format: 'jwk' }) };
    await bindsOnEveryCheck((slot) => buildToken(keys, { realm: { 10: slot } }), { format: 'cca', trustAnchors: [anchor] }, 'cca');
  });

  it('AWS Nitro (user_data, the nonce in its own field too)', async () => {
    const f = nitroFixture();
    const options: VerifyOptions = { format: 'nitro', now: FIXTURE_TIME, trustAnchors: [{ kind: 'x509', der: f.root.der }] };
    await bindsOnEveryCheck((slot) => f.document({ user_data: slot, nonce: null }), options, 'nitro');
  });

  it('keeps the reportData option checked like the others', async () => {
    const f = makeIntelFixture();
    await assert.rejects(verifyEvidence(f.quote, { reportData: new Uint8Array(64 * 1024 + 1) }), rejectsWith(ErrorCode.BAD_PARAMETERS, /reportData/));
    await assert.rejects(verifyEvidence(f.quote, { reportData: new Uint8Array(1), nonce: new Uint8Array(65) }), rejectsWith(ErrorCode.BAD_PARAMETERS, /nonce/));
  });
});
