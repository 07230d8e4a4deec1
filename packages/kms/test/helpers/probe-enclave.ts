// A test enclave that is NOT the EKMS enclave (other code, so another measurement; signed by
// whichever key the test picks). It shows two things about node join:
// - `unsealRoot`: signed by the cluster's key with EKMS's product id, it may unseal the root
//   key sealed on its platform (that is what signer sealing means), so a test can learn the
//   root key and search the bytes the host relayed for it;
// - `askForRoot`: it speaks the join protocol to a serving node like a joiner would, so the
//   test sees the serving enclave refuse an image that is not its own.
import { defineEnclave, unseal } from 'secgear/enclave';
import { connectRaTls, createRaTlsCredentials, raTlsStreams } from 'secgear/ratls/enclave';

const ROOT_AAD = new TextEncoder().encode('secgear ekms domain root key v1');

export const ecalls = {
  ...raTlsStreams.ecalls,

  async unsealRoot(sealed: Uint8Array): Promise<Uint8Array> {
    return (await unseal(sealed, { aad: ROOT_AAD })).data;
  },

  /** Connects to a join port (trusting any simulated node under `simRoot`) and returns the answer line. */
  async askForRoot(host: string, port: number, adminToken: string, simRoot: Uint8Array): Promise<string> {
    const credentials = await createRaTlsCredentials({ keyType: 'p256' });
    const { socket } = await connectRaTls({ host, port, credentials, policy: { allowSimulation: true, trustAnchors: [{ kind: 'x509', der: simRoot }] } });
    socket.write(JSON.stringify({ v: 1, op: 'join', adminToken }) + '\n');
    const answer = await new Promise<Buffer>((resolve, reject) => {
      const parts: Buffer[] = [];
      socket.on('data', (d: Buffer) => parts.push(d));
      socket.on('end', () => resolve(Buffer.concat(parts)));
      socket.on('error', reject);
    });
    socket.destroy();
    const line = answer.subarray(0, Math.max(0, answer.indexOf(0x0a)));
    return line.toString('utf8');
  },
};

defineEnclave({ ecalls });
