/**
 * Runs trusted-side code (seal, reports, evidence) in the test process as if inside an enclave
 * with a given identity: the platform transport goes to a simulated platform bound to that
 * identity, with arguments and results structured-cloned as they are across a real boundary.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSimulatedPlatform } from '../../src/backends/sim-platform/index.js';
import type { EnclaveIdentity } from '../../src/common/platform.js';
import { forgetSealingKeys } from '../../src/enclave/seal.js';
import { installPlatformTransport } from '../../src/enclave/runtime/platform-call.js';

export function tempStateDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'secgear-sim-test-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function sha384(text: string): Uint8Array {
  return new Uint8Array(createHash('sha384').update(text).digest());
}

export function makeIdentity(overrides: Partial<EnclaveIdentity> = {}): EnclaveIdentity {
  return {
    measurement: new Uint8Array(randomBytes(48)),
    signer: sha384('test signer'),
    prodId: 7,
    svn: 3,
    debug: false,
    ...overrides,
  };
}

/** Makes the trusted-side API act as the enclave `identity` on the platform in `stateDir`. */
export function enterEnclave(identity: EnclaveIdentity, stateDir: string): void {
  const platform = createSimulatedPlatform(identity, { stateDir });
  forgetSealingKeys();
  installPlatformTransport(async (op, args) => structuredClone(await platform.handle(op, structuredClone(args))));
}
