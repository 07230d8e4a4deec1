/**
 * Intel SGX and TDX quote verification beside `@phala/dcap-qvl` (a published pure-JavaScript
 * DCAP verifier) verifying the same quotes with the same collateral, in the same run:
 *  - cold: every verification cache is cleared (untimed) before each call, so each one parses
 *    the collateral and the certificates and checks every signature. This is the headline
 *    figure: what a verifier that sees a platform for the first time pays.
 *  - warm ("same platform, collateral cached"): collateral loaded once; parsed collateral and
 *    verified certificate links are memoised by content hash, validity windows are re-checked
 *    on every call. What a long-running verifier pays for the second quote of a platform.
 * dcap-qvl keeps no caches, so its cold and warm figures are the same work. The quote's own
 * signatures (attestation key, QE report) are verified on every call in both.
 * Targets: at least 3x dcap-qvl's throughput, and under 2 ms per quote.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { clearVerificationCaches, verifyEvidence, type CollateralItem, type EvidenceFormat } from 'secgear/attest';
import { coldLatencies, latencies, mean, percentile, throughput } from './lib/measure.js';
import type { BenchResult, BenchSuite } from './lib/types.js';

interface DcapQvl {
  verify(quote: Uint8Array, collateral: unknown, nowSecs: number): { status: string; advisory_ids: string[] };
}
const dcapQvl = createRequire(import.meta.url)('@phala/dcap-qvl') as DcapQvl;

const here = dirname(fileURLToPath(import.meta.url));
const vectors = process.env.SECGEAR_VECTORS ?? resolve(here, '..', '..', '..', 'shared', 'vectors');
const read = (path: string) => new Uint8Array(readFileSync(join(vectors, path)));

export interface Sample {
  label: string;
  format: EvidenceFormat;
  quote: Uint8Array;
  bundle: string;
  at: Date;
}

export const intelSamples: Sample[] = [
  { label: 'SGX v3 (dcap-qvl sample)', format: 'sgx-dcap', quote: read('sgx-dcap/dcap-qvl/sgx_quote.bin'), bundle: 'sgx-dcap/dcap-qvl/sgx_quote_collateral.json', at: new Date('2025-07-19T10:01:17Z') },
  { label: 'TDX v4 (dcap-qvl sample)', format: 'tdx', quote: read('tdx/dcap-qvl/tdx_quote.bin'), bundle: 'tdx/dcap-qvl/tdx_quote_collateral.json', at: new Date('2025-07-19T10:00:34Z') },
];

/** The sample's collateral as verifyEvidence takes it (the dcap-qvl JSON bundle). */
export function intelCollateral(sample: Sample): CollateralItem[] {
  return [{ role: 'bundle', data: read(sample.bundle), source: sample.bundle }];
}

async function measure(sample: Sample): Promise<Array<Omit<BenchResult, 'ratio'>>> {
  const collateral = intelCollateral(sample);
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

  // cold first, while nothing is cached yet; the caches are cleared before every call anyway
  const nothing = () => {};
  const oursCold = await coldLatencies(clearVerificationCaches, ours, 300);
  const theirsCold = await coldLatencies(nothing, theirs, 300);
  const oursPerSecond = await throughput(ours, 2);
  const theirsPerSecond = await throughput(theirs, 2);
  const oursLatency = await latencies(ours, 2000, 200);
  const theirsLatency = await latencies(theirs, 300, 30);
  const baseline = (value: number) => ({ name: '@phala/dcap-qvl 0.3.9 verify()', value });
  const coldBaseline = (value: number) => ({ name: '@phala/dcap-qvl 0.3.9 verify() (keeps no caches)', value });
  return [
    { name: `attest-intel: ${sample.label} cold p50 latency, every cache cleared before each call`, unit: 'ms', value: percentile(oursCold, 50) / 1000, better: 'lower', baseline: coldBaseline(percentile(theirsCold, 50) / 1000) },
    { name: `attest-intel: ${sample.label} cold verifications/s, every cache cleared before each call`, unit: 'verifications/s', value: 1e6 / mean(oursCold), better: 'higher', baseline: coldBaseline(1e6 / mean(theirsCold)) },
    { name: `attest-intel: ${sample.label} verifications/s, collateral cached`, unit: 'verifications/s', value: oursPerSecond, better: 'higher', baseline: baseline(theirsPerSecond) },
    { name: `attest-intel: ${sample.label} p50 latency, collateral cached`, unit: 'ms', value: percentile(oursLatency, 50) / 1000, better: 'lower', baseline: baseline(percentile(theirsLatency, 50) / 1000) },
    { name: `attest-intel: ${sample.label} p99 latency, collateral cached`, unit: 'ms', value: percentile(oursLatency, 99) / 1000, better: 'lower', baseline: baseline(percentile(theirsLatency, 99) / 1000) },
  ];
}

const suite: BenchSuite = {
  name: 'attest-intel',
  async run() {
    const out: Array<Omit<BenchResult, 'ratio'>> = [];
    for (const sample of intelSamples) out.push(...(await measure(sample)));
    return out;
  },
};

export default suite;
