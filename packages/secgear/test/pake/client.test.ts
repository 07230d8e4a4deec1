import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode } from '../../src/common/errors.js';
import { P256_SHA256, PakeClient, PakeServiceError, decodeFrame, encodeFrame } from '../../src/pake/index.js';
import { isCode } from './helpers.js';

const policy = { measurements: [new Uint8Array(48)] };
const base = { idProver: 'dev', password: 'pw', attestation: { allowSimulation: true, policy } };

function preamble(overrides: Record<string, unknown> = {}) {
  return encodeFrame({
    kind: 'PREAMBLE',
    suite: P256_SHA256,
    idVerifier: new TextEncoder().encode('cloud'),
    salt: new Uint8Array(16).fill(1),
    kdf: { N: 32768, r: 8, p: 1 },
    evidence: { mediaType: 'application/octet-stream', data: new Uint8Array(10) },
    ...overrides,
  } as never);
}

test('a client must be told which enclave to expect, and needs a password', () => {
  assert.throws(() => new PakeClient({ ...base, attestation: { allowSimulation: true } }), isCode(ErrorCode.BAD_PARAMETERS));
  assert.throws(() => new PakeClient({ ...base, attestation: { policy: { measurements: [] } } }), isCode(ErrorCode.BAD_PARAMETERS));
  assert.throws(() => new PakeClient({ ...base, password: '' }), isCode(ErrorCode.BAD_PARAMETERS));
  assert.throws(() => new PakeClient(null as never), isCode(ErrorCode.BAD_PARAMETERS));
  assert.throws(() => new PakeClient({ ...base, minKdf: { N: 3 } }), isCode(ErrorCode.BAD_PARAMETERS));
});

test('hello carries the identity and a fresh 32-byte nonce; calls out of order are refused', async () => {
  const a = new PakeClient(base);
  assert.throws(() => a.encrypt(new Uint8Array(1)), isCode(ErrorCode.PROTOCOL_STATE));
  await assert.rejects(a.receive(preamble()), isCode(ErrorCode.PROTOCOL_STATE));
  const h1 = decodeFrame(a.hello());
  const h2 = decodeFrame(new PakeClient(base).hello());
  assert.ok(h1.kind === 'HELLO' && h2.kind === 'HELLO');
  assert.deepEqual(h1.idProver, new TextEncoder().encode('dev'));
  assert.equal(h1.nonce.byteLength, 32);
  assert.notDeepEqual(h1.nonce, h2.nonce);
  assert.throws(() => a.hello(), isCode(ErrorCode.PROTOCOL_STATE));
});

test('a preamble that asks for weak scrypt parameters or names another verifier is refused before any work', async () => {
  const weak = new PakeClient(base);
  weak.hello();
  await assert.rejects(weak.receive(preamble({ kdf: { N: 1024, r: 8, p: 1 } })), isCode(ErrorCode.ACCESS_DENIED));
  assert.equal(weak.state, 'failed');
  const other = new PakeClient({ ...base, idVerifier: 'somebody-else' });
  other.hello();
  await assert.rejects(other.receive(preamble()), isCode(ErrorCode.ACCESS_DENIED));
  const short = new PakeClient(base);
  short.hello();
  await assert.rejects(short.receive(preamble({ salt: new Uint8Array(8) })), isCode(ErrorCode.INVALID_MESSAGE));
  // scrypt parameters that are no parameters at all: a malformed message, not a caller's mistake
  for (const kdf of [{ N: 3 * 2 ** 15, r: 8, p: 1 }, { N: 2 ** 30, r: 8, p: 1 }, { N: 32768, r: 0, p: 1 }]) {
    const bad = new PakeClient(base);
    bad.hello();
    await assert.rejects(bad.receive(preamble({ kdf })), isCode(ErrorCode.INVALID_MESSAGE));
  }
});

test('evidence that does not verify is refused', async () => {
  const c = new PakeClient(base);
  c.hello();
  await assert.rejects(c.receive(preamble()), isCode(ErrorCode.INVALID_EVIDENCE));
  assert.ok(c.attestationResult && !c.attestationResult.verified);
});

test('an ERROR frame becomes a PakeServiceError with the code and retry time', async () => {
  const c = new PakeClient(base);
  c.hello();
  const err = await c
    .receive(encodeFrame({ kind: 'ERROR', code: ErrorCode.RATE_LIMITED, retryAfterMs: 1234, message: 'slow down' }))
    .catch((e: unknown) => e);
  assert.ok(err instanceof PakeServiceError);
  assert.equal(err.code, ErrorCode.RATE_LIMITED);
  assert.equal(err.retryAfterMs, 1234);
  assert.match(err.message, /slow down/);
  assert.equal(c.state, 'failed');
  await assert.rejects(c.receive(preamble()), isCode(ErrorCode.PROTOCOL_STATE));
  const wrongKind = new PakeClient(base);
  wrongKind.hello();
  await assert.rejects(wrongKind.receive(encodeFrame({ kind: 'FINISHED' })), isCode(ErrorCode.PROTOCOL_STATE));
});
