/**
 * RA-TLS with TLS inside the enclave (sim backend, host relay), each beside plain TLS 1.3 on the
 * host with the same key type, measured in the same run:
 *  - handshake: `connect` (TLS 1.3 through the relay into the enclave, certificate judged by its
 *    evidence through a cached appraisal) vs node:tls to a host server (in a worker thread, as the
 *    enclave is) pinning its self-signed certificate; mean latency, target ≤ 1.5×
 *  - 1 MiB transfers: client → enclave through the relay (acknowledged per MiB) vs the same to a
 *    host TLS server; MiB/s, target ≥ 0.7×
 * Rounds alternate ours and the baseline; each figure is the median of three rounds.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import * as tls from 'node:tls';
import { createEnclave } from 'secgear';
import { connect, createPeerVerifier, issueRaTlsCredentials, verifyPeer } from 'secgear/ratls';
import { RaTlsRelay } from 'secgear/ratls/host';
import { extractRaTlsEvidence } from 'secgear/attest';
import { buildBenchEnclave } from './lib/enclave-image.js';
import type { BenchSuite } from './lib/types.js';
import type { ecalls } from './enclaves/ratls-enclave.js';

const MIB = 1 << 20;
const here = dirname(fileURLToPath(import.meta.url));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * A plain TLS 1.3 server on the host, in a worker thread (as the enclave's server runs in its
 * own isolate), acknowledging each MiB, with a certificate of the same shape, size and key type
 * as the enclave's (self-signed P-256 with both evidence extensions, holding bytes nobody checks).
 */
async function plainServer(evidenceLength: number): Promise<{ port: number; ca: string; close(): Promise<void> }> {
  const creds = await issueRaTlsCredentials({ keyType: 'p256' }, async () => ({ mediaType: 'application/vnd.secgear.sim-evidence', data: new Uint8Array(evidenceLength).fill(7) }));
  const worker = new Worker(join(here, 'workers', 'tls-server.js'), { workerData: { cert: creds.certificatePem, key: creds.privateKey.export({ type: 'pkcs8', format: 'pem' }) } });
  const port = await new Promise<number>((resolve, reject) => worker.once('message', resolve).once('error', reject));
  return {
    port,
    ca: creds.certificatePem,
    async close() {
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      worker.postMessage('close');
      await exited;
    },
  };
}

async function handshakeMs(run: () => Promise<void>, count: number): Promise<number> {
  for (let i = 0; i < 5; i++) await run();
  const t0 = performance.now();
  for (let i = 0; i < count; i++) await run();
  return (performance.now() - t0) / count;
}

async function transferMiBps(open: () => Promise<tls.TLSSocket>, mib: number): Promise<number> {
  const socket = await open();
  const chunk = new Uint8Array(MIB).fill(0x61);
  let failure: Error | null = null;
  socket.on('error', (error) => (failure = error));
  const once = () =>
    new Promise<void>((resolve, reject) => {
      if (failure) return reject(failure);
      socket.once('data', () => resolve());
      socket.write(chunk);
    });
  await once();
  const t0 = performance.now();
  for (let i = 0; i < mib; i++) await once();
  const seconds = (performance.now() - t0) / 1000;
  socket.destroy();
  return mib / seconds;
}

const suite: BenchSuite = {
  name: 'ratls',
  async run() {
    const dir = mkdtempSync(`${tmpdir()}/secgear-bench-ratls-`);
    let image: string;
    try {
      image = await buildBenchEnclave('ratls-enclave', dir);
    } catch (error) {
      // until node:tls is granted to enclave code (the confinement's tls facade), there is nothing to measure
      if (/may not import "node:tls"/.test(String((error as Error).message))) {
        process.stderr.write('ratls: skipped: this build does not grant node:tls to enclave code\n');
        return [];
      }
      throw error;
    }
    const relay = new RaTlsRelay();
    const enclave = await createEnclave<typeof ecalls>(image, { type: 'sim', ocalls: relay.ocalls });
    relay.attach(enclave);
    const certificatePem = await enclave.ecall.ratlsStart('p256');
    const { port } = await relay.listen();
    const measurement = enclave.info.measurement;
    const verifier = createPeerVerifier({ allowSimulation: true, measurements: [measurement] });
    const policy = { allowSimulation: true, measurements: [measurement] };

    await verifyPeer(certificatePem, policy);
    const plain = await plainServer(extractRaTlsEvidence(new TextEncoder().encode(certificatePem)).evidence[0].data.byteLength);
    const count = Number(process.env.BENCH_HANDSHAKES ?? 100);
    const mib = Number(process.env.BENCH_MIB ?? 64);
    const ours = { handshake: [] as number[], transfer: [] as number[] };
    const base = { handshake: [] as number[], transfer: [] as number[] };
    // the baseline client reuses one secure context holding the pinned certificate (its cheapest form)
    const pinned = tls.createSecureContext({ ca: plain.ca, minVersion: 'TLSv1.3' });
    const plainConnect = () =>
      new Promise<tls.TLSSocket>((resolve, reject) => {
        const s = tls.connect({ port: plain.port, host: '127.0.0.1', servername: 'localhost', secureContext: pinned, minVersion: 'TLSv1.3' }, () => resolve(s));
        s.once('error', reject);
      });
    const ourConnect = async () => (await connect({ port, policy, verifier })).socket;
    for (let round = 0; round < 3; round++) {
      base.handshake.push(await handshakeMs(async () => { (await plainConnect()).destroy(); }, count));
      ours.handshake.push(await handshakeMs(async () => { (await ourConnect()).destroy(); }, count));
      base.transfer.push(await transferMiBps(plainConnect, mib));
      ours.transfer.push(await transferMiBps(ourConnect, mib));
    }
    await relay.close();
    await plain.close();
    await enclave.destroy();
    return [
      {
        name: 'ratls: handshake into the enclave via the relay, cached appraisal (P-256)',
        unit: 'ms',
        value: median(ours.handshake),
        better: 'lower' as const,
        baseline: { name: 'plain TLS 1.3 handshake, host server, same certificate (P-256) ms', value: median(base.handshake) },
      },
      {
        name: 'ratls: 1 MiB transfers into the enclave via the relay',
        unit: 'MiB/s',
        value: median(ours.transfer),
        better: 'higher' as const,
        baseline: { name: 'plain TLS 1.3 to a host server, MiB/s', value: median(base.transfer) },
      },
    ];
  },
};

export default suite;
