// Untrusted side: starts an enclave whose RA-TLS server runs inside it, and relays TCP
// connections to it. It carries ciphertext only: the TLS key and the plaintext are the enclave's.
import { createEnclave, type Enclave } from 'secgear';
import { RaTlsRelay, type RaTlsRelayEcalls } from 'secgear/ratls/host';
import type { StartOptions } from './enclave.js';

export interface HelloEcalls extends RaTlsRelayEcalls {
  start(options?: StartOptions): Promise<string>;
  callPeer(port: number, expectedMeasurement: string, simRoot: Uint8Array, sessionEvidence?: boolean): Promise<{ status: string; body: string; peerMeasurement: string }>;
}

export interface RunningEnclaveServer {
  port: number;
  certificatePem: string;
  enclave: Enclave<HelloEcalls>;
  relay: RaTlsRelay;
  close(): Promise<void>;
}

export async function startEnclaveServer(options: { image: string; type?: 'sim' | 'process'; start?: StartOptions; allowConnect?: (host: string, port: number) => boolean }): Promise<RunningEnclaveServer> {
  const relay = new RaTlsRelay({ allowConnect: options.allowConnect });
  const enclave = await createEnclave<HelloEcalls>(options.image, { type: options.type ?? 'sim', ocalls: relay.ocalls });
  relay.attach(enclave);
  try {
    const certificatePem = await enclave.ecall.start(options.start ?? {});
    const { port } = await relay.listen();
    return {
      port,
      certificatePem,
      enclave,
      relay,
      async close() {
        await relay.close();
        await enclave.destroy();
      },
    };
  } catch (error) {
    await enclave.destroy();
    throw error;
  }
}
