/** Host side of the probe enclave (probe-enclave.ts): built from its compiled entry, signed with a key the test picks. */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildImage, createEnclave, type Enclave } from 'secgear';
import { RaTlsRelay, type RaTlsRelayEcalls } from 'secgear/ratls/host';

interface ProbeEcalls extends RaTlsRelayEcalls {
  unsealRoot(sealed: Uint8Array): Promise<Uint8Array>;
  askForRoot(host: string, port: number, adminToken: string, simRoot: Uint8Array): Promise<string>;
}

export interface Probe {
  enclave: Enclave<ProbeEcalls>;
  measurement: Uint8Array;
  close(): Promise<void>;
}

const entry = join(dirname(fileURLToPath(import.meta.url)), 'probe-enclave.js');

/** Starts the probe on the simulated platform in `platformDir`, signed with `signingKey` (PEM). */
export async function startProbe(signingKey: string, platformDir: string, allowConnect?: (host: string, port: number) => boolean): Promise<Probe> {
  const image = await buildImage({
    entry,
    key: signingKey,
    // EKMS's product id: with the cluster's signer, signer sealing treats it as the same product
    manifest: {
      name: 'ekms-test-probe', version: '0.0.1', prodId: 1201, svn: 1, debug: false, heapLimitMb: 128, maxConcurrentEcalls: 8,
      ecalls: ['unsealRoot', 'askForRoot', 'ratlsOpen', 'ratlsData', 'ratlsEnd', 'ratlsAbort'], ocalls: ['ratlsSend', 'ratlsEnd', 'ratlsConnect'],
    },
  });
  const relay = new RaTlsRelay({ allowConnect });
  const enclave = await createEnclave<ProbeEcalls>(image.bytes, { type: 'sim', platform: { stateDir: platformDir }, ocalls: relay.ocalls });
  relay.attach(enclave);
  await enclave.getEvidence(); // the simulated platform makes its state on first use
  return {
    enclave,
    measurement: image.measurement,
    async close() {
      await relay.close();
      await enclave.destroy();
    },
  };
}
