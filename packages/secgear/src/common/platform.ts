/**
 * The platform service: what a CPU's enclave instructions give trusted code (EGETKEY,
 * EREPORT, quoting), supplied by the backend on the host side and bound to the identity the
 * backend verified from the image, never to an identity the enclave claims.
 *
 * Trusted code reaches it through `platformCall(op, ...args)` (src/enclave/runtime); the
 * backend answers each request with `PlatformService.handle(op, args)`. New operations are
 * added by the platform implementation alone; the message plumbing does not change.
 */

/** What the backend measured and verified before any enclave code ran. */
export interface EnclaveIdentity {
  /** SHA-384 over the canonical manifest and the bundle (like MRENCLAVE). 48 bytes. */
  measurement: Uint8Array;
  /** SHA-384 of the signing public key, SPKI DER (like MRSIGNER). 48 bytes. */
  signer: Uint8Array;
  prodId: number;
  svn: number;
  debug: boolean;
}

export interface PlatformService {
  /** `simulated` for sim/process (keys and evidence are simulation-grade), `hardware` for real TEEs. */
  readonly kind: 'simulated' | 'hardware';
  /** Answers one request from trusted code. Throws SecGearError for refused requests. */
  handle(op: string, args: unknown[]): Promise<unknown>;
}

/**
 * Per-enclave platform options (`createEnclave(image, { platform })`), read by the chosen
 * backend, which validates them and documents its keys (sim/process: `stateDir`;
 * gramine-sgx: `gramineDir`, `expectMrEnclave`). Unknown keys are ignored by other backends.
 */
export type PlatformOptions = Readonly<Record<string, unknown>>;

/** Options every simulated platform accepts (where its per-machine secrets live). */
export interface SimulatedPlatformOptions {
  /** Folder of the per-machine simulation secrets. Default: $SECGEAR_SIM_DIR or ~/.secgear/sim. */
  stateDir?: string;
}

/**
 * A platform response may list its secret buffers under this symbol (structured clone ignores
 * symbol keys, so the list never crosses): the host overwrites them once the response is on
 * its way into the enclave, so the host keeps no copy of keys meant for the enclave.
 */
export const WIPE_AFTER_SEND: unique symbol = Symbol.for('secgear.platform.wipeAfterSend');

/** Marks `secrets` of `response` to be wiped by the host after delivery; returns `response`. */
export function wipeAfterSend<T extends object>(response: T, ...secrets: Uint8Array[]): T {
  Object.defineProperty(response, WIPE_AFTER_SEND, { value: secrets, enumerable: false });
  return response;
}
