// Regression: the package never wipes or keeps a view of memory its caller owns. Node Buffers
// are the trap: Buffer#slice returns a view, so "wiping the copy" used to wipe the caller's w0
// and every later handshake with the same record failed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  P256_SHA256,
  Prover,
  Verifier,
  computeVerifierRecord,
  decodeMessage,
  decodeRegistration,
  deriveProverSecrets,
  encodeMessage,
  encodeRegistration,
} from '../../src/pake/index.js';

const FAST = { N: 256, r: 8, p: 1 };
const session = { idProver: Buffer.from('alice'), idVerifier: Buffer.from('vault'), context: Buffer.from('ctx') };

async function buffers() {
  const secrets = await deriveProverSecrets('correct horse', { idProver: session.idProver, idVerifier: session.idVerifier, salt: new Uint8Array(16).fill(1), kdf: FAST, suite: P256_SHA256 });
  const record = computeVerifierRecord(secrets.w0, secrets.w1, { suite: P256_SHA256 });
  // what a caller holding them in Node Buffers (read from a file, a database) passes
  return { w0: Buffer.from(secrets.w0), w1: Buffer.from(secrets.w1), record: { suite: record.suite, w0: Buffer.from(record.w0), L: Buffer.from(record.L) } };
}

function handshake(b: Awaited<ReturnType<typeof buffers>>): Uint8Array {
  const prover = new Prover({ w0: b.w0, w1: b.w1, suite: P256_SHA256, ...session });
  const verifier = new Verifier({ record: b.record, ...session });
  const { message, sharedKey } = prover.finish(verifier.respond(prover.start()));
  assert.deepEqual(verifier.finish(message).sharedKey, sharedKey);
  return sharedKey;
}

test('Prover and Verifier leave the caller\'s Buffers intact: the same record completes handshake after handshake', async () => {
  const b = await buffers();
  const before = { w0: Buffer.from(b.w0), w1: Buffer.from(b.w1), rw0: Buffer.from(b.record.w0), L: Buffer.from(b.record.L), ids: Buffer.concat([session.idProver, session.idVerifier, session.context]) };
  for (let i = 0; i < 3; i++) handshake(b);
  // a failed handshake wipes its own state too, and still not the caller's
  const prover = new Prover({ w0: b.w0, w1: b.w1, suite: P256_SHA256, ...session });
  const verifier = new Verifier({ record: b.record, ...session, context: 'other' });
  assert.throws(() => prover.finish(verifier.respond(prover.start())));
  assert.deepEqual(b.w0, before.w0);
  assert.deepEqual(b.w1, before.w1);
  assert.deepEqual(b.record.w0, before.rw0);
  assert.deepEqual(b.record.L, before.L);
  assert.deepEqual(Buffer.concat([session.idProver, session.idVerifier, session.context]), before.ids);
  handshake(b);
});

test('records, registrations and messages decoded from a caller\'s Buffer are copies, not views', async () => {
  const b = await buffers();
  const record = computeVerifierRecord(b.w0, b.w1, { suite: P256_SHA256 });
  record.w0.fill(0);
  assert.notDeepEqual(b.w0, Buffer.alloc(32), 'computeVerifierRecord copied w0');

  const stored = Buffer.from(encodeRegistration({ record: b.record, salt: Buffer.alloc(16, 2), kdf: FAST }));
  const copy = Buffer.from(stored);
  const decoded = decodeRegistration(stored);
  decoded.record.w0.fill(0);
  decoded.salt.fill(0);
  assert.deepEqual(stored, copy, 'wiping a decoded registration leaves the stored bytes alone');

  const prover = new Prover({ w0: b.w0, w1: b.w1, suite: P256_SHA256, ...session });
  const wire = Buffer.from(prover.start());
  const wireCopy = Buffer.from(wire);
  const message = decodeMessage(wire);
  assert.equal(message.type, 'SHARE_P');
  if (message.type === 'SHARE_P') message.shareP.fill(0);
  assert.deepEqual(wire, wireCopy, 'a decoded message does not alias the wire bytes');
  assert.deepEqual(encodeMessage(decodeMessage(wire)), new Uint8Array(wire));
});
