/**
 * Local attestation between two enclaves on one platform (SGX EREPORT / EGETKEY REPORT_KEY):
 * enclave B hands A its `getTargetInfo()`; A calls `getReport(targetInfo, reportData)`; B
 * checks the report with `verifyReport(report)` and learns A's identity and report data. Only
 * the named target can verify a report. Formats are the platform's (sim: docs/formats/local-report.md).
 */
import { isBytes } from '../common/bytes.js';
import { ErrorCode, SecGearError } from '../common/errors.js';
import type { EnclaveIdentity } from '../common/platform.js';
import { PlatformOp, REPORT_DATA_SIZE, type VerifiedReport } from '../common/platform-ops.js';
import { platformCall } from './runtime/platform-call.js';

export type { VerifiedReport } from '../common/platform-ops.js';

/** This enclave's target info: give it to an enclave that should produce a report for this one. */
export async function getTargetInfo(): Promise<Uint8Array> {
  return expectBytes(await platformCall(PlatformOp.targetInfo), 'target info');
}

/**
 * A report on this enclave for the enclave named by `targetInfo`, carrying `reportData`
 * (at most 64 bytes, zero-padded on the right; typically a hash of a public key).
 */
export async function getReport(targetInfo: Uint8Array, reportData: Uint8Array = new Uint8Array(REPORT_DATA_SIZE)): Promise<Uint8Array> {
  if (!isBytes(targetInfo)) throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'targetInfo must be the Uint8Array from the target enclave\'s getTargetInfo()');
  if (!isBytes(reportData) || reportData.byteLength > REPORT_DATA_SIZE) {
    throw new SecGearError(ErrorCode.BAD_PARAMETERS, `reportData must be a Uint8Array of at most ${REPORT_DATA_SIZE} bytes`);
  }
  return expectBytes(await platformCall(PlatformOp.createReport, targetInfo, reportData), 'report');
}

/**
 * Verifies a report made for this enclave. Returns the reporting enclave's identity and its
 * 64 bytes of report data; fails with CC_ERROR_INVALID_REPORT (malformed, or made for another
 * enclave) or CC_ERROR_MAC_INVALID (altered or from another platform).
 */
export async function verifyReport(report: Uint8Array): Promise<VerifiedReport> {
  if (!isBytes(report)) throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'report must be a Uint8Array from getReport()');
  const result = (await platformCall(PlatformOp.verifyReport, report)) as VerifiedReport;
  const identity = result?.identity as EnclaveIdentity | undefined;
  if (!identity || !isBytes(identity.measurement) || !isBytes(identity.signer) || !isBytes(result.reportData)) {
    throw new SecGearError(ErrorCode.GENERIC, 'the platform returned a malformed report verification result');
  }
  return result;
}

function expectBytes(value: unknown, what: string): Uint8Array {
  if (!isBytes(value)) throw new SecGearError(ErrorCode.GENERIC, `the platform returned a malformed ${what}`);
  return value;
}
