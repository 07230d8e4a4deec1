// `secgear kms serve | admin | audit verify` as a user runs them: the real CLI in child
// processes, the AWS SDK against the served endpoint, graceful shutdown on SIGTERM, and
// the audit log checked before and after someone edits the database.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { CreateKeyCommand, DecryptCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { removeDir, tempDir } from './helpers/ekms.js';

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, '..', '..', '..', 'secgear', 'bin', 'secgear.js');
const dataDir = tempDir('cli');
const env = { ...process.env, SECGEAR_SIM_DIR: join(dataDir, 'sim') };
const run = promisify(execFile);
const children: ChildProcess[] = [];

after(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  removeDir(dataDir);
});

async function serve(args: string[]): Promise<{ child: ChildProcess; url: string; stdout: () => string }> {
  const child = spawn(process.execPath, [cli, 'kms', 'serve', '--data-dir', dataDir, '--port', '0', '--pool-size', '1', '--log-level', 'warn', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /EKMS (http:\/\/[\d.]+:\d+)/.exec(err);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${err}`)));
  });
  if (args.includes('--demo')) while (!out.includes('Ctrl-C')) await new Promise((r) => setTimeout(r, 20));
  return { child, url, stdout: () => out };
}

const secgear = (...args: string[]) => run(process.execPath, [cli, ...args], { env });

describe('secgear kms (CLI)', () => {
  let encrypted: Uint8Array;
  let client: KMSClient;

  it('serve --demo prints credentials the AWS SDK works with; /healthz, /metrics, OpenAPI; SIGTERM stops it cleanly', async () => {
    const { child, url, stdout } = await serve(['--demo']);
    const id = /AWS_ACCESS_KEY_ID=(\S+)/.exec(stdout())![1];
    const secret = /AWS_SECRET_ACCESS_KEY=(\S+)/.exec(stdout())![1];
    client = new KMSClient({ endpoint: url, region: 'us-east-1', credentials: { accessKeyId: id, secretAccessKey: secret } });
    const key = await client.send(new CreateKeyCommand({}));
    encrypted = (await client.send(new EncryptCommand({ KeyId: key.KeyMetadata!.KeyId, Plaintext: new TextEncoder().encode('kept') }))).CiphertextBlob!;

    const health = (await (await fetch(`${url}/healthz`)).json()) as { status: string; poolSize: number; storage: string };
    assert.deepEqual([health.status, health.poolSize, health.storage], ['ok', 1, 'sqlite']);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    assert.match(metrics, /ekms_requests_total\{operation="Encrypt",result="Success"\} 1/);
    assert.match(metrics, /ekms_request_duration_seconds_bucket\{operation="CreateKey",le="\+Inf"\} 1/);
    assert.match(metrics, /ekms_enclave_pool_size 1/);

    const openapi = JSON.parse((await secgear('kms', 'admin', '--endpoint', url, '--data-dir', dataDir, 'openapi')).stdout) as { openapi: string; paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { required?: string[] } }> } }>> };
    assert.equal(openapi.openapi, '3.0.3');
    assert.deepEqual(openapi.paths['/admin/tenants'].post.requestBody!.content['application/json'].schema.required, ['name']);
    assert.ok(openapi.paths['/admin/access-keys/{accessKeyId}'].delete);

    const made = await secgear('kms', 'admin', '--endpoint', url, '--data-dir', dataDir, '--json', 'create-tenant', 'beta');
    assert.match(JSON.parse(made.stdout).account, /^\d{12}$/);
    const issued = await secgear('kms', 'admin', '--endpoint', url, '--data-dir', dataDir, 'create-access-key', 'beta');
    assert.match(issued.stdout, /AWS_ACCESS_KEY_ID=AKEK/);
    await assert.rejects(secgear('kms', 'admin', '--endpoint', url, '--token', 'wrong', 'list-tenants'), /UnauthorizedException/);

    child.kill('SIGTERM');
    const code = await new Promise((resolve) => child.once('exit', resolve));
    assert.equal(code, 0);
  });

  it('a restarted node unseals its root key and decrypts what it encrypted before', async () => {
    const { child, url } = await serve(['--demo']);
    const again = new KMSClient({ endpoint: url, region: 'us-east-1', credentials: await client.config.credentials() });
    const plain = await again.send(new DecryptCommand({ CiphertextBlob: encrypted }));
    assert.equal(new TextDecoder().decode(plain.Plaintext), 'kept');
    again.destroy();
    client.destroy();
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  });

  it('audit verify: intact, then exit 2 after a record is edited even when the hashes are recomputed', async () => {
    const ok = await secgear('kms', 'audit', 'verify', '--data-dir', dataDir, '--json');
    const report = JSON.parse(ok.stdout) as { ok: boolean; records: number };
    assert.equal(report.ok, true);
    assert.ok(report.records >= 3);

    const db = new Database(join(dataDir, 'ekms.db'));
    const row = db.prepare("SELECT node, seq, record FROM audit WHERE record LIKE '%\"Encrypt\"%' LIMIT 1").get() as { node: string; seq: number; record: string };
    db.prepare('UPDATE audit SET record = ? WHERE node = ? AND seq = ?').run(row.record.replace('"Success"', '"AccessDeniedException"'), row.node, row.seq);
    db.close();
    const edited = await secgear('kms', 'audit', 'verify', '--data-dir', dataDir).catch((e: { code: number; stdout: string }) => e);
    assert.equal((edited as { code: number }).code, 2);
    assert.match((edited as { stdout: string }).stdout, /ALTERED[\s\S]*hash mismatch/);

    // recompute every hash after the edit: the enclave's seals still give it away
    const { chainHash } = await import('../src/audit/audit-log.js');
    const db2 = new Database(join(dataDir, 'ekms.db'));
    const rows = db2.prepare('SELECT node, seq, record FROM audit WHERE node = ? ORDER BY seq').all(row.node) as Array<{ node: string; seq: number; record: string }>;
    let prev = '0'.repeat(64);
    for (const r of rows) {
      const hash = chainHash(prev, r.seq, r.record);
      db2.prepare('UPDATE audit SET prev_hash = ?, hash = ? WHERE node = ? AND seq = ?').run(prev, hash, r.node, r.seq);
      prev = hash;
    }
    db2.close();
    const rewritten = await secgear('kms', 'audit', 'verify', '--data-dir', dataDir).catch((e: { code: number; stdout: string }) => e);
    assert.equal((rewritten as { code: number }).code, 2);
    assert.match((rewritten as { stdout: string }).stdout, /seal does not verify/);
  });

  it('an unknown service command is a usage error; help lists the service commands', async () => {
    const help = await secgear('--help');
    assert.match(help.stdout, /kms\s+EKMS/);
    await assert.rejects(secgear('nosuchservice'), (e: { code: number }) => e.code === 1);
  });
});
