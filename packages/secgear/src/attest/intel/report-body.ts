import { ByteReader } from './byte-reader.js';

/** SGX enclave report (384 bytes): the ISV enclave's report in SGX quotes and the QE report. */
export interface SgxReport {
  cpuSvn: Uint8Array;
  miscSelect: number;
  isvExtProdId: Uint8Array;
  /** 16 bytes: flags (u64) then XFRM (u64). */
  attributes: Uint8Array;
  mrEnclave: Uint8Array;
  mrSigner: Uint8Array;
  configId: Uint8Array;
  isvProdId: number;
  isvSvn: number;
  configSvn: number;
  isvFamilyId: Uint8Array;
  reportData: Uint8Array;
  /** The 384 bytes as they appear in the quote (the QE report signature covers them). */
  raw: Uint8Array;
}

export const SGX_REPORT_SIZE = 384;
export const TD10_REPORT_SIZE = 584;
export const TD15_REPORT_SIZE = 648;

/** Parses an SGX enclave report at the reader's position. */
export function readSgxReport(reader: ByteReader): SgxReport {
  const raw = reader.take(SGX_REPORT_SIZE, 'enclave report');
  const r = new ByteReader(raw, 0, raw.byteLength, 'enclave report');
  const cpuSvn = r.take(16, 'CPUSVN');
  const miscSelect = r.u32('MISCSELECT');
  r.take(12, 'reserved');
  const isvExtProdId = r.take(16, 'ISVEXTPRODID');
  const attributes = r.take(16, 'ATTRIBUTES');
  const mrEnclave = r.take(32, 'MRENCLAVE');
  r.take(32, 'reserved');
  const mrSigner = r.take(32, 'MRSIGNER');
  r.take(32, 'reserved');
  const configId = r.take(64, 'CONFIGID');
  const isvProdId = r.u16('ISVPRODID');
  const isvSvn = r.u16('ISVSVN');
  const configSvn = r.u16('CONFIGSVN');
  r.take(42, 'reserved');
  const isvFamilyId = r.take(16, 'ISVFAMILYID');
  const reportData = r.take(64, 'REPORTDATA');
  return { cpuSvn, miscSelect, isvExtProdId, attributes, mrEnclave, mrSigner, configId, isvProdId, isvSvn, configSvn, isvFamilyId, reportData, raw };
}

/** SGX ATTRIBUTES.FLAGS bit 1: the enclave runs in debug mode (its memory is readable). */
export function sgxReportIsDebug(report: SgxReport): boolean {
  return (report.attributes[0] & 0x02) !== 0;
}

/** TD report body of TDX quotes: 1.0 (584 bytes) or 1.5 (648 bytes, adds TEE_TCB_SVN2 and MRSERVICETD). */
export interface TdReport {
  version: '1.0' | '1.5';
  teeTcbSvn: Uint8Array;
  mrSeam: Uint8Array;
  mrSignerSeam: Uint8Array;
  seamAttributes: Uint8Array;
  tdAttributes: Uint8Array;
  xfam: Uint8Array;
  mrTd: Uint8Array;
  mrConfigId: Uint8Array;
  mrOwner: Uint8Array;
  mrOwnerConfig: Uint8Array;
  rtmr: [Uint8Array, Uint8Array, Uint8Array, Uint8Array];
  reportData: Uint8Array;
  teeTcbSvn2: Uint8Array | null;
  mrServiceTd: Uint8Array | null;
}

export function readTdReport(reader: ByteReader, version: '1.0' | '1.5'): TdReport {
  const teeTcbSvn = reader.take(16, 'TEE_TCB_SVN');
  const mrSeam = reader.take(48, 'MRSEAM');
  const mrSignerSeam = reader.take(48, 'MRSIGNERSEAM');
  const seamAttributes = reader.take(8, 'SEAMATTRIBUTES');
  const tdAttributes = reader.take(8, 'TDATTRIBUTES');
  const xfam = reader.take(8, 'XFAM');
  const mrTd = reader.take(48, 'MRTD');
  const mrConfigId = reader.take(48, 'MRCONFIGID');
  const mrOwner = reader.take(48, 'MROWNER');
  const mrOwnerConfig = reader.take(48, 'MROWNERCONFIG');
  const rtmr: TdReport['rtmr'] = [reader.take(48, 'RTMR0'), reader.take(48, 'RTMR1'), reader.take(48, 'RTMR2'), reader.take(48, 'RTMR3')];
  const reportData = reader.take(64, 'REPORTDATA');
  let teeTcbSvn2: Uint8Array | null = null;
  let mrServiceTd: Uint8Array | null = null;
  if (version === '1.5') {
    teeTcbSvn2 = reader.take(16, 'TEE_TCB_SVN2');
    mrServiceTd = reader.take(48, 'MRSERVICETD');
  }
  return { version, teeTcbSvn, mrSeam, mrSignerSeam, seamAttributes, tdAttributes, xfam, mrTd, mrConfigId, mrOwner, mrOwnerConfig, rtmr, reportData, teeTcbSvn2, mrServiceTd };
}

/** TD_ATTRIBUTES bit 0 (TUD.DEBUG): the TD runs in debug mode (the host can read its state). */
export function tdReportIsDebug(report: TdReport): boolean {
  return (report.tdAttributes[0] & 0x01) !== 0;
}
