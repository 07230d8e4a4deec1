import { ErrorCode, SecGearError } from '../common/errors.js';

/** Default maximum number of live enclaves per process (like secGear's enclave table). */
export const DEFAULT_MAX_ENCLAVES = 32;

let maxEnclaves = Number(process.env.SECGEAR_MAX_ENCLAVES) > 0 ? Number(process.env.SECGEAR_MAX_ENCLAVES) : DEFAULT_MAX_ENCLAVES;
let live = 0;

/** Process-wide settings. */
export function configure(settings: { maxEnclaves?: number }): void {
  if (settings.maxEnclaves !== undefined) {
    if (!Number.isInteger(settings.maxEnclaves) || settings.maxEnclaves < 1) {
      throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'maxEnclaves must be a positive integer');
    }
    maxEnclaves = settings.maxEnclaves;
  }
}

/** Takes one enclave slot, or throws CC_ERROR_ENCLAVE_MAXIMUM. Returns the release function. */
export function reserveEnclaveSlot(): () => void {
  if (live >= maxEnclaves) {
    throw new SecGearError(
      ErrorCode.ENCLAVE_MAXIMUM,
      `this process already holds ${live} enclaves, the maximum; destroy one first or raise it with configure({ maxEnclaves }) or SECGEAR_MAX_ENCLAVES`,
    );
  }
  live++;
  let released = false;
  return () => {
    if (!released) {
      released = true;
      live--;
    }
  };
}

export function liveEnclaves(): number {
  return live;
}
