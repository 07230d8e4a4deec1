// Untrusted side: runs the enclave, relays PAKE frames between TCP connections and the enclave,
// and stores the enclave's sealed blobs in a folder. It never sees a password hash it could
// use, a session key, or the application's plaintext.
import { createServer, type Server } from 'node:net';
import { createEnclave, type Enclave } from 'secgear';
import { FramedStream, MAX_FRAME_LENGTH, createRegistration } from 'secgear/pake';
import { PakeServer, createPakeFileStore, type PakeEnclaveEcalls } from 'secgear/pake/server';

export const ID_VERIFIER = 'telemetry.example';

export interface ServerOptions {
  /** Path of the signed enclave image. */
  image: string;
  /** Folder for sealed registrations and counters. */
  storeDir: string;
  /** TCP port (0: any free port). */
  port?: number;
  host?: string;
  /** Enclave backend. Default `sim`. */
  type?: 'sim' | 'process';
  log?: (line: string) => void;
}

export interface RunningServer {
  port: number;
  enclave: Enclave<PakeEnclaveEcalls>;
  pake: PakeServer;
  /**
   * Registers a device. Demo shortcut: the password is at hand on the server here. In a real
   * deployment the registration is made where the password is (device provisioning) and handed
   * to the enclave while the host is trusted: it passes through the host, and it allows an
   * offline dictionary attack on the password.
   */
  register(idProver: string, password: string): Promise<void>;
  close(): Promise<void>;
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const log = options.log ?? (() => undefined);
  const enclave = await createEnclave<PakeEnclaveEcalls>(options.image, { type: options.type ?? 'sim', ocalls: createPakeFileStore(options.storeDir) });
  const pake = new PakeServer(enclave);
  const sockets = new Set<import('node:net').Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    void serve(pake, new FramedStream(socket, { maxFrameLength: MAX_FRAME_LENGTH }), log);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    enclave,
    pake,
    async register(idProver, password) {
      await pake.register(idProver, await createRegistration(password, { idProver, idVerifier: ID_VERIFIER }));
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await enclave.destroy();
    },
  };
}

async function serve(pake: PakeServer, framed: FramedStream, log: (line: string) => void): Promise<void> {
  const conn = pake.connection();
  try {
    for (;;) {
      const frame = await framed.next();
      if (!frame) break;
      const reply = await conn.receive(frame);
      if (reply) framed.send(reply);
      if (conn.closed) break;
    }
  } catch (error) {
    log(`connection dropped: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    framed.close();
    await conn.close().catch(() => undefined);
  }
}
