/**
 * Entry of the `sim` backend's worker thread: captures the message port, then hands the
 * verified bundle to the confinement (backends/confinement), which locks this isolate down and
 * runs the bundle with only the granted globals and built-ins.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { EnclaveInit, EnclaveMessage, HostMessage } from '../../common/protocol.js';
import { runConfined } from '../confinement/enclave-realm.js';

const { init, bundle, memoryLimitBytes } = workerData as { init: EnclaveInit; bundle: Uint8Array; memoryLimitBytes: number };
const port = parentPort;
if (!port) throw new Error('the sim bootstrap must run in a worker thread');
const post = port.postMessage.bind(port);
const listen = port.on.bind(port);
const realExit = process.exit.bind(process);

runConfined({
  bundle,
  init,
  memoryLimitBytes,
  send: (message: EnclaveMessage) => post(message),
  onMessage: (handler: (message: HostMessage) => void) => listen('message', handler),
  exit: (code) => realExit(code),
});
