import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv, hkdfSync } from 'node:crypto';
import fc from 'fast-check';
import { toHex } from '../../src/common/bytes.js';
import { ErrorCode, SecGearError } from '../../src/common/errors.js';
import { MAX_RECORD_PLAINTEXT, RecordLayer } from '../../src/pake/record-layer.js';
import { isCode } from './helpers.js';

const key = new Uint8Array(32).map((_, i) => i * 7 + 1);
const text = (s: string) => new TextEncoder().encode(s);
const pairOf = (k = key) => ({ device: new RecordLayer(k, 'prover'), enclave: new RecordLayer(k, 'verifier') });

test('the format is the documented one: header, AES-256-GCM under HKDF keys, nonce = iv XOR seq', () => {
  const { device } = pairOf();
  device.encrypt(text('first'));
  const record = device.encrypt(text('second'));
  const okm = Buffer.from(hkdfSync('sha256', key, new Uint8Array(0), text('secgear pake record v1 prover to verifier'), 44));
  const iv = okm.subarray(32);
  iv[11] ^= 1; // sequence number 1
  const header = Buffer.from('01170000000000000001', 'hex');
  const cipher = createCipheriv('aes-256-gcm', okm.subarray(0, 32), iv);
  cipher.setAAD(header);
  const body = Buffer.concat([cipher.update(text('second')), cipher.final(), cipher.getAuthTag()]);
  assert.equal(toHex(record), header.toString('hex') + body.toString('hex'));
});

test('both directions carry messages in order, each with its own key', () => {
  const { device, enclave } = pairOf();
  for (let i = 0; i < 5; i++) {
    assert.deepEqual(enclave.decrypt(device.encrypt(text(`up ${i}`))), text(`up ${i}`));
    assert.deepEqual(device.decrypt(enclave.encrypt(text(`down ${i}`))), text(`down ${i}`));
  }
  assert.deepEqual(device.counts, { sent: 5, received: 5 });
  assert.deepEqual(enclave.decrypt(device.encrypt(new Uint8Array(0))), new Uint8Array(0));
  const big = new Uint8Array(MAX_RECORD_PLAINTEXT).fill(9);
  assert.deepEqual(enclave.decrypt(device.encrypt(big)), big);
  assert.throws(() => device.encrypt(new Uint8Array(MAX_RECORD_PLAINTEXT + 1)), isCode(ErrorCode.BAD_PARAMETERS));
});

test('replayed records are CC_ERROR_REPLAY, reordered ones CC_ERROR_PROTOCOL_STATE, and both close the layer', () => {
  let { device, enclave } = pairOf();
  const r0 = device.encrypt(text('a'));
  enclave.decrypt(r0);
  assert.throws(() => enclave.decrypt(r0), isCode(ErrorCode.REPLAY));
  assert.equal(enclave.state, 'failed');
  assert.throws(() => enclave.decrypt(device.encrypt(text('b'))), isCode(ErrorCode.PROTOCOL_STATE));

  ({ device, enclave } = pairOf());
  device.encrypt(text('lost'));
  const r1 = device.encrypt(text('next'));
  assert.throws(() => enclave.decrypt(r1), isCode(ErrorCode.PROTOCOL_STATE));
  assert.equal(enclave.state, 'failed');
});

test('reflected records, other keys and other sessions do not authenticate', () => {
  const { device, enclave } = pairOf();
  const record = device.encrypt(text('to the enclave'));
  assert.throws(() => device.decrypt(record), isCode(ErrorCode.MAC_INVALID)); // reflection back to the sender
  const other = new RecordLayer(new Uint8Array(32).fill(3), 'verifier');
  assert.throws(() => other.decrypt(record), isCode(ErrorCode.MAC_INVALID));
  assert.deepEqual(enclave.decrypt(record), text('to the enclave'));
});

test('any change to a record is refused and never yields plaintext', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), fc.nat(), fc.integer({ min: 0, max: 7 }), (plain, pos, bit) => {
      const { device, enclave } = pairOf();
      const record = device.encrypt(plain);
      record[pos % record.length] ^= 1 << bit;
      assert.throws(() => enclave.decrypt(record), isCode(ErrorCode.MAC_INVALID, ErrorCode.INVALID_MESSAGE, ErrorCode.REPLAY, ErrorCode.PROTOCOL_STATE));
      assert.equal(enclave.state, 'failed');
    }),
  );
});

test('arbitrary bytes fail with a SecGearError, never a crash', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
      const enclave = new RecordLayer(key, 'verifier');
      assert.throws(() => enclave.decrypt(bytes), (e: unknown) => e instanceof SecGearError);
    }),
    { numRuns: 300 },
  );
  assert.throws(() => new RecordLayer(key, 'verifier').decrypt('x' as never), isCode(ErrorCode.INVALID_MESSAGE));
});

test('close ends the session; bad construction is refused', () => {
  const { device } = pairOf();
  device.close();
  assert.equal(device.state, 'closed');
  assert.throws(() => device.encrypt(text('x')), isCode(ErrorCode.PROTOCOL_STATE));
  assert.throws(() => new RecordLayer(new Uint8Array(16), 'prover'), isCode(ErrorCode.BAD_PARAMETERS));
  assert.throws(() => new RecordLayer(key, 'server' as never), isCode(ErrorCode.BAD_PARAMETERS));
  assert.throws(() => device.encrypt('x' as never), isCode(ErrorCode.PROTOCOL_STATE));
  const fresh = new RecordLayer(key, 'prover');
  assert.throws(() => fresh.encrypt('x' as never), isCode(ErrorCode.BAD_PARAMETERS));
});
