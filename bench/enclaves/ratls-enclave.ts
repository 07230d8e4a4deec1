// Bench enclave: an RA-TLS server (TLS inside the enclave) whose handler acknowledges every MiB
// it receives.
import { defineEnclave } from 'secgear/enclave';
import { createRaTlsCredentials, createRaTlsServer, raTlsStreams } from 'secgear/ratls/enclave';

const MIB = 1 << 20;

export const ecalls = {
  ...raTlsStreams.ecalls,
  async ratlsStart(keyType: 'p256' | 'p384' | 'rsa3072'): Promise<string> {
    const credentials = await createRaTlsCredentials({ keyType });
    createRaTlsServer({
      credentials,
      sessionEvidence: false,
      onConnection: ({ socket }) => {
        let received = 0;
        socket.on('data', (chunk: Uint8Array) => {
          received += chunk.byteLength;
          while (received >= MIB) {
            received -= MIB;
            socket.write('k');
          }
        });
        socket.on('end', () => socket.end());
      },
    });
    return credentials.certificatePem;
  },
};

defineEnclave({ ecalls });
