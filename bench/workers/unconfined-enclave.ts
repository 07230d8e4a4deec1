// The bench's "before" enclave isolate: the same worker transport as the sim backend, but the
// bundle runs with Node's real globals and require, without lockdown or a compartment (what
// enclaves ran like before confinement). For measuring confinement's cost only.
import { createRequire } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';

const { init, bundle } = workerData as { init: unknown; bundle: Uint8Array };
const port = parentPort!;
(globalThis as Record<symbol, unknown>)[Symbol.for('secgear.enclave.hook')] = {
  init,
  send: (message: unknown) => port.postMessage(message),
  onMessage: (handler: (message: unknown) => void) => port.on('message', handler),
};
const module = { exports: {} };
// eslint-disable-next-line @typescript-eslint/no-implied-eval
new Function('require', 'module', 'exports', new TextDecoder().decode(bundle))(createRequire(import.meta.url), module, module.exports);
