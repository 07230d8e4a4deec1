// The shared AEAD record layer's close records (the secure channel's; PAKE has data only).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AeadRecordLayer } from '../../src/records/record-layer.js';

const text = (s: string) => new TextEncoder().encode(s);
const labels = { a: text('a to b'), b: text('b to a') };
const pair = (closeRecords = true) => ({
  a: new AeadRecordLayer({ secret: new Uint8Array(32).fill(5), sendLabel: labels.a, receiveLabel: labels.b, closeRecords }),
  b: new AeadRecordLayer({ secret: new Uint8Array(32).fill(5), sendLabel: labels.b, receiveLabel: labels.a, closeRecords }),
});
const code = (c: string) => (e: unknown) => (e as { code?: string }).code === c;

test('close is sequenced: after a lost record it is refused, so a truncated stream is noticed', () => {
  const { a, b } = pair();
  assert.deepEqual(b.open(a.encrypt(text('1'))), { type: 'data', data: text('1') });
  a.encrypt(text('2 (dropped by the relay)'));
  assert.throws(() => b.open(a.encryptClose()), code('CC_ERROR_PROTOCOL_STATE'));
  assert.equal(b.peerClosed, false);
});

test('half-close: each side sends its close and still authenticates the other\'s; nothing after', () => {
  const { a, b } = pair();
  const closeA = a.encryptClose();
  assert.throws(() => a.encrypt(text('late')), code('CC_ERROR_PROTOCOL_STATE'));
  assert.deepEqual(b.open(closeA), { type: 'close' });
  assert.equal(b.peerClosed, true);
  assert.throws(() => b.encrypt(text('after close')), code('CC_ERROR_PROTOCOL_STATE'));
  assert.deepEqual(a.open(b.encryptClose()), { type: 'close' });
  assert.equal(a.state, 'closed');
  assert.equal(b.state, 'closed');
});

test('a protocol without close records refuses them in both directions', () => {
  const { a } = pair(false);
  assert.throws(() => a.encryptClose(), code('CC_ERROR_NOT_SUPPORTED'));
  const closing = pair(true);
  const record = closing.a.encryptClose();
  assert.throws(() => pair(false).b.open(record), code('CC_ERROR_INVALID_MESSAGE'));
});
