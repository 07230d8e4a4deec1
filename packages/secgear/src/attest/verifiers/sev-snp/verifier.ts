import { verify as nodeVerify } from 'node:crypto';
import { bytesEqual } from '../../../common/bytes.js';
import { reportDataBindsNonce } from '../../nonce-binding.js';
import { parseCertificate, verifyCertificateChain } from '../../pki/chain.js';
import type { EvidenceVerifier, NormalizedClaims, TrustAnchor, VerifierContext, VerifierOutput } from '../../types.js';
import { buildChain, certificateKey, certificatesIn, collateralCertificates, x509Anchors } from '../anchors.js';
import { AppraisalBuilder, CheckList, errorMessage, unreadable } from '../check-list.js';
import { AMD_ROOT_KEYS, AMD_SIGNING_KEYS } from './amd-roots.js';
import { decodeTcb, formatTcb, parseSnpReport, productFromCpuid, tcbAtLeast, SNP_REPORT_SIZE, type SnpProduct, type SnpReport } from './report.js';
import { commonName, productFromAmdName, readEndorsementKeyInfo, type EndorsementKeyInfo } from './vcek.js';
import { snpRawClaims } from './raw-claims.js';

/**
 * AMD SEV-SNP verifier: the report signature by the VCEK (or VLEK), the chain VCEK→ASK→ARK
 * (VLEK→ASVK→ARK) to a built-in or given AMD root, and the report's consistency with the key's
 * certificate (reported TCB, chip id, product). AMD publishes no TCB status, so `tcbStatus`
 * stays null and the appraisal says which TCB was certified.
 */

interface Endorsement {
  der: Uint8Array;
  kind: 'vcek' | 'vlek';
  product: SnpProduct;
}

function endorsementCandidates(context: VerifierContext): { candidates: Endorsement[]; pool: Uint8Array[] } {
  const pool = collateralCertificates(context);
  const candidates: Endorsement[] = [];
  for (const der of pool) {
    try {
      const cert = parseCertificate(der);
      const cn = commonName(cert.subject);
      const product = productFromAmdName(commonName(cert.issuer));
      if ((cn === 'SEV-VCEK' || cn === 'SEV-VLEK') && product) candidates.push({ der, kind: cn === 'SEV-VCEK' ? 'vcek' : 'vlek', product });
    } catch {
      // not a certificate this verifier understands
    }
  }
  return { candidates, pool };
}

/** ECDSA P-384/SHA-384 over bytes 0x000–0x29F with the key of `der`; null when valid. */
function checkReportSignature(report: SnpReport, der: Uint8Array): string | null {
  try {
    const key = certificateKey(der);
    if (key.asymmetricKeyDetails?.namedCurve !== 'secp384r1') return 'the endorsement key is not a P-384 key';
    const ok = nodeVerify('sha384', report.signedBytes, { key, dsaEncoding: 'ieee-p1363' }, report.signature);
    return ok ? null : 'the report signature does not verify with the endorsement key (report altered or signed by another chip/TCB)';
  } catch (error) {
    return `the report signature could not be checked: ${errorMessage(error)}`;
  }
}

export async function verifySnpReport(data: Uint8Array, context: VerifierContext): Promise<VerifierOutput> {
  const checks = new CheckList();
  let report: SnpReport;
  try {
    report = parseSnpReport(data);
  } catch (error) {
    return unreadable('sev-snp', 'report.parse', error);
  }
  checks.pass('report.parse', `version ${report.version}, signed by ${report.signingKey.toUpperCase()}`);

  const cpuProduct = report.cpuid ? productFromCpuid(report.cpuid.family, report.cpuid.model) : null;
  const { candidates, pool } = endorsementCandidates(context);
  const wanted = report.signingKey === 'none' ? null : report.signingKey;
  const matching = candidates.filter((c) => c.kind === wanted);
  // when several are given, the one whose key signed the report is the one to check
  const signatureResults = matching.map((c) => checkReportSignature(report, c.der));
  const signedBy = signatureResults.findIndex((r) => r === null);
  const endorsement = matching[signedBy >= 0 ? signedBy : 0];
  const signatureFailure = signatureResults[signedBy >= 0 ? signedBy : 0] ?? null;
  let keyInfo: EndorsementKeyInfo | null = null;
  const product = endorsement?.product ?? cpuProduct ?? 'Milan';

  if (!wanted) checks.fail('report.signing-key', 'the report is unsigned (SIGNING_KEY = none)');
  else if (!endorsement) {
    checks.fail(`${wanted}.present`, `no ${wanted.toUpperCase()} certificate in the collateral; fetch it from AMD KDS for this chip and TCB and pass it with --collateral`);
  } else {
    checks.pass(`${wanted}.present`);
    const anchors = x509Anchors(context, AMD_ROOT_KEYS);
    const chain = buildChain(endorsement.der, [...pool, ...AMD_SIGNING_KEYS]);
    checks.outcomes.push(verifyCertificateChain(chain, { name: wanted, now: context.now, anchors }));
    checks.record(
      `${wanted}.product`,
      cpuProduct && cpuProduct !== endorsement.product ? `the report's CPUID says ${cpuProduct} but the ${wanted.toUpperCase()} is for ${endorsement.product}` : null,
      endorsement.product,
    );
    checks.record('report.signature', signatureFailure);
    try {
      keyInfo = readEndorsementKeyInfo(endorsement.der, endorsement.kind, endorsement.product);
      const reported = decodeTcb(report.reportedTcbBytes, product);
      const t = keyInfo.tcb;
      const same = t.bootloader === reported.bootloader && t.tee === reported.tee && t.snp === reported.snp && t.microcode === reported.microcode && (t.fmc ?? 0) === (reported.fmc ?? 0);
      checks.record(
        `${wanted}.tcb`,
        same ? null : `the report's REPORTED_TCB (${formatTcb(reported)}) differs from the TCB the ${wanted.toUpperCase()} was issued for (${formatTcb({ ...t, raw: 0n })})`,
        formatTcb(reported),
      );
      if (endorsement.kind === 'vcek') checks.record('vcek.hwid', hwIdMismatch(report, keyInfo.hwId));
    } catch (error) {
      checks.fail(`${wanted}.extensions`, errorMessage(error));
    }
  }

  const nonce = checkNonce(report, context.nonce, checks);
  const appraisal = appraise(report, product, keyInfo);
  return { tee: 'sev-snp', claims: { ...normalize(report), nonce }, rawClaims: snpRawClaims(report, product, keyInfo), checks: checks.outcomes, appraisal };
}

/**
 * SNP has no nonce field: a verifier's nonce travels in REPORT_DATA. It binds when REPORT_DATA
 * starts with it, or with its SHA-256, or is its SHA-512 (as for Intel quotes). Returns the
 * nonce to report as a claim, or null when none was asked for.
 */
function checkNonce(report: SnpReport, nonce: Uint8Array | undefined, checks: CheckList): Uint8Array | null {
  if (!nonce) return null;
  const bound = reportDataBindsNonce(report.reportData, nonce);
  checks.record('nonce.binding', bound ? null : 'REPORT_DATA holds neither the nonce nor its SHA-256 or SHA-512: stale or replayed evidence');
  return bound ? nonce : null;
}

function hwIdMismatch(report: SnpReport, hwId: Uint8Array | null): string | null {
  if (!hwId) return 'the VCEK has no hwID extension';
  if (report.maskChipKey || report.chipId.every((b) => b === 0)) return null; // the guest masked the chip id; the signature still binds the chip key
  const reported = report.chipId.subarray(0, hwId.byteLength);
  return bytesEqual(reported, hwId) ? null : "the report's CHIP_ID differs from the VCEK's hwID (the VCEK belongs to another chip)";
}

function appraise(report: SnpReport, product: SnpProduct, keyInfo: EndorsementKeyInfo | null) {
  const a = new AppraisalBuilder();
  const reported = decodeTcb(report.reportedTcbBytes, product);
  const current = decodeTcb(report.currentTcbBytes, product);
  if (report.policy.debug) a.add('warning', 'debug: the guest policy allows debugging, so the host can read guest memory');
  if (report.policy.migrateMa) a.add('warning', 'policy: a migration agent may be associated with the guest');
  if (!tcbAtLeast(reported, current)) {
    a.add('warning', `tcb: the report is signed for an older TCB (${formatTcb(reported)}) than the platform runs (${formatTcb(current)})`);
  }
  a.add('affirming', `tcb: AMD publishes no TCB status; the ${keyInfo?.kind.toUpperCase() ?? 'endorsement key'} certifies ${product} TCB ${formatTcb(reported)}, compare it with your minimum`);
  return a.build();
}

function normalize(report: SnpReport): NormalizedClaims {
  const hasIdBlock = report.idKeyDigest.some((b) => b !== 0);
  return {
    tee: 'sev-snp',
    measurement: report.measurement,
    measurements: { MEASUREMENT: report.measurement, HOST_DATA: report.hostData },
    signer: hasIdBlock ? report.idKeyDigest : null,
    prodId: null,
    svn: report.guestSvn,
    debug: report.policy.debug,
    reportData: report.reportData,
    nonce: null,
    tcbStatus: null,
    advisoryIds: [],
  };
}

function classifyCollateral(data: Uint8Array): string | null {
  try {
    const ders = certificatesIn(data);
    let role: string | null = null;
    for (const der of ders) {
      const cert = parseCertificate(der);
      const cn = commonName(cert.subject);
      if (cn === 'SEV-VCEK') return 'vcek';
      if (cn === 'SEV-VLEK') return 'vlek';
      if (productFromAmdName(cn)) role = 'askArk';
    }
    return role;
  } catch {
    return null;
  }
}

function classifyAnchor(data: Uint8Array): TrustAnchor | null {
  try {
    const ders = certificatesIn(data);
    for (const der of ders) {
      const cert = parseCertificate(der);
      if (commonName(cert.subject).startsWith('ARK-') && cert.subject === cert.issuer) return { kind: 'x509', der };
    }
  } catch {
    // not an AMD root
  }
  return null;
}

export const sevSnpVerifier: EvidenceVerifier = {
  format: 'sev-snp',
  detect(data) {
    if (data.byteLength !== SNP_REPORT_SIZE) return false;
    const version = data[0] | (data[1] << 8);
    return version >= 2 && version <= 5 && data[2] === 0 && data[3] === 0 && data[0x34] === 1 && data[0x35] === 0;
  },
  verify: verifySnpReport,
  checksNonce: true,
  classifyCollateral,
  classifyAnchor,
};
