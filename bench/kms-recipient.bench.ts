/**
 * EKMS attested key release: what a `Recipient` costs. GenerateDataKey and Decrypt with a
 * Recipient (sim evidence verified inside the EKMS enclave, the result sealed as CMS
 * EnvelopedData to an RSA-2048 key) beside the same calls without one, on the same node, key
 * and SDK client in the same run. One recipient container is reused for every call (evidence
 * stays valid for 5 minutes), so the figures are the service's cost, not the caller's
 * evidence generation. Pool size 2, SQLite, client and server in one process.
 */
import { Agent } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateKeyCommand, DecryptCommand, EncryptCommand, GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { pino } from 'pino';
import { buildImage, createEnclave, generateSigningKey } from 'secgear';
import { startEkms } from '@secgear/kms';
import { concurrentThroughput } from './lib/measure.js';
import type { BenchResult, BenchSuite } from './lib/types.js';

const IN_FLIGHT = Number(process.env.EKMS_BENCH_IN_FLIGHT ?? 16);
const SECONDS = Number(process.env.EKMS_BENCH_SECONDS ?? 3);

type CallerEcalls = { recipient(issuedAt?: number): Uint8Array };

const suite: BenchSuite = {
  name: 'EKMS attested key release (Recipient)',
  async run() {
    const dir = mkdtempSync(join(tmpdir(), 'secgear-bench-kms-recipient-'));
    const platformDir = join(dir, 'sim');
    const node = await startEkms({ dataDir: join(dir, 'data'), poolSize: 2, logger: pino({ level: 'silent' }), platformDir, recipients: { allowSimulation: true } });
    // the caller enclave of the kms tests: it binds its RSA key and the time into sim evidence
    const entry = new URL('../../packages/kms/dist/test/fixtures/recipient-enclave.js', import.meta.url).pathname;
    const image = await buildImage({ entry, manifest: { name: 'bench-recipient', version: '1.0.0', ecalls: ['useKey', 'recipient', 'open'] }, key: generateSigningKey() });
    const caller = await createEnclave<CallerEcalls>(image.bytes, { type: 'sim', platform: { stateDir: platformDir } });
    const results: Array<Omit<BenchResult, 'ratio'>> = [];
    let kms: KMSClient | undefined;
    try {
      await node.service.createTenant('bench');
      const credentials = await node.service.createAccessKey('bench');
      kms = new KMSClient({
        endpoint: node.url, region: 'us-east-1', credentials, maxAttempts: 1,
        requestHandler: new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true, maxSockets: IN_FLIGHT }), requestTimeout: 15_000 }),
      });
      const client = kms;
      const keyId = (await client.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
      const Recipient = { KeyEncryptionAlgorithm: 'RSAES_OAEP_SHA_256' as const, AttestationDocument: await caller.ecall.recipient() };
      const blob = (await client.send(new EncryptCommand({ KeyId: keyId, Plaintext: new Uint8Array(32).fill(7) }))).CiphertextBlob!;

      const cases: Array<[string, () => Promise<unknown>, () => Promise<unknown>]> = [
        ['GenerateDataKey', () => client.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_256', Recipient })), () => client.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_256' }))],
        ['Decrypt', () => client.send(new DecryptCommand({ CiphertextBlob: blob, Recipient })), () => client.send(new DecryptCommand({ CiphertextBlob: blob }))],
      ];
      for (const [operation, withRecipient, plain] of cases) {
        const base = await concurrentThroughput(plain, IN_FLIGHT, SECONDS);
        const ours = await concurrentThroughput(withRecipient, IN_FLIGHT, SECONDS);
        process.stderr.write(`  ${operation}: ${Math.round(ours)}/s with Recipient, ${Math.round(base)}/s without\n`);
        results.push({
          name: `EKMS ${operation} with Recipient (sim evidence verified in the enclave, CMS to RSA-2048; SQLite, pool 2, ${IN_FLIGHT} in flight)`,
          unit: 'ops/s', value: ours, better: 'higher',
          baseline: { name: `the same ${operation} without Recipient, same node and client`, value: base },
        });
      }
      return results;
    } finally {
      kms?.destroy();
      await caller.destroy();
      await node.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

export default suite;
