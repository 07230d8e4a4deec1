// The device–cloud flow with the enclave-side service running in this process as if inside an
// enclave (sim platform harness: real sealing keys and real sim evidence), and the real client.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode } from '../../src/common/errors.js';
import { loadSimPlatformState, readSimRootCertificate } from '../../src/backends/sim-platform/index.js';
import { generateKeyPairSync } from 'node:crypto';
import { PakeClient, PakeServiceError, createRegistration, decodeFrame, encodeFrame, signRegistration, type PakeClientOptions } from '../../src/pake/index.js';
import { createPakeService, type PakeServiceOptions, type PakeStore } from '../../src/pake/enclave/index.js';
import type { EnclaveIdentity } from '../../src/common/platform.js';
import { enterEnclave, makeIdentity, tempStateDir } from '../support/sim-platform-harness.js';
import { isCode } from './helpers.js';

const KDF = { N: 1024, r: 8, p: 1 };
const text = (s: string) => new TextEncoder().encode(s);
const T0 = Date.UTC(2026, 5, 1);

const state = tempStateDir();
let identity: EnclaveIdentity;
let attestation: PakeClientOptions['attestation'];

before(() => {
  identity = makeIdentity();
  enterEnclave(identity, state.dir);
  loadSimPlatformState(state.dir);
  const der = readSimRootCertificate(state.dir);
  assert.ok(der);
  attestation = { allowSimulation: true, trustAnchors: [{ kind: 'x509', der }], policy: { measurements: [identity.measurement] } };
});
after(() => state.cleanup());

class MapStore implements PakeStore {
  readonly blobs = new Map<string, Uint8Array>();
  async load(name: string) {
    return this.blobs.get(name)?.slice() ?? null;
  }
  async save(name: string, blob: Uint8Array) {
    this.blobs.set(name, blob.slice());
  }
}

function setup(overrides: Partial<PakeServiceOptions> = {}, store = new MapStore()) {
  const clock = { now: T0 };
  const service = createPakeService({
    idVerifier: 'cloud',
    store,
    now: () => clock.now,
    onMessage: (session, data) => text(`${new TextDecoder().decode(session.idProver)} said ${new TextDecoder().decode(data)}`),
    ...overrides,
  });
  return { service, store, clock };
}

function client(password: string, idProver = 'device-1', extra: Partial<PakeClientOptions> = {}) {
  return new PakeClient({ idProver, password, idVerifier: 'cloud', attestation, minKdf: KDF, ...extra });
}

type Service = ReturnType<typeof setup>['service'];

/** Runs a whole handshake; returns the session id. Frames pass through `tamper` on the way. */
async function connect(service: Service, c: PakeClient, tamper: (f: Uint8Array, step: number) => Uint8Array = (f) => f) {
  let { sessionId, frame, closed } = await service.receive(null, tamper(c.hello(), 0));
  for (let step = 1; ; step++) {
    assert.ok(frame);
    const next = await c.receive(tamper(frame, step));
    if (next === null) return sessionId as string;
    assert.equal(closed, false);
    ({ sessionId, frame, closed } = await service.receive(sessionId, tamper(next, step)));
  }
}

describe('PAKE verifier service (in-process enclave)', () => {
  it('registers a device, completes the attested handshake, and exchanges encrypted messages', async () => {
    const { service, store } = setup();
    await service.register('device-1', await createRegistration('hunter2', { idProver: 'device-1', idVerifier: 'cloud', kdf: KDF }));
    assert.ok(store.blobs.has('record-6465766963652d31'), 'the registration is stored sealed by the host');
    assert.equal(new TextDecoder('latin1').decode(store.blobs.get('record-6465766963652d31')).includes('hunter2'), false);

    const c = client('hunter2');
    const sid = await connect(service, c);
    assert.equal(c.state, 'ready');
    assert.equal(c.attestationResult?.claims?.tee, 'sim');
    for (const msg of ['hello', 'again']) {
      const reply = await service.receive(sid, c.encrypt(text(msg)));
      assert.deepEqual(c.decrypt(reply.frame!), text(`device-1 said ${msg}`));
    }
    service.close(sid);
    assert.equal(service.sessionCount, 0);
  });

  it('wrong password and unknown identity look the same: confirmation fails, no session key', async () => {
    const { service } = setup();
    await service.register('device-1', await createRegistration('hunter2', { idProver: 'device-1', idVerifier: 'cloud', kdf: KDF }));
    await assert.rejects(connect(service, client('hunter3')), isCode(ErrorCode.CONFIRMATION_FAILED));
    const unknown = client('anything', 'nobody');
    await assert.rejects(
      connect(service, unknown),
      // unknown identities get the default (strong) parameters: the device accepts them and fails later
      isCode(ErrorCode.CONFIRMATION_FAILED),
    );
  });

  it('limits online guessing, survives a restart with the same sealed state, and clears on success', async () => {
    const store = new MapStore();
    const limits = { maxFailures: 2, baseBackoffMs: 60_000 };
    const a = setup({ limits }, store);
    await a.service.register('device-1', await createRegistration('right', { idProver: 'device-1', idVerifier: 'cloud', kdf: KDF }));
    for (let i = 0; i < 2; i++) await assert.rejects(connect(a.service, client('wrong')), isCode(ErrorCode.CONFIRMATION_FAILED));
    const refused = await connect(a.service, client('right')).catch((e: unknown) => e);
    assert.ok(refused instanceof PakeServiceError && refused.code === ErrorCode.RATE_LIMITED, String(refused));
    assert.equal(refused.retryAfterMs, 60_000);

    // a new service instance (an enclave restart) reads the sealed limiter state back
    const b = setup({ limits }, store);
    b.clock.now = T0 + 30_000;
    const stillRefused = await connect(b.service, client('right')).catch((e: unknown) => e);
    assert.ok(stillRefused instanceof PakeServiceError && stillRefused.code === ErrorCode.RATE_LIMITED);
    assert.equal(stillRefused.retryAfterMs, 30_000);

    b.clock.now = T0 + 60_001;
    await connect(b.service, client('right'));
    // success cleared the count: two more failures are allowed again before a back-off
    await assert.rejects(connect(b.service, client('wrong')), isCode(ErrorCode.CONFIRMATION_FAILED));
    await connect(b.service, client('right'));
  });

  it('the evidence binds the preamble and the handshake: changes on the way are caught', async () => {
    const { service } = setup();
    await service.register('device-1', await createRegistration('pw', { idProver: 'device-1', idVerifier: 'cloud', kdf: KDF }));
    // a host that changes the salt or parameters in the preamble
    const changeSalt = (f: Uint8Array, step: number) => {
      if (step !== 1) return f;
      const frame = decodeFrame(f);
      assert.equal(frame.kind, 'PREAMBLE');
      return frame.kind === 'PREAMBLE' ? encodeFrame({ ...frame, salt: new Uint8Array(16).fill(1) }) : f;
    };
    await assert.rejects(connect(service, client('pw'), changeSalt), isCode(ErrorCode.INVALID_EVIDENCE));
    // a host that serves evidence from another session (another nonce)
    const other = await service.receive(null, client('pw').hello());
    const staleEvidence = decodeFrame(other.frame!);
    const swapEvidence = (f: Uint8Array, step: number) => {
      if (step !== 1) return f;
      const frame = decodeFrame(f);
      return frame.kind === 'PREAMBLE' && staleEvidence.kind === 'PREAMBLE' ? encodeFrame({ ...frame, evidence: staleEvidence.evidence }) : f;
    };
    await assert.rejects(connect(service, client('pw'), swapEvidence), isCode(ErrorCode.INVALID_EVIDENCE));
    // a device that expects another enclave
    const wrongPolicy = client('pw', 'device-1', { attestation: { ...attestation, policy: { measurements: [new Uint8Array(48)] } } });
    await assert.rejects(connect(service, wrongPolicy), isCode(ErrorCode.INVALID_EVIDENCE));
    // a device that expects another verifier identity
    await assert.rejects(connect(service, client('pw', 'device-1', { idVerifier: 'other' })), isCode(ErrorCode.ACCESS_DENIED));
  });

  it('replayed, reordered or misplaced frames end the session', async () => {
    const { service } = setup();
    await service.register('device-1', await createRegistration('pw', { idProver: 'device-1', idVerifier: 'cloud', kdf: KDF }));
    const c = client('pw');
    const sid = await connect(service, c);
    const first = c.encrypt(text('one'));
    await service.receive(sid, first);
    const replay = await service.receive(sid, first);
    assert.equal(replay.closed, true);
    const err = decodeFrame(replay.frame!);
    assert.ok(err.kind === 'ERROR' && err.code === ErrorCode.REPLAY);
    assert.equal(service.sessionCount, 0);

    const c2 = client('pw');
    const hello = await service.receive(null, c2.hello());
    const early = await service.receive(hello.sessionId, encodeFrame({ kind: 'DATA', record: new Uint8Array(30) }));
    const e2 = decodeFrame(early.frame!);
    assert.ok(e2.kind === 'ERROR' && e2.code === ErrorCode.PROTOCOL_STATE);
    const unknown = await service.receive('feedface', client('pw').hello());
    assert.equal(unknown.closed, true);
    const garbage = await service.receive(null, new Uint8Array([1, 2, 3]));
    const e3 = decodeFrame(garbage.frame!);
    assert.ok(e3.kind === 'ERROR' && e3.code === ErrorCode.INVALID_MESSAGE);
    // a HELLO whose identity is outside the 1..128 bytes of docs/formats/pake-service.md is malformed
    for (const idProver of [new Uint8Array(0), new Uint8Array(129)]) {
      const bad = await service.receive(null, encodeFrame({ kind: 'HELLO', idProver, nonce: new Uint8Array(32) }));
      const e4 = decodeFrame(bad.frame!);
      assert.ok(e4.kind === 'ERROR' && e4.code === ErrorCode.INVALID_MESSAGE, JSON.stringify(e4));
    }
  });

  it('the client takes one frame at a time, and a client closed meanwhile stays closed', async () => {
    const { service } = setup();
    await service.register('device-1', await createRegistration('pw', { idProver: 'device-1', idVerifier: 'cloud', kdf: KDF }));
    // a relay that delivers the preamble twice without waiting: the second copy is refused and
    // the session ends (no second scrypt run, no second Prover over a wiped password)
    const c = client('pw');
    const { frame } = await service.receive(null, c.hello());
    const first = c.receive(frame!);
    const second = c.receive(frame!);
    await assert.rejects(second, isCode(ErrorCode.PROTOCOL_STATE));
    await assert.rejects(first, isCode(ErrorCode.PROTOCOL_STATE));
    assert.equal(c.state, 'failed');
    // close() while the preamble is being checked: the session does not come back to life
    const d = client('pw');
    const hello = await service.receive(null, d.hello());
    const pending = d.receive(hello.frame!);
    d.close();
    await assert.rejects(pending, isCode(ErrorCode.PROTOCOL_STATE));
    assert.equal(d.state, 'closed');
    assert.throws(() => d.encrypt(text('x')), isCode(ErrorCode.PROTOCOL_STATE));
  });

  it('a host that swaps or alters sealed blobs is refused (fail closed)', async () => {
    const { service, store } = setup();
    await service.register('device-1', await createRegistration('pw', { idProver: 'device-1', idVerifier: 'cloud', kdf: KDF }));
    await service.register('device-2', await createRegistration('pw2', { idProver: 'device-2', idVerifier: 'cloud', kdf: KDF }));
    // device-2's record filed under device-1: the sealed additional data names the identity
    store.blobs.set('record-6465766963652d31', store.blobs.get('record-6465766963652d32')!);
    await assert.rejects(connect(service, client('pw2')), isCode(ErrorCode.MAC_INVALID));
    // an altered limiter state stops the service from serving anyone until it is fixed
    const limits = store.blobs.get('limits')!;
    limits[limits.length - 1] ^= 1;
    const fresh = setup({}, store);
    await assert.rejects(connect(fresh.service, client('pw2', 'device-2')), isCode(ErrorCode.MAC_INVALID));
  });

  it('what sealing does not stop, as docs/formats/pake-service.md admits: an older record blob; but a running enclave never re-reads limits', async () => {
    const { service, store } = setup({ limits: { maxFailures: 1, baseBackoffMs: 60_000 } });
    await service.register('device-1', await createRegistration('old', { idProver: 'device-1', idVerifier: 'cloud', kdf: KDF }));
    const oldRecord = store.blobs.get('record-6465766963652d31')!;
    const cleanLimits = store.blobs.get('limits')!;
    await service.register('device-1', await createRegistration('new', { idProver: 'device-1', idVerifier: 'cloud', kdf: KDF }));
    await connect(service, client('new'));
    // the host puts the older record back: sealing has no freshness, the old password works again
    store.blobs.set('record-6465766963652d31', oldRecord);
    await connect(service, client('old'));
    // an older limits blob put back while the enclave runs changes nothing: it is read only once
    await assert.rejects(connect(service, client('wrong')), isCode(ErrorCode.CONFIRMATION_FAILED));
    store.blobs.set('limits', cleanLimits);
    const refused = await connect(service, client('old')).catch((e: unknown) => e);
    assert.ok(refused instanceof PakeServiceError && refused.code === ErrorCode.RATE_LIMITED, String(refused));
  });

  it('drops handshakes that stall and refuses sessions beyond the limit', async () => {
    const { service, clock } = setup({ maxSessions: 2, handshakeTimeoutMs: 1000 });
    await service.register('device-1', await createRegistration('pw', { idProver: 'device-1', idVerifier: 'cloud', kdf: KDF }));
    await service.receive(null, client('pw').hello());
    await service.receive(null, client('pw').hello());
    const third = decodeFrame((await service.receive(null, client('pw').hello())).frame!);
    assert.ok(third.kind === 'ERROR' && third.code === ErrorCode.RATE_LIMITED);
    clock.now += 1001;
    const fourth = await service.receive(null, client('pw').hello());
    assert.equal(fourth.closed, false);
    assert.equal(service.sessionCount, 1);
  });

  it('with a provisioning key, only signed registrations are accepted', async () => {
    const provisioning = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const intruder = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const { service } = setup({ registrationKey: provisioning.publicKey.export({ type: 'spki', format: 'pem' }) as string });
    const reg = await createRegistration('pw', { idProver: 'device-1', idVerifier: 'cloud', kdf: KDF });
    const denied = isCode(ErrorCode.ACCESS_DENIED);
    await assert.rejects(service.register('device-1', reg), denied);
    await assert.rejects(service.register('device-1', reg, signRegistration('device-1', reg, intruder.privateKey)), denied);
    await assert.rejects(service.register('device-2', reg, signRegistration('device-1', reg, provisioning.privateKey)), denied, 'bound to the identity');
    const other = await createRegistration('pw2', { idProver: 'device-1', idVerifier: 'cloud', kdf: KDF });
    await assert.rejects(service.register('device-1', other, signRegistration('device-1', reg, provisioning.privateKey)), denied, 'bound to the record');
    await assert.rejects(service.register('device-1', reg, new Uint8Array(70)), denied);
    await service.register('device-1', reg, signRegistration('device-1', reg, provisioning.privateKey));
    await connect(service, client('pw'));
    // keys of the wrong kind are refused when the service is created
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
    assert.throws(() => setup({ registrationKey: rsa.publicKey.export({ type: 'spki', format: 'pem' }) as string }), isCode(ErrorCode.BAD_PARAMETERS));
    assert.throws(() => setup({ registrationKey: 'not a key' }), isCode(ErrorCode.BAD_PARAMETERS));
    assert.throws(() => signRegistration('d', reg, rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string), isCode(ErrorCode.BAD_PARAMETERS));
    assert.throws(() => signRegistration('d', reg, provisioning.publicKey), isCode(ErrorCode.BAD_PARAMETERS));
  });
});
