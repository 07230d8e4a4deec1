/**
 * Attestation service (issue 13), each figure beside its baseline in the same run:
 *  - sim: attestations per second end to end over HTTP on loopback (GET /challenge, the enclave's
 *    evidence for it, POST /attestation: verify, default policy, sign an ES384 EAR token) vs the
 *    bare verifier on the same kind of evidence (verifyEvidence alone)
 *  - SGX DCAP: the same end to end with the dcap-qvl quote and its collateral loaded once
 *    (offline collateral, time pinned), the challenge injected as the quote's bound nonce, vs
 *    the bare verifier on the same quote and collateral
 *  - policy evaluation cost per call: a compiled CEL policy (measurement in reference values,
 *    debug, svn, TCB status) vs the same predicate as a JavaScript closure
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compilePolicy, createAttestationService } from '@secgear/attestation';
import { createEnclave } from 'secgear';
import { requestChallenge, submitEvidence } from 'secgear/agent';
import { classifyAnchors, verifyEvidence, type CollateralItem } from 'secgear/attest';
import { buildBenchEnclave } from './lib/enclave-image.js';
import { latencies, percentile, throughput } from './lib/measure.js';
import type { BenchResult, BenchSuite } from './lib/types.js';

const here = dirname(fileURLToPath(import.meta.url));
const vectors = process.env.SECGEAR_VECTORS ?? resolve(here, '..', '..', '..', 'shared', 'vectors');
const read = (path: string) => new Uint8Array(readFileSync(join(vectors, path)));
const SECONDS = 2;

async function simEndToEnd(): Promise<Array<Omit<BenchResult, 'ratio'>>> {
  const dir = mkdtempSync(join(tmpdir(), 'secgear-as-bench-'));
  const stateDir = join(dir, 'sim');
  const enclave = await createEnclave(await buildBenchEnclave('bench-enclave', dir), { type: 'sim', platform: { stateDir } });
  try {
    await enclave.getEvidence({ nonce: new Uint8Array(32) });
    const trustAnchors = classifyAnchors(new Uint8Array(readFileSync(join(stateDir, 'sim-root.pem'))))!;
    const service = await createAttestationService({ logger: false, verifier: { allowSimulation: true, trustAnchors } });
    const url = await service.listen();
    try {
      const endToEnd = await throughput(async () => {
        const challenge = await requestChallenge(url);
        await submitEvidence(url, { challenge, evidence: await enclave.getEvidence({ nonce: challenge.nonce }) });
      }, SECONDS);
      const nonce = new Uint8Array(32).fill(3);
      const evidence = await enclave.getEvidence({ nonce });
      const bare = await throughput(async () => {
        const r = await verifyEvidence(evidence, { allowSimulation: true, trustAnchors, trustLocalSimRoot: false, nonce });
        if (!r.verified) throw new Error(r.failure?.message);
      }, SECONDS);
      return [{ name: 'attestation service: sim attestations/s end to end (HTTP, ES384 token)', unit: 'att/s', value: endToEnd, better: 'higher', baseline: { name: 'bare verifyEvidence (sim)', value: bare } }];
    } finally {
      await service.close();
    }
  } finally {
    await enclave.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function sgxEndToEnd(): Promise<Array<Omit<BenchResult, 'ratio'>>> {
  const quote = read('sgx-dcap/dcap-qvl/sgx_quote.bin');
  const collateral: CollateralItem[] = [{ role: 'bundle', data: read('sgx-dcap/dcap-qvl/sgx_quote_collateral.json') }];
  const at = new Date('2025-07-19T10:01:17Z');
  const first = await verifyEvidence(quote, { collateral, now: at });
  const nonce = first.claims!.reportData!.slice(0, 32);
  const service = await createAttestationService({
    logger: false,
    clock: () => at,
    // every challenge is the quote's bound nonce (challenges are single use, taken before the next is issued)
    randomBytes: (size) => (size === 32 ? nonce : new Uint8Array(size).map(() => Math.floor(Math.random() * 256))),
    verifier: { collateral },
  });
  const url = await service.listen();
  try {
    const endToEnd = await throughput(async () => {
      const challenge = await requestChallenge(url);
      await submitEvidence(url, { challenge, evidence: { mediaType: 'application/octet-stream', data: quote } });
    }, SECONDS);
    const bare = await throughput(async () => {
      const r = await verifyEvidence(quote, { collateral, now: at, nonce });
      if (!r.verified) throw new Error(r.failure?.message);
    }, SECONDS);
    return [{ name: 'attestation service: SGX DCAP attestations/s end to end (collateral cached)', unit: 'att/s', value: endToEnd, better: 'higher', baseline: { name: 'bare verifyEvidence (same quote, collateral)', value: bare } }];
  } finally {
    await service.close();
  }
}

async function policyCost(): Promise<Array<Omit<BenchResult, 'ratio'>>> {
  const variables = ['claims', 'ref', 'tee', 'format', 'verifier_status'] as const;
  const policy = compilePolicy(
    'claims.measurement in ref["app.measurement"] && claims.debug == false && claims.svn >= 2 && claims.tcbStatus in ["UpToDate", "SWHardeningNeeded"] ? verifier_status : "contraindicated"',
    variables,
  );
  const m = 'ab'.repeat(32);
  const input = {
    claims: { measurement: m, debug: false, svn: 3n, tcbStatus: 'UpToDate', measurements: {} },
    ref: { 'app.measurement': ['00'.repeat(32), m] },
    tee: 'sgx',
    format: 'sgx-dcap',
    verifier_status: 'affirming',
  };
  const js = (v: typeof input) =>
    v.ref['app.measurement'].includes(v.claims.measurement) && v.claims.debug === false && v.claims.svn >= 2n && ['UpToDate', 'SWHardeningNeeded'].includes(v.claims.tcbStatus)
      ? v.verifier_status
      : 'contraindicated';
  if (policy.evaluate(input) !== 'affirming' || js(input) !== 'affirming') throw new Error('policy bench: the two predicates disagree');
  const cel = percentile(await latencies(() => policy.evaluate(input), 50_000), 50);
  const closure = percentile(await latencies(() => js(input), 50_000), 50);
  return [{ name: 'attestation policy: CEL evaluation per call (p50)', unit: 'µs', value: cel, better: 'lower', baseline: { name: 'the same predicate as a JS closure', value: closure } }];
}

const suite: BenchSuite = {
  name: 'attestation service',
  async run() {
    return [...(await simEndToEnd()), ...(await sgxEndToEnd()), ...(await policyCost())];
  },
};
export default suite;
