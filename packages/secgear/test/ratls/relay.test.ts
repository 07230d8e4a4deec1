// The in-enclave RA-TLS server and the host relay, with the boundary played in-process (every
// value structured-cloned, evidence from the simulated platform): ordinary node:tls clients,
// `connect` with session evidence, openssl s_client and curl, back-pressure on 1 MiB transfers.
// The same code inside real enclave images: examples/ratls.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import * as tls from 'node:tls';
import { loadSimPlatformState, readSimRootCertificate } from '../../src/backends/sim-platform/index.js';
import { connectRaTls, createRaTlsCredentials, createRaTlsServer, type RaTlsCredentials } from '../../src/ratls/enclave/index.js';
import { RaTlsRelay } from '../../src/ratls/host/index.js';
import { connect, verifySessionEvidence, requestSessionEvidence, type RaTlsPolicy } from '../../src/ratls/index.js';
import { decodeSessionEvidence, encodeSessionEvidence } from '../../src/ratls/session-evidence.js';
import { assertParsesOrRejects, nearValidBytes } from '../attest/parser-properties.js';
import { enterEnclave, makeIdentity, tempStateDir } from '../support/sim-platform-harness.js';
import { wireEnclaveToRelay, wireRelayToEnclave } from './in-process-boundary.js';

const state = tempStateDir();
const identity = makeIdentity();
const relay = new RaTlsRelay({ allowConnect: (host, p) => host === '127.0.0.1' && p === port });
let policy: RaTlsPolicy;
let credentials: RaTlsCredentials;
let server: ReturnType<typeof createRaTlsServer>;
let port: number;

before(async () => {
  loadSimPlatformState(state.dir);
  enterEnclave(identity, state.dir);
  policy = { allowSimulation: true, trustAnchors: [{ kind: 'x509', der: readSimRootCertificate(state.dir)! }], measurements: [identity.measurement] };
  // the "enclave": its stream table reaches the host through these (ocalls)
  wireEnclaveToRelay(relay);
  credentials = await createRaTlsCredentials({ keyType: 'p256' });
  server = createRaTlsServer({
    credentials,
    onConnection: ({ socket }) => {
      // echo, upper-cased: proves the plaintext is handled in the "enclave"
      socket.on('data', (chunk: Buffer) => socket.write(chunk.length > 64 ? chunk : Buffer.from(chunk.toString().toUpperCase())));
      socket.on('end', () => socket.end());
    },
  });
  wireRelayToEnclave(relay);
  port = (await relay.listen()).port;
});
after(async () => {
  await relay.close();
  state.cleanup();
});

const exchange = (socket: tls.TLSSocket, text: string) =>
  new Promise<string>((resolve, reject) => {
    socket.once('data', (d: Buffer) => resolve(d.toString()));
    socket.once('error', reject);
    socket.write(text);
  });

describe('RA-TLS: TLS inside the enclave, host relaying ciphertext', () => {
  it('an ordinary node:tls client pinning the certificate completes TLS 1.3 and talks to the enclave', async () => {
    const socket = tls.connect({ port, host: '127.0.0.1', servername: 'localhost', ca: credentials.certificatePem, minVersion: 'TLSv1.3' });
    await new Promise<void>((resolve, reject) => socket.once('secureConnect', resolve).once('error', reject));
    assert.equal(socket.authorized, true, String(socket.authorizationError));
    assert.equal(socket.getProtocol(), 'TLSv1.3');
    assert.equal(await exchange(socket, 'hello enclave'), 'HELLO ENCLAVE');
    socket.end();
  });

  it('connect() judges the certificate by its evidence, and session evidence binds this very session', async () => {
    const first = await connect({ port, policy, sessionEvidence: true });
    assert.equal(first.peer.tee, 'sim');
    assert.deepEqual(first.session?.claims.measurement, identity.measurement);
    assert.equal(await exchange(first.socket, 'after evidence'), 'AFTER EVIDENCE');
    // evidence of the first session is refused in a second one
    const second = await connect({ port, policy });
    await assert.rejects(verifySessionEvidence(second.socket as never, first.session!.evidence, policy, second.peer), /not bound to this TLS session/);
    const fresh = await verifySessionEvidence(second.socket as never, await requestSessionEvidence(second.socket as never), policy, second.peer);
    assert.equal(fresh.tee, 'sim');
    first.socket.end();
    second.socket.end();
  });

  it('connect() refuses an enclave with another measurement, and simulation unless allowed', async () => {
    await assert.rejects(connect({ port, policy: { ...policy, measurements: [new Uint8Array(48)] } }), (e: { code?: string }) => e.code === 'CC_ERROR_ATTESTATION_REJECTED');
    await assert.rejects(connect({ port, policy: { ...policy, allowSimulation: false } }), (e: { code?: string }) => e.code === 'CC_ERROR_INVALID_EVIDENCE');
  });

  it('1 MiB each way through the relay arrives intact (back-pressure, coalesced crossings)', async () => {
    const { socket } = await connect({ port, policy });
    const payload = new Uint8Array(randomBytes(1 << 20));
    const received: Buffer[] = [];
    let total = 0;
    const done = new Promise<void>((resolve) =>
      socket.on('data', (d: Buffer) => {
        received.push(d);
        total += d.length;
        if (total >= payload.byteLength) resolve();
      }),
    );
    socket.write(payload);
    await done;
    assert.ok(Buffer.concat(received).equals(Buffer.from(payload)));
    socket.end();
  });

  it('the in-enclave client (connectRaTls) verifies the server through the relay and gets session evidence', async () => {
    const { socket, peer, session } = await connectRaTls({ host: '127.0.0.1', port, policy, sessionEvidence: true });
    assert.equal(peer.tee, 'sim');
    assert.ok(session);
    const reply = await new Promise<string>((resolve) => {
      socket.once('data', (d: Buffer) => resolve(d.toString()));
      socket.write('from an enclave client');
    });
    assert.equal(reply, 'FROM AN ENCLAVE CLIENT');
    socket.destroy();
    await assert.rejects(connectRaTls({ host: '127.0.0.1', port: port + 1, policy }), /CC_ERROR_ACCESS_DENIED|does not let the enclave connect/);
  });

  it('setCredentials: new connections get the renewed certificate, the policy still holds', async () => {
    const renewed = await createRaTlsCredentials({ keyType: 'p256' });
    server.setCredentials(renewed);
    try {
      const { socket, peer } = await connect({ port, policy });
      assert.deepEqual(new Uint8Array((socket.getPeerCertificate(false) as { raw: Uint8Array }).raw), new Uint8Array(renewed.certificate));
      assert.equal(peer.tee, 'sim');
      socket.end();
    } finally {
      server.setCredentials(credentials);
    }
    assert.throws(() => server.setCredentials({} as RaTlsCredentials), (e: { code?: string }) => e.code === 'CC_ERROR_BAD_PARAMETERS');
  });

  it('openssl s_client completes a handshake with the in-enclave server', async () => {
    const output = await new Promise<string>((resolve, reject) => {
      const child = spawn('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', '-tls1_3', '-quiet', '-no_ign_eof'], { stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (err += d));
      child.on('error', reject);
      child.on('close', () => resolve(out + err));
      child.stdin.write('ping from openssl\n');
      setTimeout(() => child.stdin.end(), 1_500);
    });
    assert.match(output, /PING FROM OPENSSL/);
  });
});

describe('RA-TLS relay: what the enclave asks of the host is checked', () => {
  it('refuses sends on streams that are not open, oversized or empty sends, and connections nobody allowed', async () => {
    const ocalls = new RaTlsRelay().ocalls; // nothing allowed to connect
    await assert.rejects(async () => ocalls.ratlsSend(7, new Uint8Array(4)), (e: { code?: string }) => e.code === 'CC_ERROR_BAD_PARAMETERS');
    assert.throws(() => relay.ocalls.ratlsEnd(123456), (e: { code?: string }) => e.code === 'CC_ERROR_BAD_PARAMETERS');
    await assert.rejects(ocalls.ratlsConnect('127.0.0.1', port), (e: { code?: string }) => e.code === 'CC_ERROR_ACCESS_DENIED');
    await assert.rejects(ocalls.ratlsConnect('', 0), (e: { code?: string }) => e.code === 'CC_ERROR_BAD_PARAMETERS');
    for (const bytes of [new Uint8Array((1 << 20) + 1), new Uint8Array(0), 'text' as never]) {
      await assert.rejects(async () => relay.ocalls.ratlsSend(1, bytes), /ratlsSend takes 1 to/);
    }
  });

  it('property: session evidence frames decode, wait for more bytes, or are refused with CC_ERROR_INVALID_MESSAGE', () => {
    const good = encodeSessionEvidence('application/vnd.secgear.sim-evidence', new Uint8Array(300).fill(5));
    assert.deepEqual(decodeSessionEvidence(good)?.evidence, new Uint8Array(300).fill(5));
    for (let n = 0; n < good.byteLength; n++) assert.equal(decodeSessionEvidence(good.subarray(0, n)), null, `prefix ${n}`);
    assertParsesOrRejects((b: Uint8Array) => decodeSessionEvidence(b), nearValidBytes(good, { maxLength: 400, maxEdits: 4 }), { seed: 3030, numRuns: 500, code: 'CC_ERROR_INVALID_MESSAGE' });
  });
});
