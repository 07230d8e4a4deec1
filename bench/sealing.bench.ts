/**
 * Sealing and attestation benchmarks (issue 4), on the sim backend, each beside a baseline
 * measured in the same run:
 *  - seal+unseal of 1 MiB inside the enclave vs plain node:crypto AES-256-GCM on the same data in
 *    the same enclave (target ≥ 0.9x), against two baselines: the same job (one storable
 *    iv‖ciphertext‖tag message and back), and bare cipher calls whose output is never packaged.
 *    A blob is one contiguous Uint8Array and node:crypto cannot encrypt into a caller's buffer,
 *    so sealing pays one copy of the ciphertext that bare calls skip (about 0.1x at 1 MiB).
 *  - 1 KiB seals per second inside the enclave (target ≥ 50,000/s) vs plain AES-256-GCM 1 KiB
 *    encryptions per second there
 *  - evidence generation per second (ecall-free loop inside the enclave, each a platform request
 *    signed with ECDSA P-384) vs plain ECDSA P-384 signatures per second on the host
 *  - evidence verification per second (verifyEvidence, sim format) vs plain ECDSA P-384
 *    verifications per second
 */
import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEnclave } from 'secgear';
import { verifyEvidence } from 'secgear/attest';
import { buildBenchEnclave } from './lib/enclave-image.js';
import { throughput } from './lib/measure.js';
import type { BenchSuite } from './lib/types.js';
import type { ecalls } from './enclaves/sealing-enclave.js';

const MiB = 1 << 20;

const suite: BenchSuite = {
  name: 'sealing and attestation (sim backend)',
  async run() {
    const dir = mkdtempSync(join(tmpdir(), 'secgear-bench-sealing-'));
    try {
      const image = await buildBenchEnclave('sealing-enclave', dir);
      const enclave = await createEnclave<typeof ecalls>(image, { type: 'sim', platform: { stateDir: join(dir, 'sim') } });
      const big = await enclave.ecall.roundTrip(MiB, 400);
      const small = await enclave.ecall.sealRate(1024, 20_000, 7);
      await enclave.ecall.evidenceRate(50);
      const generated = await enclave.ecall.evidenceRate(500);
      const nonce = new Uint8Array(32).fill(1);
      const evidence = await enclave.getEvidence({ nonce }); // the runtime built-in, no ecall
      await enclave.destroy();

      const options = { nonce, allowSimulation: true, replaceBuiltInAnchors: false };
      process.env.SECGEAR_SIM_DIR = join(dir, 'sim');
      const check = await verifyEvidence(evidence, options);
      if (!check.verified) throw new Error(`benchmark evidence did not verify: ${check.failure?.check}`);
      const verified = await throughput(() => verifyEvidence(evidence, options), 2);

      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
      const body = evidence.data.subarray(0, evidence.data.byteLength - 96);
      const signature = sign('sha384', body, { key: privateKey, dsaEncoding: 'ieee-p1363' });
      const plainSign = await throughput(() => sign('sha384', body, { key: privateKey, dsaEncoding: 'ieee-p1363' }), 2);
      const plainVerify = await throughput(() => verify('sha384', body, { key: publicKey, dsaEncoding: 'ieee-p1363' }, signature), 2);

      return [
        {
          name: 'seal+unseal 1 MiB inside the enclave',
          unit: 'MiB/s',
          value: big.ours,
          better: 'higher',
          baseline: { name: 'plain node:crypto AES-256-GCM, same job: 1 MiB to one iv‖ct‖tag message and back, same enclave', value: big.message },
        },
        {
          name: 'seal+unseal 1 MiB inside the enclave vs bare cipher calls',
          unit: 'MiB/s',
          value: big.ours,
          better: 'higher',
          baseline: { name: 'plain node:crypto AES-256-GCM update/final only (output not packaged), same enclave', value: big.bare },
        },
        {
          name: '1 KiB seals per second inside the enclave',
          unit: 'seals/s',
          value: small.ours,
          better: 'higher',
          baseline: { name: 'plain node:crypto AES-256-GCM 1 KiB encryptions/s, same enclave', value: small.plain },
        },
        {
          name: 'evidence generation (inside the enclave, via the platform)',
          unit: 'evidence/s',
          value: generated,
          better: 'higher',
          baseline: { name: 'plain ECDSA P-384 signatures/s (node:crypto)', value: plainSign },
        },
        {
          name: 'evidence verification (verifyEvidence, sim)',
          unit: 'verifications/s',
          value: verified,
          better: 'higher',
          baseline: { name: 'plain ECDSA P-384 verifications/s (node:crypto)', value: plainVerify },
        },
      ];
    } finally {
      delete process.env.SECGEAR_SIM_DIR;
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

export default suite;
