import type { EnclaveIdentity, PlatformOptions, PlatformService } from '../common/platform.js';
import type { EnclaveInit, HostMessage } from '../common/protocol.js';
import type { VerifiedImage } from '../image/verify-image.js';

/** What a backend needs to start one enclave instance. */
export interface BackendStartParams {
  image: VerifiedImage;
  init: EnclaveInit;
  heapLimitMb: number;
  /** Heap plus ArrayBuffers and Wasm memory the enclave may use (MiB); over it, the enclave is lost. */
  memoryLimitMb: number;
  /** `CreateEnclaveOptions.platform`, for backends whose start needs it (validated by the backend). */
  platformOptions?: PlatformOptions;
}

/** The message pipe to one running enclave, whatever isolates it. */
export interface EnclaveTransport {
  /** The OS process id of the enclave, when it has its own process (the process backend). */
  readonly pid?: number;
  /**
   * Sends one message. `transfer` lists ArrayBuffers to move rather than copy, where the
   * backend can (the sim worker); others copy them and leave the caller's buffers intact.
   */
  send(message: HostMessage, transfer?: ArrayBuffer[]): void;
  /** Registers the handler for messages from the enclave (one handler); they are unchecked: the host validates each. */
  onMessage(handler: (message: unknown) => void): void;
  /** Called once when the enclave stops for any reason other than terminate(): crash, exit, out of memory. */
  onExit(handler: (reason: string) => void): void;
  /** Stops the enclave and releases everything it held. Idempotent. */
  terminate(): Promise<void>;
}

export type Availability = { ok: true } | { ok: false; reason: string };

export interface Backend {
  /** The `type` users pass to createEnclave. */
  name: string;
  /** What isolation it gives, in words a user can act on (including what it does not give). */
  isolation: string;
  /** Higher is stronger; `type: "auto"` picks the strongest available backend. */
  strength: number;
  /** Whether switchless calls (shared memory with the enclave) are possible. */
  supportsSwitchless: boolean;
  /** Whether this machine can run it; the reason when not (may look at device files, hence a Promise). */
  available(): Availability | Promise<Availability>;
  /**
   * The platform service (keys, reports, evidence) the host runs for an enclave, bound to the
   * identity the host verified. Omitted by backends whose platform runs inside the TEE (the
   * enclave answers its own platform calls and computes its own identity, as gramine-sgx does).
   */
  createPlatform?(identity: EnclaveIdentity, options: PlatformOptions): PlatformService;
  /** What the platform is when `createPlatform` is omitted. Default `hardware`. */
  platformKind?: 'simulated' | 'hardware';
  start(params: BackendStartParams): Promise<EnclaveTransport>;
}
