// `npm start`: the whole flow in one process, on the simulation backend: start the enclave-backed
// server, register a device, let it authenticate with its password over TCP and send readings,
// then show what a wrong password gets.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadImage, toHex } from 'secgear';
import { runDevice } from './device.js';
import { startServer } from './server.js';

export async function main(imagePath: string, out: (line: string) => void = console.log): Promise<void> {
  const { measurement } = await loadImage(imagePath);
  const storeDir = mkdtempSync(join(tmpdir(), 'secgear-pake-demo-'));
  const server = await startServer({ image: imagePath, storeDir, log: (l) => out(`    server: ${l}`) });
  try {
    out(`[1] enclave-backed server on 127.0.0.1:${server.port} (backend ${server.enclave.info.backend}, measurement ${toHex(measurement).slice(0, 16)}…)`);
    await server.register('thermostat-1', 'correct horse battery staple');
    out(`[2] registered thermostat-1; the host stores only sealed blobs: ${readdirSync(storeDir).sort().join(', ')}`);
    out('[3] device connects with the right password');
    const replies = await runDevice({
      port: server.port,
      idProver: 'thermostat-1',
      password: 'correct horse battery staple',
      measurement,
      requests: ['PING', 'READING 21.5', 'READING 22.5', 'AVERAGE'],
      log: (l) => out(`    device: ${l}`),
    });
    out(`[4] ${replies.length} encrypted replies received`);
    out('[5] device connects with a wrong password');
    try {
      await runDevice({ port: server.port, idProver: 'thermostat-1', password: 'Tr0ub4dor&3', measurement, requests: ['PING'] });
      out('    unexpected: the wrong password was accepted');
    } catch (error) {
      out(`    refused: ${(error as { code?: string }).code}`);
    }
  } finally {
    await server.close();
    rmSync(storeDir, { recursive: true, force: true });
  }
  out('[6] server stopped');
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
