/**
 * Entry of the `process` backend's child. It runs as `node -e` under Node's permission model,
 * so it imports nothing from disk: the host sends the verified bundle over the IPC channel.
 * Only type imports here (erased at compile time).
 */
import type { EnclaveInit, EnclaveMessage, HostMessage } from '../../common/protocol.js';

const hookKey = Symbol.for('secgear.enclave.hook');

process.on('disconnect', () => process.exit(0));
process.once('message', (first: { init: EnclaveInit; bundle: Uint8Array }) => {
  const handlers: Array<(message: HostMessage) => void> = [];
  process.on('message', (message: HostMessage) => {
    for (const handler of handlers) handler(message);
  });
  (globalThis as Record<symbol, unknown>)[hookKey] = {
    init: first.init,
    send: (message: EnclaveMessage) => process.send?.(message),
    onMessage: (handler: (message: HostMessage) => void) => handlers.push(handler),
  };
  const source = Buffer.from(first.bundle.buffer, first.bundle.byteOffset, first.bundle.byteLength).toString('base64');
  import(`data:text/javascript;base64,${source}`).catch((error: unknown) => {
    process.stderr.write(`enclave failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(70);
  });
});
