// Baseline peer for the RA-TLS bench: a plain TLS 1.3 server in its own thread (as the enclave's
// server is), acknowledging each MiB it receives.
import * as tls from 'node:tls';
import { parentPort, workerData } from 'node:worker_threads';

const { cert, key } = workerData as { cert: string; key: string };
const MIB = 1 << 20;
const server = tls.createServer({ cert, key, minVersion: 'TLSv1.3' }, (socket) => {
  let received = 0;
  socket.on('data', (chunk) => {
    received += chunk.byteLength;
    while (received >= MIB) {
      received -= MIB;
      socket.write('k');
    }
  });
  socket.on('end', () => socket.end());
  socket.on('error', () => socket.destroy());
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  parentPort!.postMessage(typeof address === 'object' && address ? address.port : 0);
});
parentPort!.on('message', () => server.close(() => process.exit(0)));
