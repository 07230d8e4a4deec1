/**
 * Intel SGX and TDX quote verification per second with collateral cached (loaded once; parsed
 * collateral and verified certificate links are memoised by content hash, validity windows are
 * re-checked on every call), beside `@phala/dcap-qvl` (a published pure-JavaScript DCAP
 * verifier) verifying the same quotes with the same collateral at the same time, in the same run.
 * The quote's own signatures (attestation key, QE report) are verified on every call.
 * Targets: at least 3x dcap-qvl's throughput, and under 2 ms per quote.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { verifyEvidence, type CollateralItem, type EvidenceFormat } from 'secgear/attest';
import { latencies, percentile, throughput } from './lib/measure.js';
import type { BenchResult, BenchSuite } from './lib/types.js';

interface DcapQvl {
  verify(quote: Uint8Array, collateral: unknown, nowSecs: number): { status: string; advisory_ids: string[] };
}
const dcapQvl = createRequire(import.meta.url)('@phala/dcap-qvl') as DcapQvl;

const here = dirname(fileURLToPath(import.meta.url));
const vectors = process.env.SECGEAR_VECTORS ?? resolve(here, '..', '..', '..', 'shared', 'vectors');
const read = (path: string) => new Uint8Array(readFileSync(join(vectors, path)));

interface Sample {
  label: string;
  format: EvidenceFormat;
  quote: Uint8Array;
  bundle: string;
  at: Date;
}

const samples: Sample[] = [
  { label: 'SGX v3 (dcap-qvl sample)', format: 'sgx-dcap', quote: read('sgx-dcap/dcap-qvl/sgx_quote.bin'), bundle: 'sgx-dcap/dcap-qvl/sgx_quote_collateral.json', at: new Date('2025-07-19T10:01:17Z') },
  { label: 'TDX v4 (dcap-qvl sample)', format: 'tdx', quote: read('tdx/dcap-qvl/tdx_quote.bin'), bundle: 'tdx/dcap-qvl/tdx_quote_collateral.json', at: new Date('2025-07-19T10:00:34Z') },
];

async function measure(sample: Sample): Promise<Array<Omit<BenchResult, 'ratio'>>> {
  const collateral: CollateralItem[] = [{ role: 'bundle', data: read(sample.bundle), source: sample.bundle }];
  const theirCollateral = JSON.parse(readFileSync(join(vectors, sample.bundle), 'utf8')) as unknown;
  const nowSecs = Math.floor(sample.at.getTime() / 1000);
  const ours = () => verifyEvidence(sample.quote, { format: sample.format, collateral, now: sample.at });
  const theirs = () => dcapQvl.verify(sample.quote, theirCollateral, nowSecs);

  // both must agree before anything is timed
  const a = await ours();
  const b = theirs();
  if (!a.verified || a.claims?.tcbStatus !== b.status) {
    throw new Error(`${sample.label}: results differ (ours ${a.verified} ${a.claims?.tcbStatus ?? a.failure?.message}, dcap-qvl ${b.status})`);
  }

  const oursPerSecond = await throughput(ours, 2);
  const theirsPerSecond = await throughput(theirs, 2);
  const oursLatency = await latencies(ours, 2000, 200);
  const theirsLatency = await latencies(theirs, 300, 30);
  const baseline = (value: number) => ({ name: '@phala/dcap-qvl 0.3.9 verify()', value });
  return [
    { name: `attest-intel: ${sample.label} verifications/s, collateral cached`, unit: 'verifications/s', value: oursPerSecond, better: 'higher', baseline: baseline(theirsPerSecond) },
    { name: `attest-intel: ${sample.label} p50 latency`, unit: 'ms', value: percentile(oursLatency, 50) / 1000, better: 'lower', baseline: baseline(percentile(theirsLatency, 50) / 1000) },
    { name: `attest-intel: ${sample.label} p99 latency`, unit: 'ms', value: percentile(oursLatency, 99) / 1000, better: 'lower', baseline: baseline(percentile(theirsLatency, 99) / 1000) },
  ];
}

const suite: BenchSuite = {
  name: 'attest-intel',
  async run() {
    const out: Array<Omit<BenchResult, 'ratio'>> = [];
    for (const sample of samples) out.push(...(await measure(sample)));
    return out;
  },
};

export default suite;
