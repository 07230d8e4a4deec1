import type { EvidenceFormat } from './types.js';

/** Media types of the evidence envelope (CMW), one per format. */
export const EVIDENCE_MEDIA_TYPES: Record<EvidenceFormat, string> = {
  sim: 'application/vnd.secgear.sim-evidence',
  'sgx-dcap': 'application/vnd.intel.sgx.quote',
  tdx: 'application/vnd.intel.tdx.quote',
  'sev-snp': 'application/vnd.amd.sev-snp.report',
  nitro: 'application/vnd.aws.nitro-enclaves.attestation-document+cose',
  cca: 'application/eat-collection; profile="http://arm.com/CCA-SSD/1.0.0"',
  virtcca: 'application/vnd.huawei.virtcca.token',
  'ra-tls-cert': 'application/pkix-cert',
};

/** The evidence format of an envelope's media type; undefined for a type no format uses. */
export function formatForMediaType(mediaType: string): EvidenceFormat | undefined {
  for (const [format, type] of Object.entries(EVIDENCE_MEDIA_TYPES)) if (type === mediaType) return format as EvidenceFormat;
  return undefined;
}
