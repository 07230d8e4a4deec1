/**
 * Runs the verified bundle inside the enclave process under the same confinement the process
 * backend applies to its child (enclave-sandbox.ts): host-reaching globals locked, the
 * built-ins' network entry points disabled (our channel socket is already connected).
 */
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { ALLOWED_BUILTINS } from '../../common/builtin-policy.js';
import { RUNTIME_HOOK, type EnclaveInit, type EnclaveMessage, type HostMessage, type RuntimeHook } from '../../common/protocol.js';
import { denyNetwork, lockdownGlobals } from '../enclave-sandbox.js';

export interface RunBundleParams {
  bundle: Uint8Array;
  init: EnclaveInit;
  heapLimitMb: number;
  send(message: EnclaveMessage): void;
  onMessage(handler: (message: HostMessage) => void): void;
}

export async function runBundle(params: RunBundleParams): Promise<void> {
  const hook: RuntimeHook = { init: params.init, send: params.send, onMessage: params.onMessage };
  (globalThis as Record<symbol, unknown>)[RUNTIME_HOOK] = hook;
  denyNetwork(createRequire(import.meta.url) as unknown as (id: string) => Record<string, unknown>, syncBuiltinESMExports);
  lockdownGlobals([...ALLOWED_BUILTINS]);
  const source = Buffer.from(params.bundle.buffer, params.bundle.byteOffset, params.bundle.byteLength).toString('base64');
  await import(`data:text/javascript;base64,${source}`);
}
