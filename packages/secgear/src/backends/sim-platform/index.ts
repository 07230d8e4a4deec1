import { isBytes } from '../../common/bytes.js';
import { ErrorCode, SecGearError } from '../../common/errors.js';
import { wipeAfterSend, type EnclaveIdentity, type PlatformOptions, type PlatformService, type SimulatedPlatformOptions } from '../../common/platform.js';
import { checkBindingInput, evidenceBinding } from '../../common/evidence-binding.js';
import { PlatformOp, type PlatformEvidence } from '../../common/platform-ops.js';
import { createReport, encodeTargetInfo, verifyReport } from './local-report.js';
import { sealKeyFor } from './seal-keys.js';
import { SIM_EVIDENCE_MEDIA_TYPE, createSimEvidence } from './sim-evidence.js';
import { loadSimPlatformState, resolveStateDir } from './state.js';

export { SIM_EVIDENCE_MEDIA_TYPE, parseSimEvidence, looksLikeSimEvidence } from './sim-evidence.js';
export { readSimRootCertificate, ensureSimRootCertificate, resolveStateDir, loadSimPlatformState, clearSimPlatformStateCache, ROOT_CERT_FILE, STATE_FILE } from './state.js';
export { SIM_ORGANIZATION } from './sim-certificates.js';

/**
 * The simulated platform shared by the `sim` and `process` backends: sealing keys, local
 * attestation reports and evidence derived from per-machine simulation secrets (see state.ts).
 * It plays the CPU for one enclave: every answer is bound to `identity`, which the backend
 * verified from the signed image. Requests come from trusted code and are checked like any
 * untrusted input; a refused one throws SecGearError and never reveals a secret.
 */
export function createSimulatedPlatform(identity: EnclaveIdentity, options: SimulatedPlatformOptions | PlatformOptions = {}): PlatformService {
  const self = checkedIdentity(identity);
  const requested = (options as PlatformOptions).stateDir;
  if (requested !== undefined && typeof requested !== 'string') throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'platform.stateDir must be a folder path (string)');
  const stateDir = resolveStateDir(requested);
  // loaded on first use, so enclaves that never seal or attest never touch the state dir
  const state = () => loadSimPlatformState(stateDir);
  return {
    kind: 'simulated',
    async handle(op: string, args: unknown[]): Promise<unknown> {
      const a = Array.isArray(args) ? args : [];
      switch (op) {
        case PlatformOp.sealKey: {
          const response = sealKeyFor(state().sealRoot, self, a[0]);
          return wipeAfterSend(response, response.key);
        }
        case PlatformOp.targetInfo:
          return encodeTargetInfo({ measurement: self.measurement, debug: self.debug });
        case PlatformOp.createReport:
          return createReport(state().reportRoot, self, a[0], a[1]);
        case PlatformOp.verifyReport:
          return verifyReport(state().reportRoot, self, a[0]);
        case PlatformOp.evidence:
          return evidence(a[0]);
        default:
          throw new SecGearError(ErrorCode.NOT_SUPPORTED, `platform operation ${JSON.stringify(op)} is not supported by the simulated platform`);
      }
    },
  };

  function evidence(request: unknown): PlatformEvidence {
    const { nonce, reportData } = (typeof request === 'object' && request !== null ? request : {}) as { nonce?: Uint8Array; reportData?: Uint8Array };
    checkBindingInput({ nonce, reportData }, 'evidence request');
    const s = state();
    const data = createSimEvidence(
      {
        identity: self,
        // the one binding of every backend, never the enclave's bytes as they are
        reportData: evidenceBinding({ nonce, reportData }),
        nonce: nonce ?? new Uint8Array(0),
        issuedAt: Date.now(),
        attestationCertificate: s.attestationCertificate,
      },
      s.attestationKey,
    );
    return { mediaType: SIM_EVIDENCE_MEDIA_TYPE, data };
  }
}

function checkedIdentity(identity: EnclaveIdentity): EnclaveIdentity {
  const u32 = (n: unknown) => Number.isInteger(n) && (n as number) >= 0 && (n as number) <= 0xffffffff;
  if (
    !identity ||
    !isBytes(identity.measurement) ||
    identity.measurement.byteLength !== 48 ||
    !isBytes(identity.signer) ||
    identity.signer.byteLength !== 48 ||
    !u32(identity.prodId) ||
    !u32(identity.svn) ||
    typeof identity.debug !== 'boolean'
  ) {
    throw new SecGearError(
      ErrorCode.BAD_PARAMETERS,
      'enclave identity must have a 48-byte measurement and signer, prodId and svn from 0 to 4294967295, and a boolean debug',
    );
  }
  // a private copy: the caller mutating its object later must not change who we attest
  return {
    measurement: identity.measurement.slice(),
    signer: identity.signer.slice(),
    prodId: identity.prodId,
    svn: identity.svn,
    debug: identity.debug,
  };
}
