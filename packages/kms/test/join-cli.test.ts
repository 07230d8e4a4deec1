// Node join through the CLI, as an operator runs it: two `secgear kms serve` processes on two
// simulated platforms and one PostgreSQL. A wrong admin token makes the joiner exit 1 with the
// code on stderr; the right one lets it join and serve A's keys.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateKeyCommand, DecryptCommand, EncryptCommand } from '@aws-sdk/client-kms';
import { generateSigningKey } from 'secgear';
import { removeDir, sdkClient, tempDir } from './helpers/ekms.js';
import { startPostgres, type TestPostgres } from './helpers/postgres.js';
import { startProbe } from './helpers/probe.js';
import { serveProcess, type ServeProcess } from './helpers/serve-process.js';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'secgear', 'bin', 'secgear.js');
const work = tempDir('join-cli');
const platformA = join(work, 'platform-a');
const platformB = join(work, 'platform-b');
const imageKey = join(work, 'cluster-image-key.pem');
const processes: ServeProcess[] = [];
let pg: TestPostgres | undefined;

after(async () => {
  for (const p of processes) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  await pg?.stop();
  removeDir(work);
});

function runToExit(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, 'kms', 'serve', '--port', '0', '--log-level', 'warn', ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

describe('secgear kms serve --join', () => {
  it('a wrong admin token exits 1 with CC_ERROR_ACCESS_DENIED; the right one joins and serves A\'s keys', async () => {
    pg = await startPostgres();
    writeFileSync(imageKey, generateSigningKey(), { mode: 0o600 });
    const probe = await startProbe(readFileSync(imageKey, 'utf8'), platformB); // makes platform B, so A can trust its root
    await probe.close();
    const a = await serveProcess(
      ['--data-dir', join(work, 'a'), '--storage', pg.url, '--image-key', imageKey, '--demo', '--pool-size', '1', '--join-port', '0', '--join-host', '127.0.0.1', '--trust-sim-root', join(platformB, 'sim-root.pem')],
      { ...process.env, SECGEAR_SIM_DIR: platformA },
    );
    processes.push(a);
    const onA = sdkClient(a.url, a.credentials!);
    const keyId = (await onA.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    const blob = (await onA.send(new EncryptCommand({ KeyId: keyId, Plaintext: new TextEncoder().encode('from the CLI') }))).CiphertextBlob!;
    onA.destroy();

    const envB = { ...process.env, SECGEAR_SIM_DIR: platformB };
    const joinArgs = ['--data-dir', join(work, 'b'), '--storage', pg.url, '--image-key', imageKey, '--pool-size', '1', '--join', a.url, '--trust-sim-root', join(platformA, 'sim-root.pem')];
    writeFileSync(join(work, 'wrong-token'), 'not-it\n');
    const refused = await runToExit([...joinArgs, '--join-token-file', join(work, 'wrong-token')], envB);
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(refused.stderr, /secgear: CC_ERROR_ACCESS_DENIED: the node at 127\.0\.0\.1:\d+ refused the join: the admin token/);
    const noToken = await runToExit(joinArgs, { ...envB, EKMS_JOIN_TOKEN: '' });
    assert.equal(noToken.code, 1);
    assert.match(noToken.stderr, /joining needs the admin token/);

    const b = await serveProcess([...joinArgs, '--join-token-file', join(work, 'a', 'admin-token')], envB);
    processes.push(b);
    const onB = sdkClient(b.url, a.credentials!);
    const plain = await onB.send(new DecryptCommand({ CiphertextBlob: blob }));
    assert.equal(new TextDecoder().decode(plain.Plaintext), 'from the CLI');
    onB.destroy();
    for (const p of [b, a]) {
      p.child.kill('SIGTERM');
      assert.equal(await p.exited, 0);
    }
    // offline, the joined node's own sealed copy checks the seals of both nodes' audit chains
    const audit = execFileSync(process.execPath, [cli, 'kms', 'audit', 'verify', '--data-dir', join(work, 'b'), '--storage', pg.url, '--image-key', imageKey], { env: envB, encoding: 'utf8' });
    assert.match(audit, /records on 2 node\(s\): intact/);
  });
});
