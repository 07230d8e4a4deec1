// The p11-kit RPC codec on its own: byte layouts from p11-kit's sources, the three protocol
// versions' mechanism encodings, negative cases, and property tests (random input never
// throws anything but RpcDecodeError; encode → decode is the identity).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CKA, CKM } from '../../src/pkcs11/constants.js';
import { readAttributeArray, writeAttributeArray, type Attribute } from '../../src/pkcs11/rpc/attributes.js';
import { RPC_CALLS, rpcCall } from '../../src/pkcs11/rpc/calls.js';
import { encodeFrame, FrameReader } from '../../src/pkcs11/rpc/frame.js';
import { readMechanism, writeMechanism, type Mechanism } from '../../src/pkcs11/rpc/mechanism.js';
import { decodeRequest, decodeResponse, encodeError, encodeRequest, encodeResponse, RpcFramingError, RpcUnknownCallError, type RpcArg } from '../../src/pkcs11/rpc/message.js';
import { RpcDecodeError, WireReader, WireWriter } from '../../src/pkcs11/rpc/wire.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const mechBytes = (m: Mechanism | null, v: number) => {
  const w = new WireWriter();
  writeMechanism(w, m, v);
  return w.finish();
};

describe('p11-kit RPC codec', () => {
  it('has p11-kit’s call table: ids, names and signatures', () => {
    assert.equal(RPC_CALLS.length, 90);
    assert.deepEqual([rpcCall('C_Initialize').id, rpcCall('C_Sign').id, rpcCall('C_GenerateRandom').id, rpcCall('C_InitToken2').id, rpcCall('C_DeriveKey2').id], [1, 43, 64, 88, 89]);
    assert.equal(rpcCall('C_GetTokenInfo').response, 'ssssuuuuuuuuuuuvvs');
    assert.equal(rpcCall('C_GetAttributeValue').request, 'uufA');
  });

  it('encodes a request as call id, signature, arguments (C_Login)', () => {
    const body = encodeRequest(rpcCall('C_Login'), [5, 1, new TextEncoder().encode('1234')], 0);
    // id 18 | sig "uuay" | u64 5 | u64 1 | valid byte 1 | len 4 | "1234"
    assert.equal(hex(body), '00000012' + '00000004' + hex(new TextEncoder().encode('uuay')) + '0000000000000005' + '0000000000000001' + '01' + '00000004' + '31323334');
  });

  it('encodes mechanisms per protocol version (the change of p11-kit 0.25.6)', () => {
    const ecdsa = { type: CKM.ECDSA, param: null };
    assert.equal(hex(mechBytes(ecdsa, 0)), '00001041ffffffff', 'v0/v1: a parameterless mechanism sends a null byte array');
    assert.equal(hex(mechBytes(ecdsa, 2)), '00001041', 'v2: nothing after the type');
    const gcm: Mechanism = { type: CKM.AES_GCM, param: { kind: 'gcm', iv: new Uint8Array([1, 2]), ivBits: 16, aad: null, tagBits: 128 } };
    assert.equal(hex(mechBytes(gcm, 1)), '00001087' + '0000000201020000000000000010' + 'ffffffff' + '0000000000000080');
    assert.equal(hex(mechBytes(gcm, 2)), '00001087' + '01' + '0000000201020000000000000010' + 'ffffffff' + '0000000000000080');
    assert.equal(hex(mechBytes({ type: CKM.AES_GCM, param: null }, 2)), '0000108700', 'v2: presence byte 0');
    assert.equal(hex(mechBytes(null, 2)), 'ffffffff', 'no mechanism: cancel');
    for (const v of [0, 1, 2]) {
      for (const m of [ecdsa, gcm, null, { type: CKM.RSA_PKCS_PSS, param: { kind: 'pss' as const, hashAlg: CKM.SHA256, mgf: 2, sLen: 32 } }, { type: CKM.EDDSA, param: { kind: 'bytes' as const, bytes: new Uint8Array([9]) } }]) {
        const r = new WireReader(mechBytes(m, v));
        assert.deepEqual(readMechanism(r, v), m);
        assert.equal(r.remaining, 0);
      }
    }
  });

  it('encodes attributes with C lengths: CK_BBOOL 1, CK_ULONG 8, bytes their length', () => {
    const w = new WireWriter();
    writeAttributeArray(w, [{ type: CKA.TOKEN, value: true }, { type: CKA.CLASS, value: 3 }, { type: CKA.LABEL, value: new Uint8Array([0x41]) }]);
    assert.equal(hex(w.finish()), '00000003' + '00000001' + '01' + '00000001' + '01' + '00000000' + '01' + '00000008' + '0000000000000003' + '00000003' + '01' + '00000001' + '0000000141');
  });

  it('refuses malformed requests with the right error class', () => {
    const good = encodeRequest(rpcCall('C_CloseSession'), [7], 2);
    assert.throws(() => decodeRequest(good.subarray(0, good.byteLength - 1), 2), (e) => e instanceof RpcDecodeError && !(e instanceof RpcFramingError));
    assert.throws(() => decodeRequest(Uint8Array.of(...good, 0), 2), /unexpected bytes/);
    const badSig = good.slice();
    badSig[8] = 0x78;
    assert.throws(() => decodeRequest(badSig, 2), RpcFramingError);
    assert.throws(() => decodeRequest(new WireWriter().u32(0).byteArray(new TextEncoder().encode('u')).u64(1).finish(), 2), RpcFramingError);
    assert.throws(() => decodeRequest(new WireWriter().u32(500).byteArray(new Uint8Array(0)).finish(), 2), RpcUnknownCallError);
    assert.throws(() => decodeRequest(encodeRequest(rpcCall('C_InitToken2'), [1, null, new Uint8Array(32)], 1), 0), RpcFramingError, 'C_InitToken2 needs version 1');
    // an attribute count far larger than the message
    const huge = new WireWriter().u32(rpcCall('C_CreateObject').id).byteArray(new TextEncoder().encode('uaA')).u64(1).u32(0x10000000).finish();
    assert.throws(() => decodeRequest(huge, 2), /does not fit/);
    // templates nested past the limit
    let nested: Attribute[] = [];
    for (let i = 0; i < 10; i++) nested = [{ type: CKA.WRAP_TEMPLATE, value: nested }];
    const w = new WireWriter();
    writeAttributeArray(w, nested);
    assert.throws(() => readAttributeArray(new WireReader(w.finish())), /nested too deeply/);
  });

  it('frames: header, options, body; oversized frames are refused before they are buffered', () => {
    const frame = encodeFrame(0x11, new Uint8Array([1, 2, 3]));
    assert.equal(hex(frame), '00000011' + '00000000' + '00000003' + '010203');
    const reader = new FrameReader(1024);
    assert.deepEqual(reader.push(frame.subarray(0, 5)), []);
    const [f] = reader.push(frame.subarray(5));
    assert.equal(f.code, 0x11);
    assert.deepEqual(f.body, new Uint8Array([1, 2, 3]));
    assert.throws(() => new FrameReader(1024).push(new WireWriter().u32(1).u32(0).u32(4096).finish()), RpcDecodeError);
  });

  it('property: random bodies never throw anything but RpcDecodeError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.integer({ min: 0, max: 2 }), (body, version) => {
        try {
          decodeRequest(body, version);
        } catch (error) {
          if (!(error instanceof RpcDecodeError)) throw error;
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('property: mutated valid requests never throw anything but RpcDecodeError', () => {
    const seeds = [
      encodeRequest(rpcCall('C_GenerateKeyPair'), [1, { type: CKM.EC_KEY_PAIR_GEN, param: null }, [{ type: CKA.EC_PARAMS, value: new Uint8Array(10) }], [{ type: CKA.TOKEN, value: true }]], 2),
      encodeRequest(rpcCall('C_EncryptInit'), [1, { type: CKM.AES_GCM, param: { kind: 'gcm', iv: new Uint8Array(12), ivBits: 96, aad: null, tagBits: 128 } }, 2], 2),
      encodeRequest(rpcCall('C_GetAttributeValue'), [1, 2, [{ type: CKA.VALUE, capacity: 0 }, { type: CKA.WRAP_TEMPLATE, capacity: 0 }]], 2),
    ];
    fc.assert(
      fc.property(fc.constantFrom(...seeds), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }), (seed, edits) => {
        const body = seed.slice();
        for (const [at, v] of edits) body[at % body.byteLength] = v;
        try {
          decodeRequest(body, 2);
        } catch (error) {
          if (!(error instanceof RpcDecodeError)) throw error;
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('property: encode → decode is the identity for requests and responses', () => {
    const attr = fc.oneof(
      fc.record({ type: fc.constant(CKA.TOKEN as number), value: fc.boolean() as fc.Arbitrary<Attribute['value']> }),
      fc.record({ type: fc.constant(CKA.CLASS as number), value: fc.nat() as fc.Arbitrary<Attribute['value']> }),
      fc.record({ type: fc.constant(CKA.ID as number), value: fc.uint8Array({ maxLength: 40 }) as fc.Arbitrary<Attribute['value']> }),
    ).map((a): Attribute => ({ type: a.type, value: a.value }));
    fc.assert(
      fc.property(fc.nat(), fc.array(attr, { maxLength: 6 }), fc.integer({ min: 0, max: 2 }), (session, template, version) => {
        const call = rpcCall('C_CreateObject');
        const back = decodeRequest(encodeRequest(call, [session, template], version), version);
        assert.deepEqual(back.args, [session, template]);
        const signed = decodeResponse(encodeResponse(rpcCall('C_Sign'), [new Uint8Array([session & 0xff])], version), rpcCall('C_Sign'), version);
        assert.deepEqual(signed, { ok: true, values: [new Uint8Array([session & 0xff])] as RpcArg[] });
      }),
    );
    assert.deepEqual(decodeResponse(encodeError(0xa0), rpcCall('C_Login'), 2), { ok: false, rv: 0xa0 });
  });
});
