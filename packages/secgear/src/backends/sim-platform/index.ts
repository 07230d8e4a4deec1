import { ErrorCode, SecGearError } from '../../common/errors.js';
import type { EnclaveIdentity, PlatformService, SimulatedPlatformOptions } from '../../common/platform.js';

/**
 * The simulated platform shared by the `sim` and `process` backends: sealing keys, local
 * attestation reports and evidence derived from per-machine simulation secrets.
 */
export function createSimulatedPlatform(identity: EnclaveIdentity, options: SimulatedPlatformOptions = {}): PlatformService {
  void identity;
  void options;
  return {
    kind: 'simulated',
    async handle(op: string): Promise<unknown> {
      throw new SecGearError(ErrorCode.NOT_SUPPORTED, `platform operation "${op}" is not available on this backend yet`);
    },
  };
}
