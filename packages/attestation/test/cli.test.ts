// `secgear as serve`, `secgear as policy|reference` and `secgear agent` as a user runs them, and a
// secGear-style client (challenge cookie, base64url evidence, as-challenge header) unchanged.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { toHex, type Enclave } from 'secgear';
import { ADMIN_TOKEN, createHarness, type Harness } from './support/harness.js';

const bin = resolve(import.meta.dirname, '..', '..', '..', 'secgear', 'bin', 'secgear.js');
const run = (args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 60_000 });

describe('secgear as serve and secgear agent', () => {
  let h: Harness;
  let enclave: Enclave;
  let server: ChildProcess;
  let url: string;
  let tokenFile: string;
  before(async () => {
    h = createHarness();
    enclave = await h.enclave('1.0.0');
    await h.image('9.9.9');
    tokenFile = join(h.dir, 'admin-token');
    writeFileSync(tokenFile, `${ADMIN_TOKEN}\n`, { mode: 0o600 });
    server = spawn(process.execPath, [bin, 'as', 'serve', '--port', '0', '--allow-sim', '--anchors', join(h.stateDir, 'sim-root.pem'), '--admin-token-file', tokenFile, '--issuer', 'cli-test', '--db', join(h.dir, 'as.db'), '--log-level', 'warn'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    url = await new Promise<string>((resolveUrl, reject) => {
      let out = '';
      server.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const m = /listening on (http:\/\/\S+)/.exec(out);
        if (m) resolveUrl(m[1]);
      });
      server.once('exit', (code) => reject(new Error(`secgear as serve exited with ${code}`)));
    });
  });
  after(async () => {
    if (server.exitCode === null) server.kill('SIGTERM');
    await h.cleanup();
  });

  it('manages policies and reference values from the CLI, and the agent gets an affirming token', async () => {
    const client = ['--url', url, '--admin-token-file', tokenFile];
    let r = run(['as', 'reference', 'set', 'attester.measurement', toHex(enclave.info.measurement), '--tee', 'sim', '--provenance', 'cli test', ...client]);
    assert.equal(r.status, 0, r.stderr);
    r = run(['as', 'policy', 'set', 'attester', '--tee', 'sim', '--default', '--expr', 'claims.measurement in ref["attester.measurement"]', ...client]);
    assert.equal(r.status, 0, r.stderr);
    r = run(['as', 'policy', 'get', 'attester', ...client]);
    assert.equal(r.stdout.trim(), 'claims.measurement in ref["attester.measurement"]');
    r = run(['as', 'reference', 'list', ...client]);
    assert.equal((JSON.parse(r.stdout) as { provenance: string }[])[0].provenance, 'cli test');

    r = run(['agent', await h.image('1.0.0'), '--service', url, '--sim-dir', h.stateDir, '--issuer', 'cli-test', '--json']);
    assert.equal(r.status, 0, r.stderr);
    const ear = JSON.parse(r.stdout) as { submods: { sim: { 'ear.status': string; 'ear.appraisal-policy-id': string } } };
    assert.equal(ear.submods.sim['ear.status'], 'affirming');
    assert.equal(ear.submods.sim['ear.appraisal-policy-id'], 'attester');

    // another build is not among the reference values: exit 2
    r = run(['agent', await h.image('9.9.9'), '--service', url, '--sim-dir', h.stateDir, '-o', join(h.dir, 'token.jwt')]);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /contraindicated/);
  });

  it('admin commands without the token fail with exit 1 and say why', () => {
    const r = spawnSync(process.execPath, [bin, 'as', 'policy', 'list', '--url', url], { encoding: 'utf8', env: { ...process.env, SECGEAR_AS_ADMIN_TOKEN: '' } });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /admin token/);
  });

  it('a secGear-style client works unchanged: challenge with cookie, as-challenge, base64url evidence, token as text', async () => {
    const challengeResponse = await fetch(new URL('/challenge', url));
    const cookie = challengeResponse.headers.get('set-cookie')!.split(';')[0];
    assert.match(cookie, /^oeas-session-id=/);
    const challenge = (await challengeResponse.json()) as string;
    const evidence = await enclave.getEvidence({ nonce: new Uint8Array(Buffer.from(challenge, 'base64url')) });
    const response = await fetch(new URL('/attestation', url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, 'as-challenge': 'true' },
      body: JSON.stringify({ challenge, evidence: Buffer.from(evidence.data).toString('base64url'), policy_id: ['attester'] }),
    });
    assert.equal(response.status, 200);
    const token = await response.text();
    assert.equal(token.split('.').length, 3);
  });

  it('SIGTERM stops the service gracefully (exit 0)', async () => {
    const exited = new Promise<number | null>((done) => server.once('exit', (code) => done(code)));
    server.kill('SIGTERM');
    assert.equal(await exited, 0);
  });
});

describe('secgear as without a subcommand', () => {
  it('prints the service commands', () => {
    const r = run(['as']);
    assert.match(r.stdout + r.stderr, /serve/);
    assert.match(r.stdout + r.stderr, /reference/);
  });
});
