// End-to-end test of examples/ratls: real enclave images with TLS inside the enclave (sim and
// process backends), the host relaying TCP, and real clients: node:tls, connect(), openssl
// s_client, curl with the certificate pinned, and a second enclave (mutual RA-TLS).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tls from 'node:tls';
import { loadImage, readSimRootCertificate, toHex } from 'secgear';
import { connect } from 'secgear/ratls';
import { startEnclaveServer, type RunningEnclaveServer } from '../src/host.js';

const exampleDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = join(exampleDir, '..', '..', 'packages', 'secgear', 'dist', 'src', 'cli', 'main.js');
const work = mkdtempSync(join(tmpdir(), 'secgear-ratls-example-'));
const simDir = join(work, 'sim');
const image = join(work, 'ratls.sgimg');
let measurement: Uint8Array;
const running: RunningEnclaveServer[] = [];

before(async () => {
  process.env.SECGEAR_SIM_DIR = simDir;
  const key = join(work, 'key.pem');
  execFileSync(process.execPath, [cli, 'keygen', '-o', key]);
  execFileSync(process.execPath, [cli, 'build', join(exampleDir, 'src', 'enclave.ts'), '--manifest', join(exampleDir, 'enclave.json'), '--key', key, '-o', image]);
  measurement = (await loadImage(image)).measurement;
});
after(async () => {
  await Promise.all(running.map((s) => s.close()));
  rmSync(work, { recursive: true, force: true });
});

async function start(options: Parameters<typeof startEnclaveServer>[0]) {
  const server = await startEnclaveServer(options);
  running.push(server);
  return server;
}

function run(command: string, args: string[], input: string, closeAfterMs = 2_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', () => resolve(out));
    child.stdin.write(input);
    setTimeout(() => child.stdin.end(), closeAfterMs);
  });
}

const policy = () => ({ measurements: [measurement], allowSimulation: true });

describe('examples/ratls', () => {
  it('npm start: the demo runs every step on the simulation backend', () => {
    const output = execFileSync(process.execPath, [join(exampleDir, 'dist', 'src', 'demo.js'), image], { encoding: 'utf8', env: { ...process.env, SECGEAR_SIM_DIR: simDir } });
    const steps = output.split('\n').filter((l) => /^\[\d\]/.test(l)).map((l) => l.slice(0, 3));
    assert.deepEqual(steps, ['[1]', '[2]', '[3]', '[4]', '[5]', '[6]']);
    assert.match(output, /session evidence bound to this TLS session/);
    assert.match(output, /refuses: CC_ERROR_ATTESTATION_REJECTED/);
    assert.match(output, /mutual RA-TLS between two enclaves: HTTP\/1\.1 200 OK; .*you are enclave [0-9a-f]{16}…, with evidence bound to this session/);
  });

  for (const type of ['sim', 'process'] as const) {
    it(`${type} backend: an ordinary node:tls client pinning the certificate, and connect() with session evidence`, async () => {
      const server = await start({ image, type });
      const socket = tls.connect({ port: server.port, host: '127.0.0.1', servername: 'localhost', ca: server.certificatePem, minVersion: 'TLSv1.3' });
      await new Promise<void>((resolve, reject) => socket.once('secureConnect', resolve).once('error', reject));
      assert.equal(socket.authorized, true);
      const body = await new Promise<string>((resolve) => {
        let text = '';
        socket.on('data', (d: Buffer) => (text += d));
        socket.on('end', () => resolve(text));
        socket.write('GET /plain HTTP/1.1\r\nHost: localhost\r\n\r\n');
      });
      assert.match(body, new RegExp(`hello from enclave ${toHex(measurement).slice(0, 16)}`));
      const { peer, session, socket: attested } = await connect({ port: server.port, policy: policy(), sessionEvidence: true });
      assert.equal(peer.tee, 'sim');
      assert.deepEqual(session?.claims.measurement, measurement);
      attested.destroy();
    });
  }

  it('openssl s_client and curl (certificate pinned) complete handshakes with the in-enclave server', async () => {
    const server = await start({ image });
    const s = await run('openssl', ['s_client', '-connect', `127.0.0.1:${server.port}`, '-servername', 'localhost', '-tls1_3', '-ign_eof'], 'GET /from-openssl HTTP/1.1\r\nHost: localhost\r\n\r\n');
    assert.match(s, /Protocol *: TLSv1\.3/);
    assert.match(s, /you asked GET \/from-openssl/);
    const pem = join(work, 'pinned.pem');
    writeFileSync(pem, server.certificatePem);
    // not execFileSync: the relay serving curl runs in this process's event loop
    const c = await run('curl', ['-sS', '--max-time', '20', '--cacert', pem, `https://localhost:${server.port}/from-curl`], '', 0);
    assert.match(c, /you asked GET \/from-curl/);
  });

  it('mutual RA-TLS: the server enclave refuses a client enclave whose measurement it does not expect', async () => {
    await start({ image }); // this machine's sim root exists once an enclave has run
    const simRoot = readSimRootCertificate() ?? undefined;
    assert.ok(simRoot);
    const server = await start({ image, start: { requireClientMeasurements: ['00'.repeat(48)], simRoot } });
    const client = await start({ image, allowConnect: (host, port) => host === '127.0.0.1' && port === server.port });
    await assert.rejects(client.enclave.ecall.callPeer(server.port, toHex(measurement), simRoot ?? new Uint8Array(0)));
    // and a client enclave expecting other code refuses the server
    const good = await start({ image, start: { requireClientMeasurements: [toHex(measurement)], simRoot } });
    const other = await start({ image, allowConnect: () => true });
    await assert.rejects(other.enclave.ecall.callPeer(good.port, '11'.repeat(48), simRoot ?? new Uint8Array(0)), /ATTESTATION_REJECTED|measurement/);
    // the relay lets an enclave connect only where the host allows
    await assert.rejects(server.enclave.ecall.callPeer(good.port, toHex(measurement), simRoot ?? new Uint8Array(0)), /ACCESS_DENIED|does not let the enclave connect/);
  });
});
