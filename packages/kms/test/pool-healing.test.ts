// The enclave pool replaces a member that stopped: requests go to the others meanwhile, the
// replacement unseals the same root key, and /healthz says how many members can serve.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { CreateKeyCommand, DecryptCommand, EncryptCommand } from '@aws-sdk/client-kms';
import { removeDir, startTestNode, tempDir } from './helpers/ekms.js';

const work = tempDir('pool-healing');
after(() => removeDir(work));

async function until(condition: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('EKMS enclave pool', () => {
  it('replaces a stopped member; no request fails while the other serves; old ciphertexts still decrypt', async () => {
    const node = await startTestNode({ platformDir: join(work, 'sim'), poolSize: 2 });
    try {
      const { client } = await node.tenant('acme');
      const keyId = (await client.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
      const before = await client.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('before') }));
      assert.equal(node.pool.live, 2);

      await node.pool.primary.destroy(); // a member that stopped (as after a crash or its memory limit)
      assert.equal(node.pool.live, 1);
      const health = await fetch(`${node.url}/healthz`);
      assert.equal(health.status, 200);
      assert.equal(((await health.json()) as { status: string }).status, 'degraded');

      for (let i = 0; i < 6; i++) {
        const out = await client.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from(`during ${i}`) }));
        const back = await client.send(new DecryptCommand({ CiphertextBlob: out.CiphertextBlob }));
        assert.equal(Buffer.from(back.Plaintext!).toString(), `during ${i}`);
      }
      await until(() => node.pool.replaced === 1 && node.pool.live === 2, 30_000);
      const healed = (await (await fetch(`${node.url}/healthz`)).json()) as { status: string; poolLive: number; poolReplaced: number };
      assert.deepEqual([healed.status, healed.poolLive, healed.poolReplaced], ['ok', 2, 1]);
      // the replacement holds the same root key: it decrypts what the stopped member encrypted
      for (let i = 0; i < 4; i++) {
        const back = await client.send(new DecryptCommand({ CiphertextBlob: before.CiphertextBlob }));
        assert.equal(Buffer.from(back.Plaintext!).toString(), 'before');
      }
    } finally {
      await node.stop();
    }
  });
});
