/**
 * Simulated local attestation (EREPORT / EGETKEY REPORT_KEY): a report names the reporting
 * enclave and is MACed with a key derived from the platform's report root and the TARGET's
 * identity, so only the target (whose platform derives the same key from its own identity) can
 * check it. Byte layouts: docs/formats/local-report.md.
 */
import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { bytesEqual, concatBytes, constantTimeEqual, isBytes } from '../../common/bytes.js';
import { ErrorCode, SecGearError } from '../../common/errors.js';
import type { EnclaveIdentity } from '../../common/platform.js';
import { REPORT_DATA_SIZE, type VerifiedReport } from '../../common/platform-ops.js';
import { readIdentityBlock, writeIdentityBlock } from './identity-block.js';

export const TARGET_INFO_MAGIC = 0x53475449; // "SGTI"
export const REPORT_MAGIC = 0x53474c52; // "SGLR"
export const TARGET_INFO_SIZE = 56;
export const REPORT_SIZE = 292;
const MAC_OFFSET = 260;
const VERSION = 1;
const LABEL = new TextEncoder().encode('secgear sim v1 report key\0');

export interface TargetInfo {
  measurement: Uint8Array;
  debug: boolean;
}

export interface LocalReport {
  identity: EnclaveIdentity;
  reportData: Uint8Array;
  target: TargetInfo;
  keyId: Uint8Array;
  mac: Uint8Array;
}

function invalid(what: string, message: string): never {
  throw new SecGearError(ErrorCode.INVALID_REPORT, `${what}: ${message}`);
}

export function encodeTargetInfo(target: TargetInfo): Uint8Array {
  const out = new Uint8Array(TARGET_INFO_SIZE);
  const view = new DataView(out.buffer);
  view.setUint32(0, TARGET_INFO_MAGIC);
  out[4] = VERSION;
  out[5] = target.debug ? 1 : 0;
  out.set(target.measurement, 8);
  return out;
}

export function parseTargetInfo(bytes: unknown): TargetInfo {
  const what = 'target info';
  checkHeader(bytes, what, TARGET_INFO_SIZE, TARGET_INFO_MAGIC, 'getTargetInfo()');
  if (bytes[5] > 1 || bytes[6] !== 0 || bytes[7] !== 0) invalid(what, 'reserved bits are set');
  return { measurement: bytes.slice(8, 56), debug: bytes[5] === 1 };
}

function encodeBody(identity: EnclaveIdentity, reportData: Uint8Array, target: TargetInfo, keyId: Uint8Array): Uint8Array {
  const out = new Uint8Array(REPORT_SIZE);
  new DataView(out.buffer).setUint32(0, REPORT_MAGIC);
  out[4] = VERSION;
  out[5] = identity.debug ? 1 : 0;
  writeIdentityBlock(out, identity, reportData);
  out.set(target.measurement, 176);
  out[224] = target.debug ? 1 : 0;
  out.set(keyId, 228);
  return out;
}

/** Parses a report's layout; checks nothing about its MAC. */
export function parseReport(bytes: unknown): LocalReport {
  const what = 'local report';
  checkHeader(bytes, what, REPORT_SIZE, REPORT_MAGIC, 'getReport()');
  if (bytes[5] > 1 || bytes[6] !== 0 || bytes[7] !== 0) invalid(what, 'reserved bits are set in the flags');
  if (bytes[224] > 1 || bytes[225] !== 0 || bytes[226] !== 0 || bytes[227] !== 0) invalid(what, 'reserved bits are set in the target flags');
  return {
    ...readIdentityBlock(bytes, bytes[5] === 1),
    target: { measurement: bytes.slice(176, 224), debug: bytes[224] === 1 },
    keyId: bytes.slice(228, 260),
    mac: bytes.slice(MAC_OFFSET, REPORT_SIZE),
  };
}

/** Type, length, magic and version: what target info and reports check alike. */
function checkHeader(bytes: unknown, what: string, size: number, magic: number, source: string): asserts bytes is Uint8Array {
  if (!isBytes(bytes)) invalid(what, `expected a Uint8Array from ${source}`);
  if (bytes.byteLength !== size) invalid(what, `expected ${size} bytes, got ${bytes.byteLength}`);
  if (new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0) !== magic) invalid(what, `bad magic (not produced by ${source})`);
  if (bytes[4] !== VERSION) invalid(what, `unsupported version ${bytes[4]}`);
}

function reportKey(reportRoot: Uint8Array, target: TargetInfo, keyId: Uint8Array): Uint8Array {
  const info = concatBytes(LABEL, Uint8Array.of(target.debug ? 1 : 0), target.measurement);
  return new Uint8Array(hkdfSync('sha256', reportRoot, keyId, info, 32));
}

function mac(key: Uint8Array, body: Uint8Array): Uint8Array {
  return new Uint8Array(createHmac('sha256', key).update(body.subarray(0, MAC_OFFSET)).digest());
}

/** EREPORT: a report on `identity` for the enclave named by `targetInfo`. */
export function createReport(reportRoot: Uint8Array, identity: EnclaveIdentity, targetInfo: unknown, reportData: unknown): Uint8Array {
  const target = parseTargetInfo(targetInfo);
  const data = padReportData(reportData);
  const report = encodeBody(identity, data, target, new Uint8Array(randomBytes(32)));
  const key = reportKey(reportRoot, target, report.subarray(228, 260));
  report.set(mac(key, report), MAC_OFFSET);
  key.fill(0);
  return report;
}

/** Checks a report as its target `self` would: addressed to `self`, MAC made with `self`'s report key. */
export function verifyReport(reportRoot: Uint8Array, self: EnclaveIdentity, bytes: unknown): VerifiedReport {
  const report = parseReport(bytes);
  if (!bytesEqual(report.target.measurement, self.measurement) || report.target.debug !== self.debug) {
    throw new SecGearError(
      ErrorCode.INVALID_REPORT,
      'local report: it was made for another enclave (its target info names a different measurement or debug mode); ' +
        'pass this enclave\'s getTargetInfo() to getReport()',
    );
  }
  const key = reportKey(reportRoot, { measurement: self.measurement, debug: self.debug }, report.keyId);
  const expected = mac(key, bytes as Uint8Array);
  key.fill(0);
  if (!constantTimeEqual(expected, report.mac)) {
    throw new SecGearError(ErrorCode.MAC_INVALID, 'local report: the MAC does not verify (the report was altered, or made on another platform)');
  }
  return { identity: report.identity, reportData: report.reportData };
}

/** Report data is 64 bytes; shorter input is zero-padded on the right (as a hash usually is). */
export function padReportData(value: unknown): Uint8Array {
  if (value === undefined) return new Uint8Array(REPORT_DATA_SIZE);
  if (!isBytes(value) || value.byteLength > REPORT_DATA_SIZE) {
    throw new SecGearError(ErrorCode.BAD_PARAMETERS, `report data must be a Uint8Array of at most ${REPORT_DATA_SIZE} bytes`);
  }
  const out = new Uint8Array(REPORT_DATA_SIZE);
  out.set(value);
  return out;
}
