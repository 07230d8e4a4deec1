/**
 * The platform of the `cvm` backend. In a confidential VM the whole VM is the TEE, so this
 * platform runs in the host process (inside the VM) and reaches the TEE through configfs-tsm,
 * directly or through the evidence agent:
 * - evidence: a TDX quote, SEV-SNP report or CCA token whose report data is secGear's evidence
 *   binding of nonce and data; SEV-SNP certificates from `auxblob` and, on TDX, the RTMR event
 *   log travel beside it (`aux`);
 * - sealing: no hardware sealing key is reachable without ioctls, so the base key comes from
 *   `sealingRoot` (a key EKMS released to this VM after attestation); without one, refused;
 * - local attestation: reports MACed with a random key of this process, so only enclaves
 *   started by the same host process can verify each other's reports. The VM is one trust
 *   domain: this separates enclaves from each other, not from the VM's kernel.
 */
import { randomBytes } from 'node:crypto';
import { ErrorCode, SecGearError } from '../../common/errors.js';
import { wipeAfterSend, type EnclaveIdentity, type PlatformService } from '../../common/platform.js';
import { PlatformOp, type PlatformEvidence } from '../../common/platform-ops.js';
import { createReport, encodeTargetInfo, verifyReport } from '../sim-platform/local-report.js';
import { sealKeyFor } from '../sim-platform/seal-keys.js';
import type { TsmReport } from '../tee-files/configfs-tsm.js';
import { reportDataForRequest } from '../tee-files/report-data.js';
import type { RtmrEventLog } from '../tee-files/rtmr.js';
import { parseSnpCertTable } from '../tee-files/snp-cert-table.js';

/** Media types of the envelope, one per configfs-tsm provider's format (as secgear/attest names them). */
export const CVM_MEDIA_TYPES = {
  tdx: 'application/vnd.intel.tdx.quote',
  'sev-snp': 'application/vnd.amd.sev-snp.report',
  cca: 'application/eat-collection; profile="http://arm.com/CCA-SSD/1.0.0"',
} as const;

export interface CvmPlatformDeps {
  /** One configfs-tsm request for these 64 bytes of report data (direct or through the agent). */
  report(inblob: Uint8Array): Promise<TsmReport>;
  /** The RTMR event log, when this VM extends RTMRs (TDX). */
  eventLog?: RtmrEventLog;
  /** 32 bytes released by EKMS after attestation; the root of this VM's sealing keys. */
  sealingRoot?: Uint8Array;
  /** Per-process key of local reports (shared by every enclave this backend instance starts). */
  reportRoot: Uint8Array;
}

export function createCvmPlatform(identity: EnclaveIdentity, deps: CvmPlatformDeps): PlatformService {
  return {
    kind: 'hardware',
    async handle(op: string, args: unknown[]): Promise<unknown> {
      const a = Array.isArray(args) ? args : [];
      switch (op) {
        case PlatformOp.sealKey: {
          if (!deps.sealingRoot) {
            throw new SecGearError(
              ErrorCode.NOT_SUPPORTED,
              'a confidential VM has no sealing key reachable without ioctls: have EKMS release a key to this VM after attestation and pass it as the cvm backend\'s sealingRoot',
            );
          }
          const response = sealKeyFor(deps.sealingRoot, identity, a[0]);
          return wipeAfterSend(response, response.key);
        }
        case PlatformOp.targetInfo:
          return encodeTargetInfo({ measurement: identity.measurement, debug: identity.debug });
        case PlatformOp.createReport:
          return createReport(deps.reportRoot, identity, a[0], a[1]);
        case PlatformOp.verifyReport:
          return verifyReport(deps.reportRoot, identity, a[0]);
        case PlatformOp.evidence:
          return evidence(a[0]);
        default:
          throw new SecGearError(ErrorCode.NOT_SUPPORTED, `platform operation ${JSON.stringify(op)} is not supported in a confidential VM`);
      }
    },
  };

  async function evidence(request: unknown): Promise<PlatformEvidence> {
    const report = await deps.report(reportDataForRequest(request));
    const aux: Array<{ role: string; data: Uint8Array }> = [];
    for (const cert of parseSnpCertTable(report.auxblob)) aux.push({ role: cert.role === 'ask' || cert.role === 'ark' ? 'askArk' : cert.role, data: cert.der });
    if (report.format === 'tdx' && deps.eventLog && deps.eventLog.events.length > 0) {
      aux.push({ role: 'rtmrEventLog', data: new TextEncoder().encode(JSON.stringify(deps.eventLog.toJSON())) });
    }
    return { mediaType: CVM_MEDIA_TYPES[report.format], data: report.outblob, ...(aux.length ? { aux } : {}) };
  }
}

export function newReportRoot(): Uint8Array {
  return new Uint8Array(randomBytes(32));
}
