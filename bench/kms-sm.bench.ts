/**
 * EKMS ShangMi keys (issue 12): what SM2 and SM4 cost beside the AWS-standard algorithm doing
 * the same job, on the same EKMS node (SQLite, sim backend), through the same SDK client with
 * SigV4, in the same run:
 *  - Encrypt 4 KiB under an SM4 key vs under a SYMMETRIC_DEFAULT (AES-256-GCM) key
 *  - Sign (RAW, 256 B) with SM2DSA vs ECDSA_SHA_256 on P-256; Verify likewise
 * and in process, without HTTP: SM2DSA sign/verify (ours, on @noble/curves) vs node:crypto
 * ECDSA P-256 (OpenSSL), the cost of doing SM2 in JavaScript.
 */
import { generateKeyPairSync, randomBytes, sign, verify } from 'node:crypto';
import { Agent } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateKeyCommand, EncryptCommand, KMSClient, SignCommand, VerifyCommand, type KeySpec, type SigningAlgorithmSpec } from '@aws-sdk/client-kms';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { pino } from 'pino';
import { startEkms } from '@secgear/kms';
import { concurrentThroughput, throughput } from './lib/measure.js';
import type { BenchResult, BenchSuite } from './lib/types.js';

const IN_FLIGHT = Number(process.env.EKMS_BENCH_IN_FLIGHT ?? 8);
const SECONDS = Number(process.env.EKMS_BENCH_SECONDS ?? 2);
const POOL = Number(process.env.EKMS_BENCH_POOL ?? 2);

type Sm2Module = typeof import('../packages/kms/dist/src/enclave/gm/sm2.js');

const suite: BenchSuite = {
  name: 'EKMS SM2/SM4 beside AES-GCM and ECDSA',
  async run() {
    const results: Array<Omit<BenchResult, 'ratio'>> = [];
    // in process: our SM2 vs OpenSSL's ECDSA
    const sm2 = (await import(new URL('../../packages/kms/dist/src/enclave/gm/sm2.js', import.meta.url).href)) as Sm2Module;
    const message = randomBytes(256);
    const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const d = sm2.randomScalar(sm2.SM2);
    // a busy key: its public point gets window tables after a few uses (sm2.withTables)
    const point = sm2.SM2.Point.BASE.multiply(d);
    const ecSignature = sign('sha256', message, ec.privateKey);
    const smSignature = sm2.signDigest(sm2.SM2, d, sm2.messageDigest(sm2.SM2, point, message));
    const ecdsaSign = await throughput(() => sign('sha256', message, ec.privateKey), SECONDS);
    const sm2Sign = await throughput(() => sm2.signDigest(sm2.SM2, d, sm2.messageDigest(sm2.SM2, point, message)), SECONDS);
    const ecdsaVerify = await throughput(() => verify('sha256', message, ec.publicKey, ecSignature), SECONDS);
    const sm2Verify = await throughput(() => sm2.verifyDigest(sm2.SM2, point, sm2.messageDigest(sm2.SM2, point, message), smSignature), SECONDS);
    results.push(
      { name: 'SM2DSA sign 256 B in process (ours, @noble/curves, with Z)', unit: 'ops/s', value: sm2Sign, better: 'higher', baseline: { name: 'node:crypto ECDSA P-256 SHA-256 sign', value: ecdsaSign } },
      { name: 'SM2DSA verify 256 B in process (ours)', unit: 'ops/s', value: sm2Verify, better: 'higher', baseline: { name: 'node:crypto ECDSA P-256 SHA-256 verify', value: ecdsaVerify } },
    );

    // through EKMS and the SDK
    const dir = mkdtempSync(join(tmpdir(), 'secgear-bench-kms-sm-'));
    const node = await startEkms({ dataDir: join(dir, 'data'), poolSize: POOL, logger: pino({ level: 'silent' }), platformDir: join(dir, 'sim') });
    const credentials = await (async () => {
      await node.service.createTenant('bench-sm');
      return node.service.createAccessKey('bench-sm');
    })();
    const kms = new KMSClient({
      endpoint: node.url, region: 'us-east-1', credentials, maxAttempts: 1,
      requestHandler: new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true, maxSockets: IN_FLIGHT }), requestTimeout: 15_000 }),
    });
    try {
      const key = async (KeySpec: KeySpec, KeyUsage: 'ENCRYPT_DECRYPT' | 'SIGN_VERIFY') => (await kms.send(new CreateKeyCommand({ KeySpec, KeyUsage }))).KeyMetadata!.KeyId!;
      const plaintext = randomBytes(4096);
      const encryptRate = async (KeyId: string) => concurrentThroughput(() => kms.send(new EncryptCommand({ KeyId, Plaintext: plaintext })), IN_FLIGHT, SECONDS);
      const aesRate = await encryptRate(await key('SYMMETRIC_DEFAULT', 'ENCRYPT_DECRYPT'));
      const sm4Rate = await encryptRate(await key('SM4' as KeySpec, 'ENCRYPT_DECRYPT'));
      const signRates = async (KeyId: string, SigningAlgorithm: SigningAlgorithmSpec) => {
        const Signature = (await kms.send(new SignCommand({ KeyId, Message: message, SigningAlgorithm }))).Signature;
        return {
          sign: await concurrentThroughput(() => kms.send(new SignCommand({ KeyId, Message: message, SigningAlgorithm })), IN_FLIGHT, SECONDS),
          verify: await concurrentThroughput(() => kms.send(new VerifyCommand({ KeyId, Message: message, Signature, SigningAlgorithm })), IN_FLIGHT, SECONDS),
        };
      };
      const ecdsa = await signRates(await key('ECC_NIST_P256', 'SIGN_VERIFY'), 'ECDSA_SHA_256');
      const sm2dsa = await signRates(await key('SM2', 'SIGN_VERIFY'), 'SM2DSA');
      const where = `via SDK+SigV4, SQLite, pool ${POOL}, ${IN_FLIGHT} in flight`;
      results.push(
        { name: `EKMS Encrypt 4 KiB, SM4 key (${where})`, unit: 'ops/s', value: sm4Rate, better: 'higher', baseline: { name: 'same, SYMMETRIC_DEFAULT (AES-256-GCM) key', value: aesRate } },
        { name: `EKMS Sign 256 B, SM2DSA (${where})`, unit: 'ops/s', value: sm2dsa.sign, better: 'higher', baseline: { name: 'same, ECDSA_SHA_256 on P-256', value: ecdsa.sign } },
        { name: `EKMS Verify 256 B, SM2DSA (${where})`, unit: 'ops/s', value: sm2dsa.verify, better: 'higher', baseline: { name: 'same, ECDSA_SHA_256 on P-256', value: ecdsa.verify } },
      );
      return results;
    } finally {
      kms.destroy();
      await node.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

export default suite;
