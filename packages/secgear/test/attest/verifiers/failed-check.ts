import assert from 'node:assert/strict';
import type { VerificationResult } from '../../../src/attest/types.js';

/** The name of the check a rejected result failed; asserts that it was rejected, says why, and is contraindicated. */
export function failedCheck(result: VerificationResult): string {
  assert.equal(result.verified, false, 'expected a rejection');
  assert.ok(result.failure && result.failure.message.length > 0, 'a rejection names its check and reason');
  assert.equal(result.appraisal.status, 'contraindicated');
  return result.failure.check;
}
