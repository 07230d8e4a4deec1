// The secure channel's three roles in one process: the client, the host relay and the enclave
// service (its evidence from the simulated platform, values structured-cloned across the
// "boundary"), with a relay that can drop, replay, reorder and alter messages.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { after, before, describe, it } from 'node:test';
import { loadSimPlatformState, readSimRootCertificate } from '../../src/backends/sim-platform/index.js';
import { SecureChannelClient, SecureChannelServer, type AttestationPolicy } from '../../src/channel/index.js';
import { SecureChannelService } from '../../src/channel/enclave/index.js';
import { decodeMessage, encodeMessage } from '../../src/channel/messages.js';
import { enterEnclave, makeIdentity, tempStateDir } from '../support/sim-platform-harness.js';
import { assertParsesOrRejects, nearValidBytes } from '../attest/parser-properties.js';

const state = tempStateDir();
const identity = makeIdentity();
let policy: AttestationPolicy;
const text = (s: string) => new TextEncoder().encode(s);
const str = (b: Uint8Array | null) => new TextDecoder().decode(b ?? new Uint8Array(0));
const code = (c: string) => (e: unknown) => (e as { code?: string }).code === c;

before(() => {
  loadSimPlatformState(state.dir);
  enterEnclave(identity, state.dir);
  policy = { allowSimulation: true, trustAnchors: [{ kind: 'x509', der: readSimRootCertificate(state.dir)! }], measurements: [identity.measurement] };
});
after(() => state.cleanup());

type Tamper = (message: Uint8Array, direction: 'up' | 'down') => Uint8Array | null;

/** Client ↔ relay ↔ enclave service; the enclave answers each data message with it upper-cased. */
function wire(options: { service?: SecureChannelService; tamper?: Tamper; clientPolicy?: AttestationPolicy; group?: 'p256' | 'x25519' } = {}) {
  const service = options.service ?? new SecureChannelService();
  const ecalls = service.ecalls;
  const clone = <T>(v: T) => structuredClone(v);
  const enclave = {
    ecall: {
      secChlHandshake: async (m: Uint8Array) => clone(await ecalls.secChlHandshake(clone(m))),
      secChlClose: async (id: string, m: Uint8Array | null) => clone(await ecalls.secChlClose(id, clone(m))),
    },
  };
  const received: string[] = [];
  const down: Uint8Array[] = [];
  const tamper = options.tamper ?? ((m) => m);
  let client: SecureChannelClient;
  const server = new SecureChannelServer({
    enclave,
    onData: (sessionId, message) => {
      const data = service.decrypt(sessionId, clone(message));
      return service.encrypt(sessionId, text(str(data).toUpperCase()));
    },
  });
  const connection = server.connection((m) => {
    const out = tamper(m, 'down');
    if (!out) return;
    down.push(out);
    queueMicrotask(() => client.receive(out));
  });
  client = new SecureChannelClient({
    policy: options.clientPolicy ?? policy,
    group: options.group,
    timeoutMs: 5_000,
    send: async (m) => {
      const out = tamper(m, 'up');
      if (out) await connection.receive(out);
    },
    onData: (d) => received.push(str(d)),
  });
  /** The application's own transport for DATA messages (the same connection). */
  const send = (m: Uint8Array) => connection.receive(m);
  return { client, service, connection, received, down, send };
}

describe('secure channel: client ↔ host ↔ enclave', () => {
  for (const group of ['x25519', 'p256'] as const) {
    it(`${group}: handshake with verified evidence, records both ways, authenticated close on both ends`, async () => {
      const { client, service, received, send } = wire({ group });
      const peer = await client.init();
      assert.equal(peer.tee, 'sim');
      assert.deepEqual(peer.claims.measurement, identity.measurement);
      assert.equal(service.size, 1);
      for (const word of ['alpha', 'beta', 'gamma']) await send(client.encrypt(text(word)));
      await new Promise((r) => setTimeout(r, 10));
      assert.deepEqual(received, ['ALPHA', 'BETA', 'GAMMA']);
      await client.close({ timeoutMs: 2_000 });
      assert.equal(client.closedByPeer, true, 'the enclave\'s close arrived and authenticated');
      assert.equal(service.size, 0);
    });
  }

  it('refuses an enclave the policy does not accept, before sending any key share', async () => {
    const sent: number[] = [];
    const { client } = wire({ clientPolicy: { ...policy, measurements: [new Uint8Array(48)] }, tamper: (m, d) => (d === 'up' && sent.push(m[5]), m) });
    await assert.rejects(client.init(), code('CC_ERROR_ATTESTATION_REJECTED'));
    assert.deepEqual(sent, [1], 'only CLIENT_HELLO was sent');
    const noSim = wire({ clientPolicy: { ...policy, allowSimulation: false } });
    await assert.rejects(noSim.client.init(), code('CC_ERROR_INVALID_EVIDENCE'));
  });

  it('rejects a SERVER_HELLO whose share the host replaced (evidence binds another share)', async () => {
    const { client } = wire({
      tamper: (m, d) => {
        if (d !== 'down' || m[5] !== 2) return m;
        const out = Uint8Array.from(m);
        out[6 + 16 + 1 + 2 + 5] ^= 1; // a byte of the enclave's share
        return out;
      },
    });
    await assert.rejects(client.init(), /does not bind this handshake|share is not a valid/);
  });

  it('rejects evidence made for another session (a SERVER_HELLO replayed from an earlier handshake)', async () => {
    const first = wire();
    await first.client.init();
    const recorded = first.down[0];
    const { client } = wire({ tamper: (m, d) => (d === 'down' && m[5] === 2 ? recorded : m) });
    await assert.rejects(client.init(), /nonce/);
  });

  it('a changed CLIENT_FINISH or SERVER_FINISH fails confirmation on the other side', async () => {
    const a = wire({
      tamper: (m, d) => {
        if (d !== 'up' || m[5] !== 3) return m;
        const out = Uint8Array.from(m);
        out[out.byteLength - 1] ^= 1;
        return out;
      },
    });
    await assert.rejects(a.client.init(), /CC_ERROR_CONFIRMATION_FAILED/);
    assert.equal(a.service.size, 0, 'the enclave dropped the handshake');
    const b = wire({
      tamper: (m, d) => {
        if (d !== 'down' || m[5] !== 4) return m;
        const out = Uint8Array.from(m);
        out[out.byteLength - 1] ^= 1;
        return out;
      },
    });
    await assert.rejects(b.client.init(), code('CC_ERROR_CONFIRMATION_FAILED'));
  });

  it('refuses replayed, reordered, truncated and altered records', async () => {
    const service = new SecureChannelService();
    const { client } = wire({ service });
    await client.init();
    const id = client.sessionId!;
    const r0 = client.encrypt(text('zero'));
    const r1 = client.encrypt(text('one'));
    assert.equal(str(service.decrypt(id, r0)), 'zero');
    assert.throws(() => service.decrypt(id, r0), code('CC_ERROR_REPLAY'));
    assert.throws(() => service.decrypt(id, r1), code('CC_ERROR_PROTOCOL_STATE'), 'the session ended with the failure');

    const second = wire({ service });
    await second.client.init();
    const s = second.client.sessionId!;
    second.client.encrypt(text('lost'));
    assert.throws(() => service.decrypt(s, second.client.encrypt(text('after the loss'))), code('CC_ERROR_PROTOCOL_STATE'));

    const third = wire({ service });
    await third.client.init();
    const t = third.client.sessionId!;
    const out = [service.encrypt(t, text('a')), service.encrypt(t, text('b')), service.close(t)];
    assert.equal(str(third.client.decrypt(out[0])), 'a');
    // the host drops "b" and delivers the close: the stream was truncated
    assert.throws(() => third.client.decrypt(out[2]), code('CC_ERROR_PROTOCOL_STATE'));
    assert.equal(third.client.closedByPeer, false);

    const fourth = wire({ service });
    await fourth.client.init();
    const altered = fourth.client.encrypt(text('pay 10'));
    altered[altered.byteLength - 20] ^= 1;
    assert.throws(() => service.decrypt(fourth.client.sessionId!, altered), code('CC_ERROR_MAC_INVALID'));
  });

  it('expires sessions, bounds the table, and forgets a session whose transport closed', async () => {
    let now = 1_000_000;
    const service = new SecureChannelService();
    service.configure({ maxSessions: 2, idleTimeoutMs: 1_000, sessionTtlMs: 5_000, now: () => now });
    const a = wire({ service });
    const b = wire({ service });
    await a.client.init();
    await b.client.init();
    await assert.rejects(wire({ service }).client.init(), /CC_ERROR_RATE_LIMITED/);
    now += 1_500;
    assert.throws(() => service.decrypt(a.client.sessionId!, a.client.encrypt(text('late'))), code('CC_ERROR_TIMEOUT'));
    await b.connection.close();
    assert.equal(service.size, 0);
    await wire({ service }).client.init();
    assert.throws(() => service.configure({ maxSessions: 0 }), code('CC_ERROR_BAD_PARAMETERS'));
  });

  it('property: any bytes decode or are rejected with CC_ERROR_INVALID_MESSAGE', () => {
    const sample = encodeMessage({ type: 'server-hello', sessionId: '00112233445566778899aabbccddeeff', group: 'x25519', share: new Uint8Array(32).fill(1), mediaType: 'application/x', evidence: new Uint8Array(40).fill(2) });
    assertParsesOrRejects((b: Uint8Array) => decodeMessage(b), nearValidBytes(sample, { maxLength: 200, maxEdits: 4 }), { seed: 2020, numRuns: 500, code: 'CC_ERROR_INVALID_MESSAGE' });
    assertParsesOrRejects((b: Uint8Array) => decodeMessage(b), fc.uint8Array({ maxLength: 120 }).map((b) => Uint8Array.of(0x53, 0x47, 0x53, 0x43, 1, ...b)), { seed: 2021, numRuns: 500, code: 'CC_ERROR_INVALID_MESSAGE' });
  });
});

