// Verifier plug-ins are registered per registry: two services in one process with their own
// registries do not see each other's plug-ins, and registrations undo.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  builtInVerifiers,
  defaultVerifiers,
  ErrorCode,
  listVerifiers,
  registerVerifier,
  VerifierRegistry,
  verifyEvidence,
  type EvidenceVerifier,
} from '../../src/attest/index.js';
import { rejectsWith } from '../support/assertions.js';
import { makeIntelFixture } from '../support/intel-fixture.js';

const MAGIC = new TextEncoder().encode('ACME');

function acmeVerifier(verdict: boolean): EvidenceVerifier {
  return {
    format: 'acme',
    detect: (data) => data.byteLength >= 4 && MAGIC.every((b, i) => data[i] === b),
    async verify() {
      return {
        tee: 'acme-tee',
        claims: null,
        rawClaims: {},
        checks: [{ check: 'acme.signature', ok: verdict, ...(verdict ? {} : { detail: 'forged' }) }],
        appraisal: { status: 'affirming', reasons: ['acme'] },
      };
    },
  };
}

const acmeEvidence = Uint8Array.from([...MAGIC, 1, 2, 3]);
const builtInFormats = builtInVerifiers.map((v) => v.format);

describe('VerifierRegistry', () => {
  it('two registries in one process hold different plug-ins for the same format', async () => {
    const serviceA = new VerifierRegistry(builtInVerifiers);
    const serviceB = new VerifierRegistry(builtInVerifiers);
    serviceA.register(acmeVerifier(true));
    serviceB.register(acmeVerifier(false));
    const a = await verifyEvidence(acmeEvidence, { verifiers: serviceA });
    const b = await verifyEvidence(acmeEvidence, { verifiers: serviceB });
    assert.deepEqual([a.format, a.tee, a.verified], ['acme', 'acme-tee', true]);
    assert.deepEqual([b.verified, b.failure?.check], [false, 'acme.signature']);
    // the default registry saw neither
    const unknown = await verifyEvidence(acmeEvidence);
    assert.equal(unknown.failure?.check, 'format.detect');
    await assert.rejects(verifyEvidence(acmeEvidence, { format: 'acme' }), rejectsWith(ErrorCode.UNKNOWN_EVIDENCE_FORMAT, /no verifier for evidence format "acme"/));
    assert.deepEqual(listVerifiers().map((v) => v.format), builtInFormats);
  });

  it('a registry of its own without the built-ins verifies nothing else; with them, as the default does', async () => {
    const f = makeIntelFixture();
    const options = { collateral: f.collateral, trustAnchors: [f.anchor], now: f.now };
    assert.equal((await verifyEvidence(f.quote, { ...options, verifiers: new VerifierRegistry(builtInVerifiers) })).verified, true);
    const empty = new VerifierRegistry();
    assert.equal((await verifyEvidence(f.quote, { ...options, verifiers: empty })).failure?.check, 'format.detect');
    await assert.rejects(verifyEvidence(f.quote, { ...options, format: 'sgx-dcap', verifiers: empty }), rejectsWith(ErrorCode.UNKNOWN_EVIDENCE_FORMAT, /\(none registered\)/));
    await assert.rejects(verifyEvidence(f.quote, { verifiers: {} as VerifierRegistry }), rejectsWith(ErrorCode.BAD_PARAMETERS, /VerifierRegistry/));
  });

  it('registrations undo, and leave nothing behind in the default registry', async () => {
    const first = acmeVerifier(true);
    const undoFirst = registerVerifier(first);
    assert.equal(defaultVerifiers.get('acme'), first);
    const second = acmeVerifier(false);
    const undoSecond = registerVerifier(second);
    undoFirst(); // replaced already: leaves the second in place
    assert.equal(defaultVerifiers.get('acme'), second);
    undoSecond();
    assert.equal(defaultVerifiers.has('acme'), false);
    assert.deepEqual(listVerifiers().map((v) => v.format), builtInFormats, 'nothing left registered');
    const own = new VerifierRegistry([acmeVerifier(true)]);
    assert.equal(own.unregister('acme'), true);
    assert.equal(own.unregister('acme'), false);
    assert.equal(own.detect(acmeEvidence), null);
    assert.throws(() => own.register({ format: '' } as EvidenceVerifier), rejectsWith(ErrorCode.BAD_PARAMETERS));
  });
});
