import { ByteReader, invalidEvidence } from './byte-reader.js';
import { readSgxReport, readTdReport, type SgxReport, type TdReport, SGX_REPORT_SIZE, TD10_REPORT_SIZE, TD15_REPORT_SIZE } from './report-body.js';

/** TEE type field of quote headers v4/v5. */
export const TEE_TYPE_SGX = 0x00000000;
export const TEE_TYPE_TDX = 0x00000081;
/** The only attestation key type Intel quoting enclaves produce: ECDSA-256 with P-256. */
export const ATTESTATION_KEY_TYPE_ECDSA_P256 = 2;

/** Certification data type 5: the PCK certificate chain (PEM), as every real quote carries it. */
export const CERT_DATA_PCK_CHAIN = 5;
/** Certification data type 6: the QE report certification data wrapper of v4/v5 quotes. */
export const CERT_DATA_QE_REPORT = 6;

/** The 48-byte quote header. */
export interface QuoteHeader {
  version: number;
  attestationKeyType: number;
  /** 0 (SGX) or 0x81 (TDX); v3 quotes are SGX. */
  teeType: number;
  /** v3 only (zero in v4/v5). */
  qeSvn: number;
  pceSvn: number;
  qeVendorId: Uint8Array;
  userData: Uint8Array;
}

/** The attested report: an SGX enclave report or a TD report. */
export type QuoteBody =
  | { kind: 'sgx'; report: SgxReport }
  | { kind: 'td'; report: TdReport };

/** Certification data: its type and bytes (type 5: PEM PCK chain). */
export interface CertificationData {
  type: number;
  data: Uint8Array;
}

/** A parsed DCAP quote: views into the original bytes, nothing copied. */
export interface Quote {
  header: QuoteHeader;
  /** v5 body type (1 SGX, 2 TD 1.0, 3 TD 1.5); derived for v3/v4. */
  bodyType: number;
  body: QuoteBody;
  /** The bytes the attestation key signed: header and body (and the v5 body descriptor). */
  signedData: Uint8Array;
  signature: Uint8Array;
  attestationKey: Uint8Array;
  qeReport: SgxReport;
  qeReportSignature: Uint8Array;
  qeAuthData: Uint8Array;
  /** The innermost certification data (type 5 PCK chain in real quotes). */
  certification: CertificationData;
  /** Length of the quote proper; bytes after it are unsigned padding. */
  length: number;
  trailingBytes: number;
}

const HEADER_SIZE = 48;

function readHeader(r: ByteReader): QuoteHeader {
  const version = r.u16('header.version');
  const attestationKeyType = r.u16('header.attestationKeyType');
  const teeField = r.u32('header.teeType');
  const qeSvn = r.u16('header.qeSvn');
  const pceSvn = r.u16('header.pceSvn');
  const qeVendorId = r.take(16, 'header.qeVendorId');
  const userData = r.take(20, 'header.userData');
  if (version !== 3 && version !== 4 && version !== 5) invalidEvidence(`unsupported quote version ${version}; versions 3, 4 and 5 are supported`);
  if (attestationKeyType !== ATTESTATION_KEY_TYPE_ECDSA_P256) {
    invalidEvidence(`unsupported attestation key type ${attestationKeyType}; only 2 (ECDSA-256 with P-256) is produced by Intel quoting enclaves`);
  }
  const teeType = version === 3 ? TEE_TYPE_SGX : teeField;
  if (version === 3 && teeField !== 0) invalidEvidence(`quote v3 has a non-zero reserved field at offset 4 (${teeField})`);
  if (teeType !== TEE_TYPE_SGX && teeType !== TEE_TYPE_TDX) invalidEvidence(`unknown TEE type 0x${teeType.toString(16)} in quote header`);
  return {
    version,
    attestationKeyType,
    teeType,
    qeSvn: version === 3 ? qeSvn : 0,
    pceSvn: version === 3 ? pceSvn : 0,
    qeVendorId,
    userData,
  };
}

function readBody(r: ByteReader, header: QuoteHeader): { bodyType: number; body: QuoteBody } {
  let bodyType: number;
  let size: number;
  if (header.version === 5) {
    bodyType = r.u16('body.type');
    size = r.u32('body.size');
    const expected = bodyType === 1 ? SGX_REPORT_SIZE : bodyType === 2 ? TD10_REPORT_SIZE : bodyType === 3 ? TD15_REPORT_SIZE : -1;
    if (expected < 0) invalidEvidence(`unknown quote v5 body type ${bodyType}; 1 (SGX), 2 (TD 1.0) and 3 (TD 1.5) are defined`);
    if (size !== expected) invalidEvidence(`quote v5 body type ${bodyType} must be ${expected} bytes, the descriptor says ${size}`);
    if ((bodyType === 1) !== (header.teeType === TEE_TYPE_SGX)) invalidEvidence(`quote v5 body type ${bodyType} does not match TEE type 0x${header.teeType.toString(16)}`);
  } else {
    bodyType = header.teeType === TEE_TYPE_SGX ? 1 : 2;
  }
  if (bodyType === 1) return { bodyType, body: { kind: 'sgx', report: readSgxReport(r) } };
  return { bodyType, body: { kind: 'td', report: readTdReport(r, bodyType === 3 ? '1.5' : '1.0') } };
}

/** Reads QE report, its signature, QE auth data and the inner certification data, ending exactly at `end`. */
function readQeSection(r: ByteReader, end: number, what: string) {
  const start = r.position;
  const qeReport = readSgxReport(r);
  const qeReportSignature = r.take(64, 'qeReportSignature');
  const authSize = r.u16('qeAuthData.size');
  const qeAuthData = r.take(authSize, 'qeAuthData');
  const type = r.u16('certificationData.type');
  const size = r.u32('certificationData.size');
  const data = r.take(size, 'certificationData');
  if (r.position !== end) invalidEvidence(`${what} declares ${end - start} bytes but its fields take ${r.position - start}; the quote is malformed`);
  return { qeReport, qeReportSignature, qeAuthData, certification: { type, data } };
}

/**
 * Parses an SGX (v3, v4, v5) or TDX (v4, v5) DCAP quote; no signature or certificate is checked
 * (that is `verifyEvidence`). Throws `SecGearError`
 * (`CC_ERROR_INVALID_EVIDENCE`) naming the field on any malformed or truncated input; bytes
 * after the declared signature data are tolerated and counted in `trailingBytes`.
 */
export function parseQuote(bytes: Uint8Array): Quote {
  if (!(bytes instanceof Uint8Array)) invalidEvidence('quote must be a Uint8Array');
  const r = new ByteReader(bytes);
  const header = readHeader(r);
  const { bodyType, body } = readBody(r, header);
  const signedData = bytes.subarray(0, r.position);
  const sigDataLength = r.u32('signatureData.length');
  const sigStart = r.position;
  const sigEnd = sigStart + sigDataLength;
  if (sigEnd > bytes.byteLength) invalidEvidence(`quote truncated: signature data declares ${sigDataLength} bytes but only ${bytes.byteLength - sigStart} follow`);
  const s = new ByteReader(bytes, sigStart, sigEnd, 'quote signature data');
  const signature = s.take(64, 'signature');
  const attestationKey = s.take(64, 'attestationKey');
  let section;
  if (header.version === 3) {
    section = readQeSection(s, sigEnd, 'quote v3 signature data');
  } else {
    const outerType = s.u16('certificationData.type');
    const outerSize = s.u32('certificationData.size');
    if (outerType !== CERT_DATA_QE_REPORT) invalidEvidence(`quote v${header.version} certification data must be type 6 (QE report), found type ${outerType}`);
    if (s.position + outerSize !== sigEnd) invalidEvidence(`QE report certification data size ${outerSize} does not match the signature data length ${sigDataLength}`);
    section = readQeSection(s, sigEnd, 'QE report certification data');
  }
  return {
    header,
    bodyType,
    body,
    signedData,
    signature,
    attestationKey,
    ...section,
    length: sigEnd,
    trailingBytes: bytes.byteLength - sigEnd,
  };
}

/** Cheap recognition for format detection: a plausible header of the given TEE. */
export function looksLikeQuote(bytes: Uint8Array, tee: 'sgx' | 'tdx'): boolean {
  if (bytes.byteLength < HEADER_SIZE + SGX_REPORT_SIZE + 4) return false;
  const version = bytes[0] | (bytes[1] << 8);
  const keyType = bytes[2] | (bytes[3] << 8);
  const teeType = bytes[4] | (bytes[5] << 8) | (bytes[6] << 16) | (bytes[7] << 24);
  if (keyType !== ATTESTATION_KEY_TYPE_ECDSA_P256) return false;
  if (version === 3) return tee === 'sgx' && teeType === 0;
  if (version === 4 || version === 5) return teeType === (tee === 'sgx' ? TEE_TYPE_SGX : TEE_TYPE_TDX);
  return false;
}
