// A connection the in-enclave RA-TLS server drops (here: a client without the certificate it
// requires) is closed on the host too, at once: it does not hold one of the relay's connection
// slots until the client gives up; nor does a client that never finishes its handshake.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connect } from 'node:net';
import * as tls from 'node:tls';
import { loadSimPlatformState } from '../../src/backends/sim-platform/index.js';
import { createRaTlsCredentials, createRaTlsServer } from '../../src/ratls/enclave/index.js';
import { RaTlsRelay } from '../../src/ratls/host/index.js';
import { enterEnclave, makeIdentity, tempStateDir } from '../support/sim-platform-harness.js';
import { wireEnclaveToRelay, wireRelayToEnclave } from './in-process-boundary.js';

const state = tempStateDir();
const relay = new RaTlsRelay();
let port: number;

before(async () => {
  loadSimPlatformState(state.dir);
  enterEnclave(makeIdentity(), state.dir);
  wireEnclaveToRelay(relay);
  createRaTlsServer({
    credentials: await createRaTlsCredentials({ keyType: 'p256' }),
    requestCert: true,
    handshakeTimeoutMs: 500,
    verifyClient: () => {
      throw new Error('refused');
    },
    onConnection: ({ socket }) => {
      socket.end('never reached');
    },
  });
  wireRelayToEnclave(relay);
  port = (await relay.listen()).port;
});
after(async () => {
  await relay.close();
  state.cleanup();
});

describe('RA-TLS relay: streams the enclave drops', () => {
  it('a refused client is disconnected promptly and its relay slot freed', async () => {
    const started = Date.now();
    const received = await new Promise<string>((resolve, reject) => {
      const socket = tls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false, minVersion: 'TLSv1.3' });
      let text = '';
      socket.on('secureConnect', () => socket.write('hello'));
      socket.on('data', (d: Buffer) => (text += d.toString()));
      socket.on('close', () => resolve(text));
      socket.on('error', () => undefined);
      socket.setTimeout(10_000, () => reject(new Error('the dropped connection stayed open on the host')));
    });
    assert.equal(received, '');
    assert.ok(Date.now() - started < 10_000);
    for (let i = 0; i < 50 && relay.connections > 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(relay.connections, 0);
  });

  it('a client that never completes its handshake is dropped after handshakeTimeoutMs', async () => {
    const started = Date.now();
    await new Promise<void>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      socket.on('close', () => resolve());
      socket.on('error', () => undefined);
      setTimeout(() => reject(new Error('the silent connection stayed open')), 10_000).unref();
    });
    assert.ok(Date.now() - started >= 400, 'dropped only after the timeout');
    for (let i = 0; i < 50 && relay.connections > 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(relay.connections, 0);
  });
});
