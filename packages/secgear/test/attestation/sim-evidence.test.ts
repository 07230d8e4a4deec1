// Simulated evidence: generation on the platform, the sim verifier plug-in, and its parser.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { EVIDENCE_MEDIA_TYPES, evidenceBinding, getVerifier, verifyEvidence, type TrustAnchor, type VerifyOptions } from '../../src/attest/index.js';
import { ROOT_CERT_FILE, loadSimPlatformState, parseSimEvidence, readSimRootCertificate } from '../../src/backends/sim-platform/index.js';
import { ErrorCode, isSecGearError } from '../../src/common/errors.js';
import { getEvidence } from '../../src/enclave/evidence.js';
import { enterEnclave, makeIdentity, tempStateDir } from '../support/sim-platform-harness.js';

const state = tempStateDir();
const other = tempStateDir();
after(() => {
  state.cleanup();
  other.cleanup();
});

const nonce = new Uint8Array(32).fill(0xab);
const reportData = new TextEncoder().encode('hash of my TLS key');
const identity = makeIdentity({ prodId: 3, svn: 9 });

function anchor(dir: string): TrustAnchor {
  loadSimPlatformState(dir);
  return { kind: 'x509', der: readSimRootCertificate(dir) as Uint8Array };
}

async function evidence(opts: { nonce?: Uint8Array; reportData?: Uint8Array } = { nonce, reportData }, dir = state.dir, id = identity) {
  enterEnclave(id, dir);
  return getEvidence(opts);
}

const allow = (extra: VerifyOptions = {}): VerifyOptions => ({ nonce, allowSimulation: true, trustAnchors: [anchor(state.dir)], ...extra });

describe('simulated evidence', () => {
  it('round-trips: verified and affirming with allowSimulation, claims from the verified identity', async () => {
    const env = await evidence();
    assert.equal(env.mediaType, EVIDENCE_MEDIA_TYPES.sim);
    const result = await verifyEvidence(env, allow());
    assert.equal(result.verified, true, JSON.stringify(result.failure));
    assert.equal(result.format, 'sim');
    assert.equal(result.tee, 'sim');
    assert.equal(result.appraisal.status, 'affirming');
    assert.match(result.appraisal.reasons.join(' '), /no hardware protection/);
    const claims = result.claims!;
    assert.deepEqual(claims.measurement, identity.measurement);
    assert.deepEqual(claims.signer, identity.signer);
    assert.equal(claims.prodId, 3);
    assert.equal(claims.svn, 9);
    assert.equal(claims.debug, false);
    assert.deepEqual(claims.nonce, nonce);
    // the report data slot holds the binding of nonce and data, never the data as given
    assert.deepEqual(claims.reportData, evidenceBinding({ nonce, reportData }));
    assert.equal(claims.reportData!.byteLength, 64);
    assert.ok(result.checks.some((c) => c.check === 'nonce' && c.ok));
    // with the data, one `binding` check covers nonce and data
    const bound = await verifyEvidence(env, allow({ reportData }));
    assert.equal(bound.verified, true, JSON.stringify(bound.failure));
    assert.deepEqual(bound.checks.filter((c) => c.check === 'binding' || c.check.startsWith('nonce')), [{ check: 'binding', ok: true }]);
    for (const wrong of [allow({ reportData: new TextEncoder().encode('hash of another key') }), allow({ reportData, nonce: new Uint8Array(32) }), allow({ reportData, nonce: undefined })]) {
      const refused = await verifyEvidence(env, wrong);
      assert.equal(refused.verified, false);
      assert.equal(refused.failure?.check, 'binding');
    }
  });

  it('is never verified without allowSimulation, and says why', async () => {
    const result = await verifyEvidence(await evidence(), { nonce, trustAnchors: [anchor(state.dir)] });
    assert.equal(result.verified, false);
    assert.equal(result.failure?.check, 'sim.simulationAllowed');
    assert.equal(result.appraisal.status, 'contraindicated');
    assert.match(result.appraisal.reasons.join(' '), /no hardware protection/);
    // the other checks still ran and passed: only simulation is the problem
    assert.ok(result.checks.filter((c) => c.check !== 'sim.simulationAllowed').every((c) => c.ok));
  });

  it('refuses a wrong or missing nonce', async () => {
    const env = await evidence();
    const wrong = await verifyEvidence(env, allow({ nonce: new Uint8Array(32) }));
    assert.equal(wrong.verified, false);
    assert.equal(wrong.failure?.check, 'nonce');
    const none = await verifyEvidence(await evidence({ reportData }), allow());
    assert.equal(none.verified, false);
    assert.equal(none.failure?.check, 'nonce');
  });

  it('refuses a flipped bit in every byte', async () => {
    const env = await evidence();
    const options = allow();
    for (let i = 0; i < env.data.byteLength; i++) {
      const bad = env.data.slice();
      bad[i] ^= 1 << (i % 8);
      const result = await verifyEvidence({ mediaType: env.mediaType, data: bad }, options);
      assert.equal(result.verified, false, `byte ${i}`);
      assert.notEqual(result.appraisal.status, 'affirming');
    }
  });

  it('refuses evidence from another machine (another sim root)', async () => {
    const result = await verifyEvidence(await evidence(undefined, other.dir), allow());
    assert.equal(result.verified, false);
    assert.equal(result.failure?.check, 'sim.attestationKey.chain');
  });

  it('finds this machine\'s root itself unless built-in anchors are replaced', async () => {
    const env = await evidence();
    const saved = process.env.SECGEAR_SIM_DIR;
    process.env.SECGEAR_SIM_DIR = state.dir;
    try {
      assert.equal((await verifyEvidence(env.data, { nonce, allowSimulation: true })).verified, true);
      const strict = await verifyEvidence(env.data, { nonce });
      assert.equal(strict.failure?.check, 'sim.simulationAllowed');
      assert.ok(strict.checks.filter((c) => c.check !== 'sim.simulationAllowed').every((c) => c.ok), 'only simulation is refused');
      const replaced = await verifyEvidence(env.data, { nonce, allowSimulation: true, replaceBuiltInAnchors: true });
      assert.equal(replaced.failure?.check, 'sim.attestationKey.chain');
      assert.match(replaced.failure!.message, /no sim root/);
    } finally {
      if (saved === undefined) delete process.env.SECGEAR_SIM_DIR;
      else process.env.SECGEAR_SIM_DIR = saved;
    }
  });

  it('carries the debug flag so policies can refuse debug enclaves', async () => {
    const env = await evidence(undefined, state.dir, { ...identity, debug: true });
    const result = await verifyEvidence(env, allow({ policy: {} }));
    assert.equal(result.claims?.debug, true);
    assert.equal(result.appraisal.status, 'contraindicated');
    const allowed = await verifyEvidence(env, allow({ policy: { allowDebug: true, measurements: [identity.measurement] } }));
    assert.equal(allowed.appraisal.status, 'affirming');
  });

  it('recognises the sim root as a trust anchor file, and not the attestation key', () => {
    const verifier = getVerifier('sim');
    const pem = readFileSync(join(state.dir, ROOT_CERT_FILE));
    assert.equal(verifier.classifyAnchor?.(new Uint8Array(pem))?.kind, 'x509');
    assert.equal(verifier.classifyAnchor?.(loadSimPlatformState(state.dir).attestationCertificate), null);
    assert.equal(verifier.classifyAnchor?.(new Uint8Array(10)), null);
  });

  it('checks getEvidence arguments', async () => {
    enterEnclave(identity, state.dir);
    await assert.rejects(getEvidence({ nonce: new Uint8Array(65) }), (e: unknown) => isSecGearError(e, ErrorCode.BAD_PARAMETERS));
    await assert.rejects(getEvidence({ reportData: new Uint8Array(64 * 1024 + 1) }), (e: unknown) => isSecGearError(e, ErrorCode.BAD_PARAMETERS));
    // data is hashed into the evidence, so it may be longer than the 64-byte slot
    const long = new Uint8Array(600).fill(7);
    const result = await verifyEvidence(await getEvidence({ reportData: long }), { allowSimulation: true, trustAnchors: [anchor(state.dir)], reportData: long });
    assert.equal(result.verified, true, JSON.stringify(result.failure));
    await assert.rejects(getEvidence({ nonce: [1, 2] as never }), (e: unknown) => isSecGearError(e, ErrorCode.BAD_PARAMETERS));
  });

  it('property: the parser and verifier never crash on random or mutated bytes', async () => {
    const good = (await evidence()).data;
    const options = allow();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 1200 }),
          fc.uint8Array({ maxLength: 1200 }).map((tail) => Uint8Array.of(0x53, 0x47, 0x45, 0x56, 1, 1, 0, 0, ...tail)),
          fc.tuple(fc.nat(), fc.nat(), fc.uint8Array({ maxLength: 8 })).map(([at, cut, insert]) => {
            const i = at % good.byteLength;
            return Uint8Array.of(...good.subarray(0, i), ...insert, ...good.subarray(Math.min(good.byteLength, i + (cut % 4))));
          }),
        ),
        async (bytes) => {
          try {
            parseSimEvidence(bytes);
          } catch (error) {
            assert.ok(isSecGearError(error, ErrorCode.INVALID_EVIDENCE), String(error));
          }
          const result = await verifyEvidence(bytes, { ...options, format: 'sim' });
          if (!Buffer.from(bytes).equals(Buffer.from(good))) assert.equal(result.verified, false);
        },
      ),
      { seed: 0xe1d, numRuns: 200 },
    );
  });
});
