// `npm start`: the enclave-backed ledger and a data owner in one process, on the simulation
// backend; then a client that expects other code, and a host that alters a record.
import { loadImage, toHex } from 'secgear';
import { runClient } from './client.js';
import { startServer } from './server.js';

export async function main(imagePath: string, out: (line: string) => void = console.log): Promise<void> {
  const { measurement } = await loadImage(imagePath);
  const server = await startServer({ image: imagePath });
  try {
    out(`[1] enclave-backed ledger on 127.0.0.1:${server.port} (backend ${server.enclave.info.backend}, measurement ${toHex(measurement).slice(0, 16)}…)`);
    out('[2] the data owner opens a secure channel and sends salaries');
    const { replies, closedByPeer } = await runClient({
      port: server.port,
      measurement,
      requests: ['PUT alice 5200', 'PUT bob 4800', 'PUT carol 6100', 'TOTAL', 'AVERAGE'],
      log: (l) => out(`    owner: ${l}`),
    });
    out(`[3] ${replies.length} encrypted answers; closed by both ends: ${closedByPeer}`);
    out('[4] a data owner that expects other code');
    try {
      await runClient({ port: server.port, measurement: new Uint8Array(48), requests: ['TOTAL'] });
      out('    unexpected: accepted');
    } catch (error) {
      out(`    refused before sending anything: ${(error as { code?: string }).code}`);
    }
  } finally {
    await server.close();
  }
  const tampering = await startServer({
    image: imagePath,
    relay: (m) => {
      // flip a ciphertext byte of every DATA message (type 5)
      if (m[5] !== 5 || m.byteLength < 40) return m;
      const out = Uint8Array.from(m);
      out[out.byteLength - 17] ^= 1;
      return out;
    },
  });
  try {
    out('[5] a host that alters a record on the way');
    try {
      await runClient({ port: tampering.port, measurement, requests: ['PUT mallory 99999'] });
      out('    unexpected: accepted');
    } catch (error) {
      out(`    refused: ${(error as Error).message}`);
    }
  } finally {
    await tampering.close();
  }
  out('[6] servers stopped');
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const image = process.argv[2];
  if (!image) {
    console.error('usage: node dist/src/demo.js <image.sgimg>');
    process.exit(1);
  }
  main(image).catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
