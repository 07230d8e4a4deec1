import type { NormalizedClaims, TcbStatus } from '../types.js';
import type { PckExtension } from './pck-extension.js';
import type { Quote } from './quote.js';
import { sgxReportIsDebug, tdReportIsDebug, type SgxReport, type TdReport } from './report-body.js';

function sgxRaw(r: SgxReport): Record<string, unknown> {
  return {
    cpuSvn: r.cpuSvn,
    miscSelect: r.miscSelect,
    isvExtProdId: r.isvExtProdId,
    attributes: r.attributes,
    mrEnclave: r.mrEnclave,
    mrSigner: r.mrSigner,
    configId: r.configId,
    isvProdId: r.isvProdId,
    isvSvn: r.isvSvn,
    configSvn: r.configSvn,
    isvFamilyId: r.isvFamilyId,
    reportData: r.reportData,
  };
}

function tdRaw(r: TdReport): Record<string, unknown> {
  const out: Record<string, unknown> = {
    tdReportVersion: r.version,
    teeTcbSvn: r.teeTcbSvn,
    mrSeam: r.mrSeam,
    mrSignerSeam: r.mrSignerSeam,
    seamAttributes: r.seamAttributes,
    tdAttributes: r.tdAttributes,
    xfam: r.xfam,
    mrTd: r.mrTd,
    mrConfigId: r.mrConfigId,
    mrOwner: r.mrOwner,
    mrOwnerConfig: r.mrOwnerConfig,
    rtmr0: r.rtmr[0],
    rtmr1: r.rtmr[1],
    rtmr2: r.rtmr[2],
    rtmr3: r.rtmr[3],
    reportData: r.reportData,
  };
  if (r.teeTcbSvn2) out.teeTcbSvn2 = r.teeTcbSvn2;
  if (r.mrServiceTd) out.mrServiceTd = r.mrServiceTd;
  return out;
}

/** The quote's own fields, after Intel's names (hex at the JSON edge). */
export function rawQuoteClaims(quote: Quote, pck: PckExtension | null): Record<string, unknown> {
  const h = quote.header;
  return {
    quoteVersion: h.version,
    teeType: h.teeType,
    attestationKeyType: h.attestationKeyType,
    qeSvn: h.qeSvn,
    pceSvn: h.pceSvn,
    qeVendorId: h.qeVendorId,
    userData: h.userData,
    bodyType: quote.bodyType,
    ...(quote.body.kind === 'sgx' ? sgxRaw(quote.body.report) : tdRaw(quote.body.report)),
    qeReport: { mrEnclave: quote.qeReport.mrEnclave, mrSigner: quote.qeReport.mrSigner, isvProdId: quote.qeReport.isvProdId, isvSvn: quote.qeReport.isvSvn },
    certificationDataType: quote.certification.type,
    trailingBytes: quote.trailingBytes,
    ...(pck ? { fmspc: pck.fmspc, pceId: pck.pceId, pckTcb: { components: pck.components, pceSvn: pck.pceSvn, cpuSvn: pck.cpuSvn }, sgxType: pck.sgxType } : {}),
  };
}

/** Normalized claims: SGX measurement = MRENCLAVE, signer = MRSIGNER; TDX measurement = MRTD. */
export function normalizedClaims(quote: Quote, tcbStatus: TcbStatus | null, advisoryIds: string[], nonce: Uint8Array | null): NormalizedClaims {
  if (quote.body.kind === 'sgx') {
    const r = quote.body.report;
    return {
      tee: 'sgx',
      measurement: r.mrEnclave,
      measurements: { MRENCLAVE: r.mrEnclave, MRSIGNER: r.mrSigner, CONFIGID: r.configId },
      signer: r.mrSigner,
      prodId: r.isvProdId,
      svn: r.isvSvn,
      debug: sgxReportIsDebug(r),
      reportData: r.reportData,
      nonce,
      tcbStatus,
      advisoryIds,
    };
  }
  const r = quote.body.report;
  const measurements: Record<string, Uint8Array> = {
    MRTD: r.mrTd,
    RTMR0: r.rtmr[0],
    RTMR1: r.rtmr[1],
    RTMR2: r.rtmr[2],
    RTMR3: r.rtmr[3],
    MRCONFIGID: r.mrConfigId,
    MROWNER: r.mrOwner,
    MROWNERCONFIG: r.mrOwnerConfig,
    MRSEAM: r.mrSeam,
  };
  if (r.mrServiceTd) measurements.MRSERVICETD = r.mrServiceTd;
  return {
    tee: 'tdx',
    measurement: r.mrTd,
    measurements,
    signer: null,
    prodId: null,
    svn: null,
    debug: tdReportIsDebug(r),
    reportData: r.reportData,
    nonce,
    tcbStatus,
    advisoryIds,
  };
}
