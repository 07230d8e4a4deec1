// Faults: kill -9 of a node under load loses no acknowledged key or ciphertext; the restarted
// node unseals its root key and serves. With PostgreSQL, two nodes serve the same keys and one
// node dying does not fail the other's requests.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { CreateKeyCommand, DecryptCommand, DescribeKeyCommand, EncryptCommand, type KMSClient } from '@aws-sdk/client-kms';
import { removeDir, sdkClient, tempDir } from './helpers/ekms.js';
import { startPostgres, type TestPostgres } from './helpers/postgres.js';
import { serveProcess, type ServeProcess } from './helpers/serve-process.js';

const work = tempDir('faults');
const env = { ...process.env, SECGEAR_SIM_DIR: join(work, 'sim') };
const processes: ServeProcess[] = [];
let pg: TestPostgres | undefined;

after(async () => {
  for (const p of processes) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  await pg?.stop();
  removeDir(work);
});

interface Acknowledged {
  keys: string[];
  ciphertexts: Array<{ blob: Uint8Array; plaintext: string; context: Record<string, string> }>;
}

/** Workers that create keys and encrypt until stopped; records only what was acknowledged. */
function load(client: KMSClient, acknowledged: Acknowledged, workers: number, keyId: string, label: string) {
  let running = true;
  let failures = 0;
  let n = 0;
  const loops = Array.from({ length: workers }, async (_, w) => {
    while (running) {
      const i = n++;
      try {
        if (i % 10 === 0) {
          const key = await client.send(new CreateKeyCommand({ Description: `${label}-${i}` }));
          acknowledged.keys.push(key.KeyMetadata!.KeyId!);
        } else {
          const plaintext = `${label}-${w}-${i}`;
          const context = { i: String(i) };
          const enc = await client.send(new EncryptCommand({ KeyId: keyId, Plaintext: new TextEncoder().encode(plaintext), EncryptionContext: context }));
          acknowledged.ciphertexts.push({ blob: enc.CiphertextBlob!, plaintext, context });
        }
      } catch {
        failures++;
        await new Promise((r) => setTimeout(r, 5));
      }
    }
  });
  return {
    stop: async () => {
      running = false;
      await Promise.all(loops);
      return failures;
    },
  };
}

async function checkAll(client: KMSClient, acknowledged: Acknowledged): Promise<void> {
  for (const keyId of acknowledged.keys) assert.equal((await client.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!.KeyId, keyId);
  for (const c of acknowledged.ciphertexts) {
    const dec = await client.send(new DecryptCommand({ CiphertextBlob: c.blob, EncryptionContext: c.context }));
    assert.equal(new TextDecoder().decode(dec.Plaintext), c.plaintext);
  }
}

describe('EKMS faults', () => {
  it('SQLite: kill -9 under load, restart: every acknowledged key and ciphertext is there', async () => {
    const dataDir = join(work, 'sqlite');
    const first = await serveProcess(['--data-dir', dataDir, '--demo', '--pool-size', '2'], env);
    processes.push(first);
    const client = sdkClient(first.url, first.credentials!);
    const keyId = (await client.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    const acknowledged: Acknowledged = { keys: [keyId], ciphertexts: [] };
    const running = load(client, acknowledged, 8, keyId, 'sqlite');
    await new Promise((r) => setTimeout(r, 1500));
    first.child.kill('SIGKILL');
    assert.equal(await first.exited, 'SIGKILL');
    await running.stop();
    client.destroy();
    assert.ok(acknowledged.ciphertexts.length > 10, `only ${acknowledged.ciphertexts.length} calls were acknowledged before the kill`);

    const second = await serveProcess(['--data-dir', dataDir, '--pool-size', '1'], env);
    processes.push(second);
    const again = sdkClient(second.url, first.credentials!);
    await checkAll(again, acknowledged);
    again.destroy();
    second.child.kill('SIGTERM');
    assert.equal(await second.exited, 0);
  });

  it('PostgreSQL: two nodes under load, one is killed -9: the other fails no request and has everything acknowledged', async () => {
    pg = await startPostgres();
    const imageKey = join(work, 'image-key.pem');
    const a = await serveProcess(['--data-dir', join(work, 'a'), '--storage', pg.url, '--image-key', imageKey, '--demo', '--pool-size', '1'], env);
    processes.push(a);
    const b = await serveProcess(['--data-dir', join(work, 'b'), '--storage', pg.url, '--image-key', imageKey, '--pool-size', '1'], env);
    processes.push(b);
    const onA = sdkClient(a.url, a.credentials!);
    const onB = sdkClient(b.url, a.credentials!);
    const keyId = (await onA.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    const fromA: Acknowledged = { keys: [keyId], ciphertexts: [] };
    const fromB: Acknowledged = { keys: [], ciphertexts: [] };
    const loadA = load(onA, fromA, 4, keyId, 'a');
    const loadB = load(onB, fromB, 4, keyId, 'b');
    await new Promise((r) => setTimeout(r, 1500));
    a.child.kill('SIGKILL');
    assert.equal(await a.exited, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 1000));
    await loadA.stop();
    const failuresOnB = await loadB.stop();
    assert.equal(failuresOnB, 0, 'a request to the surviving node failed');
    assert.ok(fromA.ciphertexts.length > 5 && fromB.ciphertexts.length > 5);
    await checkAll(onB, fromA);
    await checkAll(onB, fromB);
    onA.destroy();
    onB.destroy();
    b.child.kill('SIGTERM');
    assert.equal(await b.exited, 0);
  });
});
