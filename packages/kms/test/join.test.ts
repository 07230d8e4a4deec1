// Node join by attestation: two EKMS nodes on two simulated platforms (so neither can unseal the
// other's sealed root key) and one PostgreSQL. Node B starts with no root key, joins node A over
// mutual RA-TLS through a host relay, and then serves A's keys. An image that is not EKMS's, an
// image of another signer and a wrong admin token are refused with clear codes; the bytes the
// hosts relayed never contain the root key.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, hkdfSync } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { connect, createServer, type Server } from 'node:net';
import * as tls from 'node:tls';
import fc from 'fast-check';
import { join } from 'node:path';
import { CreateKeyCommand, DecryptCommand, EncryptCommand } from '@aws-sdk/client-kms';
import pg from 'pg';
import { generateSigningKey, readSimRootCertificate, toHex } from 'secgear';
import { removeDir, sdkClient, startTestNode, tempDir, type TestNode } from './helpers/ekms.js';
import { startPostgres, type TestPostgres } from './helpers/postgres.js';
import { startProbe, type Probe } from './helpers/probe.js';

const work = tempDir('join');
const platformA = join(work, 'platform-a');
const platformB = join(work, 'platform-b');
const imageKey = join(work, 'cluster-image-key.pem');
let postgres: TestPostgres;
let a: TestNode;
const nodes: TestNode[] = [];
const probes: Probe[] = [];
let ciphertext: Uint8Array;
let credentials: { accessKeyId: string; secretAccessKey: string };
let rootA: Uint8Array | undefined;

const root = (dir: string) => readSimRootCertificate(dir)!;

/** A TCP relay between a joiner and the join port that keeps every byte it carries, both ways. */
async function recordingRelay(targetPort: number): Promise<{ port: number; bytes: () => Buffer; server: Server }> {
  const seen: Buffer[] = [];
  const server = createServer((inbound) => {
    const outbound = connect(targetPort, '127.0.0.1');
    inbound.on('data', (d: Buffer) => seen.push(Buffer.from(d)));
    outbound.on('data', (d: Buffer) => seen.push(Buffer.from(d)));
    inbound.pipe(outbound).pipe(inbound);
    inbound.on('error', () => outbound.destroy());
    outbound.on('error', () => inbound.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return { port: typeof address === 'object' && address ? address.port : 0, bytes: () => Buffer.concat(seen), server };
}

async function joiner(name: string, options: { join: string; joinToken?: string; platformDir?: string; imageKey?: string; simulationRoots?: Uint8Array[]; backend?: 'sim' | 'process' }): Promise<TestNode> {
  const node = await startTestNode({
    dataDir: join(work, name),
    platformDir: options.platformDir ?? platformB,
    storage: postgres.url,
    imageKey: options.imageKey ?? imageKey,
    nodeId: name,
    join: options.join,
    joinToken: options.joinToken ?? a.adminToken,
    simulationRoots: options.simulationRoots ?? [root(platformA)],
    // the other pool members unseal the joined key from the node's own sealed copy
    poolSize: 2,
    backend: options.backend ?? 'sim',
  });
  nodes.push(node);
  return node;
}

before(async () => {
  postgres = await startPostgres();
  writeFileSync(imageKey, generateSigningKey(), { mode: 0o600 });
  // the platform of B exists before A starts, so A can be told to trust B's simulation root
  probes.push(await startProbe(readFileSync(imageKey, 'utf8'), platformB));
  a = await startTestNode({ dataDir: join(work, 'a'), platformDir: platformA, storage: postgres.url, imageKey, nodeId: 'a', joinPort: 0, simulationRoots: [root(platformB)] });
  nodes.push(a);
  const tenant = await a.tenant('acme');
  credentials = tenant;
  const keyId = (await tenant.client.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
  ciphertext = (await tenant.client.send(new EncryptCommand({ KeyId: keyId, Plaintext: new TextEncoder().encode('made on A'), EncryptionContext: { via: 'a' } }))).CiphertextBlob!;
});
after(async () => {
  rootA?.fill(0);
  for (const n of nodes.reverse()) await n.stop().catch(() => undefined);
  for (const p of probes) await p.close().catch(() => undefined);
  await postgres?.stop();
  removeDir(work);
});

describe('node join by attestation', () => {
  it('node A serves joins and names its join port in /healthz; its root key is its own sealed copy', async () => {
    const health = (await (await fetch(`${a.url}/healthz`)).json()) as { joinPort?: number };
    assert.equal(health.joinPort, a.joinPort);
    assert.equal(a.rootKeySource, 'new');
  });

  it('node B on another platform cannot unseal the cluster root key from the database: it is told to join', async () => {
    await assert.rejects(
      startTestNode({ dataDir: join(work, 'no-join'), platformDir: platformB, storage: postgres.url, imageKey, nodeId: 'no-join' }),
      (e: { code?: string; message?: string }) => e.code === 'CC_ERROR_MAC_INVALID' && /sealed on another platform.*--join/s.test(String(e.message)),
    );
  });

  it('node B starts with no root key, joins A through a recording relay, serves A\'s keys; the relayed bytes never hold the root key', async () => {
    const relay = await recordingRelay(a.joinPort!);
    try {
      const b = await joiner('b', { join: `ratls://127.0.0.1:${relay.port}` });
      assert.equal(b.rootKeySource, 'join');
      assert.equal(b.pool.rootKeyId, a.pool.rootKeyId);
      assert.equal(b.pool.size, 2);
      // A's ciphertext decrypts on B through the AWS SDK
      const onB = sdkClient(b.url, credentials);
      const plain = await onB.send(new DecryptCommand({ CiphertextBlob: ciphertext, EncryptionContext: { via: 'a' } }));
      assert.equal(new TextDecoder().decode(plain.Plaintext), 'made on A');
      onB.destroy();

      // the root key, read the way only the cluster signer's code can (signer sealing on platform A)
      const reader = probes[0];
      const probeA = await startProbe(readFileSync(imageKey, 'utf8'), platformA);
      probes.push(probeA);
      rootA = await probeA.enclave.ecall.unsealRoot(new Uint8Array(readFileSync(join(work, 'a', 'sealed-root-key'))));
      const wrapKey = Buffer.from(hkdfSync('sha256', rootA, new Uint8Array(0), 'secgear ekms wrap key v1', 32));
      assert.equal(createHash('sha256').update('secgear ekms root id v1').update(wrapKey).digest('hex'), a.pool.rootKeyId, 'the probe really holds the root key');
      // B's own sealed copy holds the same key, sealed on platform B
      const rootB = await reader.enclave.ecall.unsealRoot(new Uint8Array(readFileSync(join(work, 'b', 'sealed-root-key'))));
      assert.ok(Buffer.from(rootB).equals(Buffer.from(rootA)));
      rootB.fill(0);

      const relayed = relay.bytes();
      assert.ok(relayed.length > 2000, `the relay carried the TLS handshake and the answer (${relayed.length} bytes)`);
      assert.equal(relayed[0], 0x16, 'the first bytes are a TLS handshake record');
      for (const form of [Buffer.from(rootA), Buffer.from(Buffer.from(rootA).toString('base64')), Buffer.from(toHex(rootA)), Buffer.from(rootA).subarray(0, 12)]) {
        assert.equal(relayed.indexOf(form), -1, 'the relayed bytes contain the root key');
      }
      // nor does the database hold it, in any row of its key tables
      const sql = new pg.Client({ connectionString: postgres.url });
      await sql.connect();
      const rows = await sql.query('SELECT value AS v FROM meta UNION ALL SELECT wrapped FROM key_versions UNION ALL SELECT wrapped_secret FROM access_keys');
      await sql.end();
      for (const row of rows.rows as Array<{ v: Buffer }>) assert.equal(Buffer.from(row.v).indexOf(Buffer.from(rootA)), -1);
    } finally {
      relay.server.close();
    }
  });

  it('B restarts from its own sealed copy (no join needed); A\'s sealed copy does not open on B\'s platform', async () => {
    const b = nodes.find((n) => n.nodeId === 'b')!;
    await b.stop();
    nodes.splice(nodes.indexOf(b), 1);
    const again = await startTestNode({ dataDir: join(work, 'b'), platformDir: platformB, storage: postgres.url, imageKey, nodeId: 'b' });
    nodes.push(again);
    assert.equal(again.rootKeySource, 'node');
    assert.equal(again.pool.rootKeyId, a.pool.rootKeyId);
    // a node's sealed root copied to another platform is useless there
    const copied = join(work, 'copied');
    mkdirSync(copied, { recursive: true });
    copyFileSync(join(work, 'a', 'sealed-root-key'), join(copied, 'sealed-root-key'));
    await assert.rejects(
      startTestNode({ dataDir: copied, platformDir: platformB, storage: postgres.url, imageKey, nodeId: 'copied' }),
      (e: { code?: string; message?: string }) => e.code === 'CC_ERROR_MAC_INVALID' && /sealed on another platform/.test(String(e.message)),
    );
  });

  it('a joiner on the process backend (its enclave in a process of its own) joins the same way', async () => {
    const p = await joiner('process-backend', { join: `ratls://127.0.0.1:${a.joinPort}`, backend: 'process' });
    assert.equal(p.pool.backend, 'process');
    assert.equal(p.pool.rootKeyId, a.pool.rootKeyId);
    const onP = sdkClient(p.url, credentials);
    assert.equal(new TextDecoder().decode((await onP.send(new DecryptCommand({ CiphertextBlob: ciphertext, EncryptionContext: { via: 'a' } }))).Plaintext), 'made on A');
    onP.destroy();
  });

  it('a node that joins another cluster cannot serve this database: its key is not the cluster\'s', async () => {
    const other = await startTestNode({ dataDir: join(work, 'other-cluster'), platformDir: platformA, imageKey, nodeId: 'x', joinPort: 0, simulationRoots: [root(platformB)] });
    nodes.push(other);
    await assert.rejects(joiner('wrong-cluster', { join: other.url, joinToken: other.adminToken }), (e: { code?: string; message?: string }) => {
      assert.equal(e.code, 'CC_ERROR_ACCESS_DENIED', e.message);
      assert.match(String(e.message), /is not the cluster's .* the node joined belongs to another cluster/);
      return true;
    });
    assert.equal(existsSync(join(work, 'wrong-cluster', 'sealed-root-key')), false, 'the foreign key was not kept');
  });

  it('a joiner with the wrong admin token is refused by the serving enclave (CC_ERROR_ACCESS_DENIED)', async () => {
    await assert.rejects(joiner('wrong-token', { join: a.url, joinToken: 'not-the-admin-token' }), (e: { code?: string; message?: string }) => {
      assert.equal(e.code, 'CC_ERROR_ACCESS_DENIED', e.message);
      assert.match(String(e.message), /refused the join: the admin token is not the serving node's/);
      return true;
    });
    assert.equal(existsSync(join(work, 'wrong-token', 'sealed-root-key')), false, 'nothing was stored');
  });

  it('an image of another signer is refused: it will not take a key from A, and A will not give one to it', async () => {
    const otherKey = join(work, 'other-image-key.pem');
    writeFileSync(otherKey, generateSigningKey(), { mode: 0o600 });
    await assert.rejects(joiner('other-signer', { join: a.url, imageKey: otherKey }), (e: { code?: string; message?: string }) => {
      assert.equal(e.code, 'CC_ERROR_ATTESTATION_REJECTED', e.message);
      assert.match(String(e.message), /did not prove to be an acceptable EKMS enclave.*signer/s);
      return true;
    });
    // the serving side: an enclave of another signer that would take anything asks A for the root
    const foreign = await startProbe(readFileSync(otherKey, 'utf8'), platformB, (host, port) => host === '127.0.0.1' && port === a.joinPort);
    probes.push(foreign);
    const answer = JSON.parse(await foreign.enclave.ecall.askForRoot('127.0.0.1', a.joinPort!, a.adminToken, root(platformA))) as { ok: boolean; code: string; message: string };
    assert.equal(answer.ok, false);
    assert.equal(answer.code, 'CC_ERROR_ATTESTATION_REJECTED');
    assert.match(answer.message, /refuses the joining enclave's evidence.*signer/s);
  });

  it('an image of the cluster signer with another measurement is refused by A, unless A names that measurement', async () => {
    const sameSigner = await startProbe(readFileSync(imageKey, 'utf8'), platformB, (host, port) => host === '127.0.0.1' && port === a.joinPort);
    probes.push(sameSigner);
    const answer = JSON.parse(await sameSigner.enclave.ecall.askForRoot('127.0.0.1', a.joinPort!, a.adminToken, root(platformA))) as { ok: boolean; code: string; message: string };
    assert.equal(answer.ok, false, 'A handed its root key to an image that is not EKMS');
    assert.equal(answer.code, 'CC_ERROR_ATTESTATION_REJECTED');
    assert.match(answer.message, /measurement/);
    // a node that names the probe's measurement (a rolling upgrade to a new build) accepts it
    const upgrading = await startTestNode({
      dataDir: join(work, 'a2'), platformDir: platformA, storage: postgres.url, imageKey, nodeId: 'a2', joinPort: 0,
      simulationRoots: [root(platformB)], peerMeasurements: [toHex(sameSigner.measurement)],
    });
    nodes.push(upgrading);
    const again = await startProbe(readFileSync(imageKey, 'utf8'), platformB, (host, port) => host === '127.0.0.1' && port === upgrading.joinPort);
    probes.push(again);
    const allowed = JSON.parse(await again.enclave.ecall.askForRoot('127.0.0.1', upgrading.joinPort!, upgrading.adminToken, root(platformA))) as { ok: boolean };
    assert.equal(allowed.ok, true, 'the named measurement is accepted');
  });

  it('a joiner on a platform A was not told to trust is refused by A\'s enclave', async () => {
    const platformC = join(work, 'platform-c');
    probes.push(await startProbe(readFileSync(imageKey, 'utf8'), platformC));
    await assert.rejects(joiner('untrusted-platform', { join: a.url, platformDir: platformC }), (e: { code?: string; message?: string }) => {
      assert.equal(e.code, 'CC_ERROR_ATTESTATION_REJECTED', e.message);
      assert.match(String(e.message), /refused the join: the serving node refuses the joining enclave's evidence/);
      return true;
    });
  });

  it('hostile bytes on the join port: refused with a code, never a crash; a client without a certificate is dropped', async () => {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(work, 'k.pem'), '-out', join(work, 'c.pem'), '-subj', '/CN=not-an-enclave', '-days', '1'], { stdio: 'ignore' });
    const key = readFileSync(join(work, 'k.pem'));
    const cert = readFileSync(join(work, 'c.pem'));
    const exchange = (bytes: Uint8Array, withCertificate = true) =>
      new Promise<Buffer>((resolve, reject) => {
        const socket = tls.connect({ port: a.joinPort!, host: '127.0.0.1', rejectUnauthorized: false, minVersion: 'TLSv1.3', ...(withCertificate ? { key, cert } : {}) });
        const parts: Buffer[] = [];
        socket.on('secureConnect', () => socket.write(bytes));
        socket.on('data', (d: Buffer) => parts.push(d));
        socket.on('close', () => resolve(Buffer.concat(parts)));
        socket.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNRESET' || e.code === 'EPIPE' ? resolve(Buffer.concat(parts)) : reject(e)));
        socket.setTimeout(20_000, () => socket.destroy(new Error('no answer from the join port')));
      });
    const answerOf = (raw: Buffer) => JSON.parse(raw.subarray(0, raw.indexOf(0x0a)).toString()) as { ok: boolean; code: string; message: string };
    assert.equal((await exchange(Buffer.from('{"v":1,"op":"join","adminToken":"x"}\n'), false)).length, 0, 'no certificate, no answer');
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ minLength: 1, maxLength: 200 }).map((b) => Buffer.concat([Buffer.from(b).map((x) => (x === 0x0a ? 0x20 : x)), Buffer.from('\n')])),
          fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v) + '\n')),
          fc.string().map((token) => Buffer.from(JSON.stringify({ v: 1, op: 'join', adminToken: token }) + '\n')),
        ),
        async (bytes) => {
          const answer = answerOf(await exchange(bytes));
          assert.equal(answer.ok, false);
          assert.ok(['CC_ERROR_INVALID_MESSAGE', 'CC_ERROR_ATTESTATION_REJECTED'].includes(answer.code), answer.code);
        },
      ),
      { numRuns: 25 },
    );
    // the right admin token from a certificate without evidence is still refused
    const real = answerOf(await exchange(Buffer.from(JSON.stringify({ v: 1, op: 'join', adminToken: a.adminToken }) + '\n')));
    assert.equal(real.code, 'CC_ERROR_ATTESTATION_REJECTED');
    const long = answerOf(await exchange(Buffer.alloc(20_000, 0x41)));
    assert.equal(long.code, 'CC_ERROR_INVALID_MESSAGE');
    assert.match(long.message, /longer than/);
    // and the node still serves joins
    const fresh = await joiner('after-hostile', { join: a.url });
    assert.equal(fresh.pool.rootKeyId, a.pool.rootKeyId);
  });
});
