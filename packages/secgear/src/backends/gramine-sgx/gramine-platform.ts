/**
 * The platform of an enclave running under Gramine on SGX. It runs inside the enclave (the
 * Gramine process), reads `/dev/attestation` through the file port, and answers the trusted
 * runtime's platform calls there: the untrusted host never sees a key, a report or a request.
 * - sealing: a base key derived from Gramine's `_sgx_mrenclave` / `_sgx_mrsigner` key (EGETKEY)
 *   and this image's secGear identity. Those keys follow the CPU SVN: after a microcode update
 *   they change, so sealed data needs a recovery path (wrap a data key that EKMS or a recovery
 *   key also holds). Keys for an svn other than the enclave's own are not reachable through
 *   Gramine and are refused;
 * - local attestation: TARGETINFO and EREPORT through Gramine; verifying a report needs the
 *   REPORT key, which Gramine does not expose, so verifyReport is refused;
 * - evidence: a DCAP quote whose REPORTDATA is secGear's evidence binding of nonce and data.
 */
import { hkdfSync } from 'node:crypto';
import { isBytes } from '../../common/bytes.js';
import { ErrorCode, SecGearError } from '../../common/errors.js';
import type { EnclaveIdentity, PlatformService } from '../../common/platform.js';
import { PlatformOp, REPORT_DATA_SIZE, type PlatformEvidence, type SealKeyResponse } from '../../common/platform-ops.js';
import type { GramineAttestation } from '../tee-files/gramine-attestation.js';
import { reportDataForRequest } from '../tee-files/report-data.js';

export const SGX_QUOTE_MEDIA_TYPE = 'application/vnd.intel.sgx.quote';
const SEAL_LABEL = 'secgear gramine seal v1';

export function createGraminePlatform(identity: EnclaveIdentity, device: GramineAttestation): PlatformService {
  return {
    kind: 'hardware',
    async handle(op: string, args: unknown[]): Promise<unknown> {
      const a = Array.isArray(args) ? args : [];
      switch (op) {
        case PlatformOp.sealKey:
          return sealKey(a[0]);
        case PlatformOp.targetInfo:
          return device.myTargetInfo();
        case PlatformOp.createReport: {
          const [targetInfo, reportData] = a;
          if (!isBytes(targetInfo)) throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'targetInfo must be bytes from getTargetInfo()');
          if (!isBytes(reportData) || reportData.byteLength > REPORT_DATA_SIZE) throw new SecGearError(ErrorCode.BAD_PARAMETERS, `reportData must be at most ${REPORT_DATA_SIZE} bytes`);
          const padded = new Uint8Array(REPORT_DATA_SIZE);
          padded.set(reportData);
          return device.report(targetInfo, padded);
        }
        case PlatformOp.verifyReport:
          throw new SecGearError(
            ErrorCode.NOT_SUPPORTED,
            'verifying a local SGX report needs the REPORT key, which Gramine does not expose; attest the other enclave with remote evidence (getEvidence) instead',
          );
        case PlatformOp.evidence:
          return evidence(a[0]);
        default:
          throw new SecGearError(ErrorCode.NOT_SUPPORTED, `platform operation ${JSON.stringify(op)} is not supported under Gramine`);
      }
    },
  };

  async function sealKey(request: unknown): Promise<SealKeyResponse> {
    const { policy, svn } = (typeof request === 'object' && request !== null ? request : {}) as { policy?: unknown; svn?: unknown };
    if (policy !== 'enclave' && policy !== 'signer') throw new SecGearError(ErrorCode.SEAL_POLICY, 'the seal policy must be "enclave" or "signer"');
    if (svn !== undefined && svn !== identity.svn) {
      throw new SecGearError(
        ErrorCode.NOT_SUPPORTED,
        `Gramine derives sealing keys for the enclave's own svn (${identity.svn}) only; data sealed at svn ${String(svn)} must be migrated through its recovery path`,
      );
    }
    const hardware = await device.sealKey(policy === 'enclave' ? '_sgx_mrenclave' : '_sgx_mrsigner');
    const who = policy === 'enclave' ? identity.measurement : Buffer.concat([identity.signer, u32(identity.prodId)]);
    const info = Buffer.concat([Buffer.from(`${SEAL_LABEL}\0${policy}\0`), who, u32(identity.svn), Buffer.from([identity.debug ? 1 : 0])]);
    const key = new Uint8Array(hkdfSync('sha256', hardware, new Uint8Array(0), info, 32));
    hardware.fill(0);
    return { key, svn: identity.svn };
  }

  async function evidence(request: unknown): Promise<PlatformEvidence> {
    const quote = await device.quote(reportDataForRequest(request));
    return { mediaType: SGX_QUOTE_MEDIA_TYPE, data: quote };
  }
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}
