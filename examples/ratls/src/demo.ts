// `npm start`: an enclave serves HTTPS with TLS inside it; a node client checks its evidence
// (and evidence bound to the very session); then a second enclave calls it with mutual RA-TLS.
import { loadImage, readSimRootCertificate, toHex } from 'secgear';
import { connect } from 'secgear/ratls';
import { startEnclaveServer } from './host.js';

export async function main(imagePath: string, out: (line: string) => void = console.log): Promise<void> {
  const { measurement } = await loadImage(imagePath);
  const m = toHex(measurement);
  const a = await startEnclaveServer({ image: imagePath });
  // this machine's sim root (made with the first enclave), for the enclaves that verify each other
  const simRoot = readSimRootCertificate();
  try {
    out(`[1] enclave A serves RA-TLS on 127.0.0.1:${a.port} (backend ${a.enclave.info.backend}, measurement ${m.slice(0, 16)}…); the host relays ciphertext only`);
    // simulation accepted for the demo only: never in production
    const { socket, peer, session } = await connect({ port: a.port, policy: { measurements: [measurement], allowSimulation: true }, sessionEvidence: true });
    out(`[2] client verified the certificate: tee ${peer.tee}, measurement ${toHex(peer.claims.measurement ?? new Uint8Array()).slice(0, 16)}…, key bound; session evidence ${session ? 'bound to this TLS session' : 'missing'}`);
    const reply = await new Promise<string>((resolve) => {
      let text = '';
      socket.on('data', (d: Buffer) => (text += d));
      socket.on('end', () => resolve(text));
      socket.write('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n');
    });
    out(`[3] ${reply.split('\r\n\r\n')[1]?.trim()}`);
    try {
      await connect({ port: a.port, policy: { measurements: [new Uint8Array(48)], allowSimulation: true } });
      out('    unexpected: accepted');
    } catch (error) {
      out(`[4] a client expecting other code refuses: ${(error as { code?: string }).code}`);
    }
  } finally {
    await a.close();
  }
  // mutual RA-TLS: B asks for A's certificate; A asks for B's; each judges the other's evidence inside its enclave
  const server = await startEnclaveServer({ image: imagePath, start: { requireClientMeasurements: [m], simRoot: simRoot ?? undefined, clientSessionEvidence: true } });
  const client = await startEnclaveServer({ image: imagePath, allowConnect: (host, port) => host === '127.0.0.1' && port === server.port });
  try {
    const result = await client.enclave.ecall.callPeer(server.port, m, simRoot ?? new Uint8Array(0), true);
    out(`[5] mutual RA-TLS between two enclaves: ${result.status}; ${result.body.trim()}`);
  } finally {
    await client.close();
    await server.close();
  }
  out('[6] stopped');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const imagePath = process.argv[2];
  if (!imagePath) {
    console.error('usage: node dist/src/demo.js <image.sgimg>   (or: npm start)');
    process.exit(1);
  }
  main(imagePath).catch((error: unknown) => {
    console.error(error instanceof Error ? `${(error as { code?: string }).code ?? 'error'}: ${error.message}` : error);
    process.exit(1);
  });
}
