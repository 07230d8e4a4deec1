/**
 * The `process` backend's child program, bundled (with the confinement and `ses`) into one
 * script the host sends over IPC; the child's `-e` loader runs it (see index.ts). It captures
 * the IPC channel, then hands the verified bundle to the confinement, which locks the isolate
 * down and runs the bundle with only the granted globals and built-ins.
 */
import type { EnclaveInit, EnclaveMessage, HostMessage } from '../../common/protocol.js';
import { runConfined } from '../confinement/enclave-realm.js';

export interface ChildStart {
  init: EnclaveInit;
  bundle: Uint8Array;
  memoryLimitBytes: number;
}

export function start(first: ChildStart): void {
  const channel = process;
  const send = channel.send?.bind(channel);
  const listen = channel.on.bind(channel);
  const realExit = channel.exit.bind(channel);
  if (!send) throw new Error('the process bootstrap needs an IPC channel');
  const handlers: Array<(message: HostMessage) => void> = [];
  listen('message', (message: HostMessage) => {
    for (const handler of handlers) handler(message);
  });
  runConfined({
    bundle: first.bundle,
    init: first.init,
    memoryLimitBytes: first.memoryLimitBytes,
    send: (message: EnclaveMessage) => {
      send(message);
    },
    onMessage: (handler) => {
      handlers.push(handler);
    },
    exit: (code) => realExit(code),
  });
}
