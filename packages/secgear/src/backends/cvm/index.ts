/**
 * The `cvm` backend: enclaves inside a confidential VM (Intel TDX, AMD SEV-SNP, Arm CCA). The
 * VM is the TEE; each enclave runs in its own child process with the `process` backend's
 * confinement, and the platform (evidence through configfs-tsm, RTMR extension, EKMS-released
 * sealing root) runs in this host process, which is inside the VM too. See README.md for what
 * this protects and what it does not.
 */
import { ErrorCode, SecGearError } from '../../common/errors.js';
import type { EnclaveIdentity, PlatformOptions } from '../../common/platform.js';
import { processBackend } from '../process/index.js';
import { requestTsmReport, TSM_REPORT_DIR } from '../tee-files/configfs-tsm.js';
import { nodeFilePort, type FilePort } from '../tee-files/file-port.js';
import { DEFAULT_RTMR, RtmrEventLog, TDX_MEASUREMENTS_DIR } from '../tee-files/rtmr.js';
import type { Backend, BackendStartParams } from '../types.js';
import { createCvmPlatform, newReportRoot } from './cvm-platform.js';
import { requestReportFromAgent } from './evidence-agent.js';

export interface CvmBackendOptions {
  /** The `type` to register under. Default `cvm`. */
  name?: string;
  /** Device access; default the real file system. Tests pass a fixture. */
  files?: FilePort;
  tsmDir?: string;
  measurementsDir?: string;
  /** The RTMR to extend with each image before it runs (TDX only), or false. Default 2. */
  rtmr?: number | false;
  /** Ask the evidence agent at this UNIX socket instead of opening configfs-tsm directly. */
  agentSocket?: string;
  /** 32 bytes EKMS released to this VM after attestation: the root of sealing keys. */
  sealingRoot?: Uint8Array;
}

export function createCvmBackend(options: CvmBackendOptions = {}): Backend {
  const files = options.files ?? nodeFilePort();
  const tsmDir = options.tsmDir ?? TSM_REPORT_DIR;
  const eventLog = new RtmrEventLog(files, options.measurementsDir ?? TDX_MEASUREMENTS_DIR);
  const reportRoot = newReportRoot();
  if (options.sealingRoot !== undefined && (!(options.sealingRoot instanceof Uint8Array) || options.sealingRoot.byteLength !== 32)) {
    throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'sealingRoot must be 32 bytes');
  }
  const sealingRoot = options.sealingRoot?.slice();
  const report = (inblob: Uint8Array) => (options.agentSocket ? requestReportFromAgent(options.agentSocket, inblob) : requestTsmReport(files, inblob, {}, tsmDir));
  return {
    name: options.name ?? 'cvm',
    isolation:
      'confidential VM (TDX, SEV-SNP or CCA): the VM\'s memory is encrypted and integrity-protected against the hypervisor and the cloud operator; inside the VM each enclave is a child process under the process backend\'s confinement, which is not a boundary against the VM\'s own kernel or root',
    strength: 50,
    supportsSwitchless: false,
    platformKind: 'hardware',
    async available() {
      if (options.agentSocket) return (await nodeFilePort().exists(options.agentSocket)) ? { ok: true } : { ok: false, reason: `no evidence agent at ${options.agentSocket}` };
      return (await files.exists(tsmDir)) ? { ok: true } : { ok: false, reason: `${tsmDir} does not exist: this is not a confidential VM with configfs-tsm (Linux ≥ 6.7)` };
    },
    createPlatform: (identity: EnclaveIdentity, _platformOptions: PlatformOptions) => createCvmPlatform(identity, { report, eventLog, sealingRoot, reportRoot }),
    async start(params: BackendStartParams) {
      if (options.rtmr !== false) {
        const index = options.rtmr ?? DEFAULT_RTMR;
        // the image is measured into the VM's runtime register before any of it runs
        if (await eventLog.available(index)) {
          await eventLog.extendImage(index, { name: params.image.manifest.name, measurement: params.image.measurement, signer: params.image.signer, svn: params.image.manifest.svn });
        }
      }
      return processBackend.start(params);
    },
  };
}

/** The cvm event log of this process (what a verifier replays against RTMR values). */
export type { RtmrEvent } from '../tee-files/rtmr.js';
