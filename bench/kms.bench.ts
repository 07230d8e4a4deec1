/**
 * EKMS benchmarks (issue 12): Encrypt (4 KiB) and GenerateDataKey per second with SigV4
 * through the AWS SDK's HTTP layer, on SQLite and on PostgreSQL (when installed), each beside
 * baselines measured in the same run:
 *  (a) in-process AES-256-GCM of the same 4 KiB (what the cryptography alone costs), and
 *  (b) the HTTP floor: a bare fastify route returning the same JSON through the same SDK client
 *      (what the SDK, SigV4 signing and HTTP cost with no KMS at all). Target: >= 0.5x floor.
 * Also the p99 latency of Encrypt at half the measured throughput (target <= 10 ms).
 * Client and server share this process, as the floor's do. Pool size: EKMS_BENCH_POOL (default 2).
 */
import { createCipheriv, randomBytes } from 'node:crypto';
import { Agent } from 'node:http';
import { join } from 'node:path';
import { CreateKeyCommand, EncryptCommand, GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import Fastify from 'fastify';
import { pino } from 'pino';
import { startEkms, type RunningEkms } from '@secgear/kms';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { concurrentThroughput, openLoopLatencies, percentile, throughput } from './lib/measure.js';
import type { BenchResult, BenchSuite } from './lib/types.js';
import { withPostgresNode } from './lib/postgres.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';

const PLAINTEXT = randomBytes(4096);
const IN_FLIGHT = Number(process.env.EKMS_BENCH_IN_FLIGHT ?? 32);
const SECONDS = Number(process.env.EKMS_BENCH_SECONDS ?? 3);
const POOL = Number(process.env.EKMS_BENCH_POOL ?? 2);

function client(endpoint: string, credentials: { accessKeyId: string; secretAccessKey: string }): KMSClient {
  return new KMSClient({
    endpoint, region: 'us-east-1', credentials, maxAttempts: 1,
    requestHandler: new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true, maxSockets: IN_FLIGHT }), requestTimeout: 15_000, connectionTimeout: 5_000 }),
  });
}

async function httpFloor(responseBody: string): Promise<{ url: string; close: () => Promise<void> }> {
  const app = Fastify();
  app.addContentTypeParser('application/x-amz-json-1.1', { parseAs: 'buffer' }, (_r, body, done) => done(null, body));
  app.post('/', async (_request, reply) => reply.header('content-type', 'application/x-amz-json-1.1').send(responseBody));
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  return { url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`, close: () => app.close() };
}

interface LoadReport {
  perSecond: number;
  p50: number;
  p99: number;
  failures: number;
  firstFailure: string;
}

/** Runs workers/kms-load.js in its own process: pre-signed Encrypt requests, no SDK in the loop. */
function loadProcess(url: string, credentials: { accessKeyId: string; secretAccessKey: string }, keyId: string, rate?: number): Promise<LoadReport> {
  const script = fileURLToPath(new URL('./workers/kms-load.js', import.meta.url));
  const params = JSON.stringify({ url, credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey }, keyId, requests: 2000, inFlight: IN_FLIGHT, seconds: SECONDS, rate });
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [script, params], { maxBuffer: 1 << 20, timeout: (SECONDS + 60) * 1000 }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`load generator failed: ${error.message} ${stderr.slice(0, 500)}`));
      const report = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as LoadReport;
      if (report.failures) return reject(new Error(`${report.failures} requests failed, first: ${report.firstFailure}`));
      resolve(report);
    });
  });
}

/**
 * The server's own capacity: requests signed before the clock starts, sent from a separate
 * process over keep-alive HTTP, against EKMS and against the bare route (same generator).
 */
async function measureCapacity(label: string, node: RunningEkms, floorUrl: string): Promise<Array<Omit<BenchResult, 'ratio'>>> {
  const tenant = await node.service.createTenant(`capacity${Date.now()}`);
  const credentials = await node.service.createAccessKey(tenant.name);
  const kms = client(node.url, credentials);
  const keyId = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
  kms.destroy();
  const floor = await loadProcess(floorUrl, credentials, keyId);
  const ours = await loadProcess(node.url, credentials, keyId);
  process.stderr.write(`  ${label} capacity (pre-signed, load process): EKMS ${Math.round(ours.perSecond)}/s, floor ${Math.round(floor.perSecond)}/s\n`);
  const half = await loadProcess(node.url, credentials, keyId, ours.perSecond / 2);
  process.stderr.write(`  ${label}: Encrypt p99 at half capacity ${half.p99.toFixed(2)} ms (p50 ${half.p50.toFixed(2)})\n`);
  const where = `${label}, pool ${node.pool.size}, ${IN_FLIGHT} in flight, pre-signed from a load process`;
  return [
    { name: `EKMS Encrypt 4 KiB server capacity (${where})`, unit: 'ops/s', value: ours.perSecond, better: 'higher', baseline: { name: 'bare fastify route, same generator (HTTP floor)', value: floor.perSecond } },
    { name: `EKMS Encrypt p99 at half capacity, ${Math.round(ours.perSecond / 2)}/s (${label}, load process)`, unit: 'ms', value: half.p99, better: 'lower', baseline: { name: 'target', value: 10 } },
  ];
}

async function measureStorage(label: string, node: RunningEkms, floorEncrypt: number, floorGdk: number): Promise<Array<Omit<BenchResult, 'ratio'>>> {
  const tenant = await node.service.createTenant(`bench${Date.now()}`);
  const credentials = await node.service.createAccessKey(tenant.name);
  const kms = client(node.url, credentials);
  try {
    const keyId = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    const encrypt = () => kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: PLAINTEXT }));
    const gdk = () => kms.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_256' }));
    const encryptRate = await concurrentThroughput(encrypt, IN_FLIGHT, SECONDS);
    process.stderr.write(`  ${label}: Encrypt ${Math.round(encryptRate)}/s\n`);
    const gdkRate = await concurrentThroughput(gdk, IN_FLIGHT, SECONDS);
    process.stderr.write(`  ${label}: GenerateDataKey ${Math.round(gdkRate)}/s\n`);
    const p99 = percentile(await openLoopLatencies(encryptRate / 2, SECONDS, encrypt), 99);
    process.stderr.write(`  ${label}: Encrypt p99 at half load ${p99.toFixed(2)} ms\n`);
    const where = `${label}, pool ${node.pool.size}, ${IN_FLIGHT} in flight`;
    return [
      { name: `EKMS Encrypt 4 KiB via SDK+SigV4 (${where})`, unit: 'ops/s', value: encryptRate, better: 'higher', baseline: { name: 'bare fastify route, same JSON, same SDK client (HTTP floor)', value: floorEncrypt } },
      { name: `EKMS GenerateDataKey via SDK+SigV4 (${where})`, unit: 'ops/s', value: gdkRate, better: 'higher', baseline: { name: 'bare fastify route, same JSON, same SDK client (HTTP floor)', value: floorGdk } },
      { name: `EKMS Encrypt p99 at half load, ${Math.round(encryptRate / 2)}/s (${label})`, unit: 'ms', value: p99, better: 'lower', baseline: { name: 'target', value: 10 } },
    ];
  } finally {
    kms.destroy();
  }
}

const suite: BenchSuite = {
  name: 'EKMS (AWS KMS API through the SDK)',
  async run() {
    const dir = mkdtempSync(join(tmpdir(), 'secgear-bench-kms-'));
    const results: Array<Omit<BenchResult, 'ratio'>> = [];
    const logger = pino({ level: 'silent' });
    try {
      // baseline (a): the cryptography alone
      const key = randomBytes(32);
      const aes = () => {
        const cipher = createCipheriv('aes-256-gcm', key, randomBytes(12));
        cipher.update(PLAINTEXT);
        cipher.final();
        cipher.getAuthTag();
      };
      // a synchronous call: concurrentThroughput's lanes would never yield to its timer
      const aesRate = await throughput(aes, 1);
      process.stderr.write(`  in-process AES-256-GCM 4 KiB ${Math.round(aesRate)}/s\n`);

      const sqlite = await startEkms({ dataDir: join(dir, 'sqlite'), poolSize: POOL, logger, platformDir: join(dir, 'sim') });
      let encryptJson = '';
      let gdkJson = '';
      try {
        // the floor answers exactly what EKMS answers
        const t = await sqlite.service.createTenant('floor');
        const c = await sqlite.service.createAccessKey('floor');
        const probe = client(sqlite.url, c);
        const keyId = (await probe.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
        const enc = await probe.send(new EncryptCommand({ KeyId: keyId, Plaintext: PLAINTEXT }));
        const dk = await probe.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_256' }));
        encryptJson = JSON.stringify({ KeyId: enc.KeyId, CiphertextBlob: Buffer.from(enc.CiphertextBlob!).toString('base64'), EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' });
        gdkJson = JSON.stringify({ KeyId: dk.KeyId, CiphertextBlob: Buffer.from(dk.CiphertextBlob!).toString('base64'), Plaintext: Buffer.from(dk.Plaintext!).toString('base64') });
        probe.destroy();
        void t;
      } catch (error) {
        await sqlite.close();
        throw error;
      }
      const floorE = await httpFloor(encryptJson);
      try {
        results.push(...(await measureCapacity('SQLite', sqlite, floorE.url)));
      } catch (error) {
        await floorE.close();
        await sqlite.close();
        throw error;
      }
      const floorG = await httpFloor(gdkJson);
      const floorClientE = client(floorE.url, { accessKeyId: 'AKEXAMPLE', secretAccessKey: 'x'.repeat(40) });
      const floorClientG = client(floorG.url, { accessKeyId: 'AKEXAMPLE', secretAccessKey: 'x'.repeat(40) });
      const floorEncrypt = await concurrentThroughput(() => floorClientE.send(new EncryptCommand({ KeyId: 'k', Plaintext: PLAINTEXT })), IN_FLIGHT, SECONDS);
      const floorGdk = await concurrentThroughput(() => floorClientG.send(new GenerateDataKeyCommand({ KeyId: 'k', KeySpec: 'AES_256' })), IN_FLIGHT, SECONDS);
      process.stderr.write(`  HTTP floor: Encrypt-shaped ${Math.round(floorEncrypt)}/s, GenerateDataKey-shaped ${Math.round(floorGdk)}/s\n`);
      floorClientE.destroy();
      floorClientG.destroy();
      await floorE.close();
      await floorG.close();

      try {
        const sqliteResults = await measureStorage('SQLite', sqlite, floorEncrypt, floorGdk);
        results.push(...sqliteResults);
        results.push({ name: 'EKMS Encrypt 4 KiB (SQLite) vs in-process AES-256-GCM 4 KiB', unit: 'ops/s', value: sqliteResults[0].value, better: 'higher', baseline: { name: 'node:crypto AES-256-GCM in process', value: aesRate } });
      } finally {
        await sqlite.close();
      }

      const pg = await withPostgresNode({ dataDir: join(dir, 'pg'), poolSize: POOL, logger, platformDir: join(dir, 'sim') }, (node) => measureStorage('PostgreSQL', node, floorEncrypt, floorGdk));
      results.push(...(pg ?? []));
      return results;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

export default suite;
