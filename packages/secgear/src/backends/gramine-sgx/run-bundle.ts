/**
 * Runs the verified bundle inside the enclave process under the same allow-list confinement as
 * the sim and process backends (backends/confinement): ses lockdown, a compartment with only the
 * granted globals and built-in facades, the memory guard.
 */
import type { EnclaveInit, EnclaveMessage, HostMessage } from '../../common/protocol.js';
import { runConfined } from '../confinement/enclave-realm.js';

export interface RunBundleParams {
  bundle: Uint8Array;
  init: EnclaveInit;
  /** Heap plus ArrayBuffers and Wasm memory the enclave may use, in MiB. */
  memoryLimitMb: number;
  send(message: EnclaveMessage): void;
  onMessage(handler: (message: HostMessage) => void): void;
}

export async function runBundle(params: RunBundleParams): Promise<void> {
  const exit = process.exit.bind(process);
  runConfined({
    bundle: params.bundle,
    init: params.init,
    memoryLimitBytes: params.memoryLimitMb * 1024 * 1024,
    send: params.send,
    onMessage: params.onMessage,
    exit: (code) => exit(code),
  });
}
