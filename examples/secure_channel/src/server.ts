// Untrusted side: runs the enclave and relays secure channel messages between TCP connections
// and the enclave. It sees the evidence and the ciphertext, never a key or a salary.
import { createServer, type Server, type Socket } from 'node:net';
import { createEnclave, type Enclave } from 'secgear';
import { FramedStream, MAX_CHANNEL_MESSAGE, SecureChannelServer, type SecureChannelEcalls } from 'secgear/channel';

export interface LedgerEcalls extends SecureChannelEcalls {
  ledger(sessionId: string, message: Uint8Array): Promise<Uint8Array>;
}

export interface ServerOptions {
  image: string;
  port?: number;
  host?: string;
  type?: 'sim' | 'process';
  /** Lets a test play a malicious host: every client message passes through it first. */
  relay?: (message: Uint8Array) => Uint8Array;
  log?: (line: string) => void;
}

export interface RunningServer {
  port: number;
  enclave: Enclave<LedgerEcalls>;
  close(): Promise<void>;
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const log = options.log ?? (() => undefined);
  const enclave = await createEnclave<LedgerEcalls>(options.image, { type: options.type ?? 'sim' });
  const channels = new SecureChannelServer({ enclave, onData: (sessionId, message) => enclave.ecall.ledger(sessionId, message) });
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    const framed = new FramedStream(socket, { maxFrameLength: MAX_CHANNEL_MESSAGE });
    const connection = channels.connection((m) => framed.send(m));
    void (async () => {
      try {
        for (let frame = await framed.next(); frame; frame = await framed.next()) await connection.receive(options.relay ? options.relay(frame) : frame);
      } catch (error) {
        log(`connection dropped: ${error instanceof Error ? error.message : String(error)}`);
      } finally {
        framed.close();
        await connection.close();
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    enclave,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await enclave.destroy();
    },
  };
}
