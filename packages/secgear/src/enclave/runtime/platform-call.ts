import { ErrorCode, SecGearError } from '../../common/errors.js';

/** Sends platform requests to the backend; installed by the runtime when the enclave starts. */
export type PlatformTransport = (op: string, args: unknown[]) => Promise<unknown>;

let transport: PlatformTransport | null = null;

/** Installed once by the enclave runtime bootstrap. */
export function installPlatformTransport(t: PlatformTransport): void {
  transport = t;
}

/**
 * Asks the platform (the backend's simulated or real CPU services) for `op`. Arguments and
 * results cross by structured clone (Uint8Array, plain objects, numbers, strings).
 */
export function platformCall(op: string, ...args: unknown[]): Promise<unknown> {
  if (!transport) {
    return Promise.reject(new SecGearError(ErrorCode.NOT_SUPPORTED, `"${op}" is only available inside an enclave started by createEnclave()`));
  }
  return transport(op, args);
}
