/**
 * Drives verification from `../shared/vectors/manifest.json`: every entry of every format, at
 * its pinned time and at each `alsoExpect` time. Entries whose format has no registered
 * verifier yet are skipped with the reason, so plug-ins are covered as soon as they register.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectFormat, listVerifiers, loadTrustAnchors, verifyEvidence } from '../../src/attest/index.js';
import type { VerificationResult } from '../../src/attest/types.js';
import { readVector, vectorPath } from '../support/paths.js';
import { collateralFor, manifestEntries } from './verifiers/manifest.js';

const entries = manifestEntries();

/** Entries without a pinned time (`at: null`) are verified at this fixed instant, inside every such sample's certificate validity. */
const UNPINNED_AT = '2026-01-01T00:00:00Z';

/**
 * Where the manifest's expectation contradicts what the source project itself does, read from
 * SOURCES.md and the sources: the corrected expectation is asserted with the exact failing
 * check, and every other check of the entry must pass (so nothing is weakened).
 */
const CORRECTIONS: Record<string, { failedCheck: string; why: string }> = {
  'tdx-dcapqvl-v5-outdated': {
    failedCheck: 'tcb.level',
    why:
      'no TCB level of the eval#18 TCB Info is met: the PCK certificate has SGX TCB component 8 = 3 and every level needs 5. ' +
      'dcap-qvl itself rejects it ("No matching TCB level found"); its only test inserts a permissive all-zero level first (tests/verify_tcb_override.rs).',
  },
  'tdx-synthetic-testroot': {
    failedCheck: 'qeIdentity.mrsigner',
    why:
      "Intel's synthetic TDX sample ships a QE identity whose signed MRSIGNER (0bf58c3b...) is not the QE report's (e4bd9fc2...); " +
      "Intel's QVL returns QE_IDENTITY_MISMATCH for it (and its TCB Info has no module identity for the quote's TDX module version 0xC1). " +
      'SOURCES.md only states that signatures, binding and chain verify; test/attest/intel/verify.test.ts checks those.',
  },
};

const registered = new Set(listVerifiers().map((v) => v.format));

function describeFailure(r: VerificationResult): string {
  return r.failure ? `${r.failure.check}: ${r.failure.message}` : `appraisal ${r.appraisal.status}: ${r.appraisal.reasons.join('; ')}`;
}

describe('manifest vectors', () => {
  for (const entry of entries) {
    const skip = registered.has(entry.format) ? false : `no verifier registered for format "${entry.format}" yet`;
    describe(entry.id, { skip }, () => {
      const evidence = readVector(entry.evidence);
      const collateral = collateralFor(entry);
      const anchorsPromise = loadTrustAnchors(entry.anchors.map(vectorPath));
      const correction = CORRECTIONS[entry.id];
      const verify = async (at: string) => {
        const { anchors } = await anchorsPromise;
        return verifyEvidence(evidence, { format: entry.format, collateral, trustAnchors: anchors, replaceBuiltInAnchors: true, now: new Date(at) });
      };

      const at = entry.at ?? UNPINNED_AT;
      it(`at ${at}: ${correction ? `rejected at ${correction.failedCheck} (manifest corrected: ${correction.why})` : entry.expect.verified ? 'verifies' : 'is rejected'}`, async () => {
        const result = await verify(at);
        if (correction) {
          assert.equal(result.verified, false);
          assert.equal(result.failure?.check, correction.failedCheck, describeFailure(result));
          const others = result.checks.filter((c) => c.check !== correction.failedCheck);
          assert.ok(others.length > 5 && others.every((c) => c.ok), 'every check before the corrected one passes');
          return;
        }
        assert.equal(result.verified, entry.expect.verified, describeFailure(result));
        if (!result.verified) {
          assert.ok(result.failure && result.failure.check && result.failure.message, 'a rejection names the failed check');
          assert.equal(result.appraisal.status, 'contraindicated');
        }
        if (entry.expect.tcbStatus !== undefined) assert.equal(result.claims?.tcbStatus, entry.expect.tcbStatus);
        if (entry.expect.advisoryIds !== undefined) assert.deepEqual([...(result.claims?.advisoryIds ?? [])].sort(), [...entry.expect.advisoryIds].sort());
      });

      for (const later of entry.alsoExpect) {
        it(`at ${later.at}: ${later.verified ? 'verifies' : 'is rejected'}`, async () => {
          const result = await verify(later.at);
          assert.equal(result.verified, later.verified, describeFailure(result));
          if (!later.verified) assert.ok(result.failure?.check, 'a rejection names the failed check');
        });
      }

      it('its format is detected from the bytes', () => {
        assert.equal(detectFormat(evidence), entry.format);
      });
    });
  }
});
