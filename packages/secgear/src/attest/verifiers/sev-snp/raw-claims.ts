import { decodeTcb, type SnpProduct, type SnpReport, type SnpTcb } from './report.js';
import type { EndorsementKeyInfo } from './vcek.js';

/** The report's own fields, named after the AMD ABI specification (snake_case as there). */
export function snpRawClaims(report: SnpReport, product: SnpProduct, keyInfo: EndorsementKeyInfo | null): Record<string, unknown> {
  const tcb = (bytes: Uint8Array): Record<string, unknown> => tcbClaims(decodeTcb(bytes, product));
  return {
    product,
    version: report.version,
    guest_svn: report.guestSvn,
    policy: {
      abi_major: report.policy.abiMajor,
      abi_minor: report.policy.abiMinor,
      smt: report.policy.smt,
      migrate_ma: report.policy.migrateMa,
      debug: report.policy.debug,
      single_socket: report.policy.singleSocket,
      cxl_allow: report.policy.cxlAllow,
      mem_aes_256_xts: report.policy.memAes256Xts,
      rapl_dis: report.policy.raplDis,
      ciphertext_hiding: report.policy.ciphertextHiding,
      page_swap_disable: report.policy.pageSwapDisable,
      raw: report.policy.raw,
    },
    family_id: report.familyId,
    image_id: report.imageId,
    vmpl: report.vmpl,
    signature_algo: report.signatureAlgo,
    current_tcb: tcb(report.currentTcbBytes),
    platform_info: {
      smt_en: report.platformInfo.smtEnabled,
      tsme_en: report.platformInfo.tsmeEnabled,
      ecc_en: report.platformInfo.eccEnabled,
      rapl_dis: report.platformInfo.raplDisabled,
      ciphertext_hiding_en: report.platformInfo.ciphertextHidingEnabled,
      alias_check_complete: report.platformInfo.aliasCheckComplete,
      raw: report.platformInfo.raw,
    },
    author_key_en: report.authorKeyEn,
    mask_chip_key: report.maskChipKey,
    signing_key: report.signingKey,
    report_data: report.reportData,
    measurement: report.measurement,
    host_data: report.hostData,
    id_key_digest: report.idKeyDigest,
    author_key_digest: report.authorKeyDigest,
    report_id: report.reportId,
    report_id_ma: report.reportIdMa,
    reported_tcb: tcb(report.reportedTcbBytes),
    cpuid: report.cpuid ? { fam_id: report.cpuid.family, mod_id: report.cpuid.model, step: report.cpuid.stepping } : null,
    chip_id: report.chipId,
    committed_tcb: tcb(report.committedTcbBytes),
    current_version: report.currentVersion,
    committed_version: report.committedVersion,
    launch_tcb: tcb(report.launchTcbBytes),
    launch_mit_vector: report.launchMitVector,
    current_mit_vector: report.currentMitVector,
    endorsement: keyInfo
      ? { kind: keyInfo.kind, product_name: keyInfo.productName, tcb: keyInfo.tcb, hw_id: keyInfo.hwId, csp_id: keyInfo.cspId }
      : null,
  };
}

function tcbClaims(t: SnpTcb): Record<string, unknown> {
  return { ...(t.fmc === null ? {} : { fmc: t.fmc }), bootloader: t.bootloader, tee: t.tee, snp: t.snp, microcode: t.microcode, raw: t.raw };
}
