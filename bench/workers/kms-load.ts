// A load generator in its own process, for EKMS's server capacity: it signs its Encrypt
// requests with SigV4 before the clock starts (no SDK in the timed loop), then keeps
// `inFlight` requests outstanding over keep-alive HTTP (closed loop) or sends at a fixed rate
// (open loop), and prints one JSON line: completions per second and latency percentiles.
// The same generator runs against the bare fastify floor route, so the ratio compares servers.
import { Agent, request } from 'node:http';
import { randomBytes } from 'node:crypto';
import { openLoopLatencies } from '../lib/measure.js';

// the kms package's own signer (not exported: clients use the SDK), from bench/dist/workers
const sigv4Module = new URL('../../../packages/kms/dist/src/common/sigv4.js', import.meta.url).href;
const { signRequest } = (await import(sigv4Module)) as typeof import('../../packages/kms/dist/src/common/sigv4.js');

interface LoadParams {
  url: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  keyId: string;
  /** Distinct requests signed up front (each carries its own encryption context). */
  requests: number;
  inFlight: number;
  seconds: number;
  /** Open loop at this many requests per second; closed loop when absent. */
  rate?: number;
}

const params = JSON.parse(process.argv[2]) as LoadParams;
const target = new URL(params.url);
const plaintext = randomBytes(4096).toString('base64');

function signed(i: number): { body: Buffer; headers: Record<string, string> } {
  const body = Buffer.from(JSON.stringify({ KeyId: params.keyId, Plaintext: plaintext, EncryptionContext: { request: String(i) } }));
  const headers: Record<string, string> = {
    host: target.host,
    'content-type': 'application/x-amz-json-1.1',
    'x-amz-target': 'TrentService.Encrypt',
  };
  headers.authorization = signRequest({ method: 'POST', url: '/', headers, body }, params.credentials, 'us-east-1');
  return { body, headers: { ...headers, 'content-length': String(body.byteLength) } };
}

const prepared = Array.from({ length: params.requests }, (_, i) => signed(i));
const agent = new Agent({ keepAlive: true, maxSockets: params.inFlight });
let next = 0;
let failures = 0;
let firstFailure = '';

function send(): Promise<void> {
  const { body, headers } = prepared[next++ % prepared.length];
  return new Promise((resolve) => {
    const req = request({ agent, host: target.hostname, port: target.port, method: 'POST', path: '/', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        if (res.statusCode !== 200) {
          failures++;
          firstFailure ||= `${res.statusCode} ${Buffer.concat(chunks).toString().slice(0, 200)}`;
        }
        resolve();
      });
    });
    req.on('error', (error) => {
      failures++;
      firstFailure ||= error.message;
      resolve();
    });
    req.end(body);
  });
}

const samples: number[] = [];
const timed = async (): Promise<void> => {
  const t0 = performance.now();
  await send();
  samples.push(performance.now() - t0);
};

async function closedLoop(seconds: number): Promise<number> {
  let done = 0;
  let stop = false;
  const lane = async () => {
    while (!stop) {
      await timed();
      done++;
    }
  };
  const lanes = Array.from({ length: params.inFlight }, lane);
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  stop = true;
  const elapsed = (performance.now() - t0) / 1000;
  const counted = done;
  await Promise.all(lanes);
  return counted / elapsed;
}

async function openLoop(rate: number, seconds: number): Promise<number> {
  const latencies = await openLoopLatencies(rate, seconds, send);
  samples.push(...latencies);
  return latencies.length / seconds;
}

// warm-up: connections opened, JIT warm, server caches filled
await closedLoop(0.5);
samples.length = 0;
failures = 0;
const perSecond = params.rate ? await openLoop(params.rate, params.seconds) : await closedLoop(params.seconds);
samples.sort((a, b) => a - b);
const at = (p: number) => samples[Math.min(samples.length - 1, Math.max(0, Math.ceil((p / 100) * samples.length) - 1))] ?? NaN;
agent.destroy();
process.stdout.write(`${JSON.stringify({ perSecond, p50: at(50), p99: at(99), failures, firstFailure })}\n`);
