/**
 * Entry of the `sim` backend's worker thread: installs the runtime hook, then evaluates the
 * verified enclave bundle (which carries the trusted runtime) as an ES module.
 */
import { register } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';
import { RUNTIME_HOOK, type EnclaveInit, type EnclaveMessage, type HostMessage, type RuntimeHook } from '../../common/protocol.js';
import { ALLOWED_BUILTINS } from '../../common/builtin-policy.js';
import { IMPORT_GUARD_URL, lockdownGlobals } from '../enclave-sandbox.js';

const { init, bundle } = workerData as { init: EnclaveInit; bundle: Uint8Array };
const port = parentPort;
if (!port) throw new Error('the sim bootstrap must run in a worker thread');

const hook: RuntimeHook = {
  init,
  send: (message: EnclaveMessage) => port.postMessage(message),
  onMessage: (handler: (message: HostMessage) => void) => port.on('message', handler),
};
(globalThis as Record<symbol, unknown>)[RUNTIME_HOOK] = hook;
register(IMPORT_GUARD_URL);
lockdownGlobals([...ALLOWED_BUILTINS]);

await import(`data:text/javascript;base64,${Buffer.from(bundle.buffer, bundle.byteOffset, bundle.byteLength).toString('base64')}`);
