// The RPC server: version negotiation (0, 1, 2), unknown calls, malformed frames closing only
// their own connection, many clients at once, and random frames never bringing it down.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'node:net';
import fc from 'fast-check';
import { P11CallError, P11Client } from '../../src/pkcs11/client.js';
import { CKA, CKM, CKR } from '../../src/pkcs11/constants.js';
import { encodeFrame } from '../../src/pkcs11/rpc/frame.js';
import { decodeResponse } from '../../src/pkcs11/rpc/message.js';
import { rpcCall } from '../../src/pkcs11/rpc/calls.js';
import { WireWriter } from '../../src/pkcs11/rpc/wire.js';
import { initToken, P256, startTestToken, text, userSession, type TokenFixture } from './helpers.js';

let fx: TokenFixture;
before(async () => {
  fx = await startTestToken();
  await initToken(fx.socketPath);
});
after(async () => fx.cleanup());

/** Sends raw bytes on a fresh connection; resolves with what came back before the server closed or 300 ms passed. */
function rawExchange(socketPath: string, bytes: Uint8Array): Promise<{ data: Buffer; closed: boolean }> {
  return new Promise((resolve) => {
    const s = connect(socketPath);
    const chunks: Buffer[] = [];
    let closed = false;
    const timer = setTimeout(() => {
      s.destroy();
      resolve({ data: Buffer.concat(chunks), closed });
    }, 300);
    s.on('data', (c) => chunks.push(c));
    s.on('close', () => {
      closed = true;
      clearTimeout(timer);
      resolve({ data: Buffer.concat(chunks), closed });
    });
    s.on('error', () => undefined);
    s.write(bytes);
  });
}

describe('p11-kit RPC server', () => {
  it('listens on a socket with mode 0600', () => {
    assert.equal(statSync(fx.socketPath).mode & 0o777, 0o600);
  });

  it('negotiates versions 0, 1 and 2 (and answers 2 to a newer client); ECDSA works in each encoding', async () => {
    for (const offered of [0, 1, 2, 7]) {
      const { client, session } = await userSession(fx.socketPath, offered);
      try {
        assert.equal(client.version, Math.min(offered, 2));
        const [, priv] = await client.generateKeyPair(session, { type: CKM.EC_KEY_PAIR_GEN, param: null }, [{ type: CKA.EC_PARAMS, value: P256 }], []);
        const sig = await client.sign(session, { type: CKM.ECDSA, param: null }, priv, new Uint8Array(32).fill(1));
        assert.equal(sig.byteLength, 64);
      } finally {
        await client.close();
      }
    }
  });

  it('answers calls it does not implement with CKR_FUNCTION_NOT_SUPPORTED, and unknown call ids too', async () => {
    const c = await P11Client.connect({ socketPath: fx.socketPath });
    try {
      const s = await c.openSession(1, false);
      await assert.rejects(c.call('C_GetOperationState', [s, { present: false, capacity: 0 }]), (e) => e instanceof P11CallError && e.rv === CKR.FUNCTION_NOT_SUPPORTED);
      await assert.rejects(c.call('C_MessageEncryptFinal', [s]), (e) => e instanceof P11CallError && e.rv === CKR.FUNCTION_NOT_SUPPORTED);
      const unknown = await c.exchange(new WireWriter().u32(200).byteArray(text('u')).u64(1).finish());
      assert.deepEqual(decodeResponse(unknown, rpcCall('C_Finalize'), 2), { ok: false, rv: CKR.FUNCTION_NOT_SUPPORTED });
      // a body whose arguments do not parse: CKR_DEVICE_ERROR, as p11-kit answers, and the connection stays
      const truncated = await c.exchange(new WireWriter().u32(rpcCall('C_CloseSession').id).byteArray(text('u')).u32(1).finish());
      assert.deepEqual(decodeResponse(truncated, rpcCall('C_CloseSession'), 2), { ok: false, rv: CKR.DEVICE_ERROR });
      assert.deepEqual(await c.slots(), [1]);
    } finally {
      await c.close();
    }
  });

  it('closes a connection whose frame is malformed, and only that one', async () => {
    const good = await P11Client.connect({ socketPath: fx.socketPath });
    try {
      const before = fx.protocolErrors.length;
      const badSignature = encodeFrame(1, new WireWriter().u32(rpcCall('C_GetInfo').id).byteArray(text('zzz')).finish());
      const r1 = await rawExchange(fx.socketPath, Uint8Array.of(2, ...badSignature));
      assert.ok(r1.closed);
      assert.equal(r1.data.byteLength, 1, 'only the version byte came back');
      const oversized = new WireWriter().u32(1).u32(0).u32(0x7fffffff).finish();
      const r2 = await rawExchange(fx.socketPath, Uint8Array.of(2, ...oversized));
      assert.ok(r2.closed);
      assert.equal(fx.protocolErrors.length, before + 2);
      assert.deepEqual(await good.slots(), [1], 'the other connection goes on');
    } finally {
      await good.close();
    }
  });

  it('serves many clients at once', async () => {
    const clients = await Promise.all(Array.from({ length: 8 }, () => userSession(fx.socketPath)));
    try {
      await Promise.all(
        clients.map(async ({ client, session }) => {
          const [, priv] = await client.generateKeyPair(session, { type: CKM.EC_KEY_PAIR_GEN, param: null }, [{ type: CKA.EC_PARAMS, value: P256 }], []);
          for (let i = 0; i < 10; i++) assert.equal((await client.sign(session, { type: CKM.ECDSA_SHA256, param: null }, priv, text(`m${i}`))).byteLength, 64);
        }),
      );
      // sessions belong to their connection
      await assert.rejects(clients[0].client.call('C_GetSessionInfo', [clients[1].session]), (e) => e instanceof P11CallError && e.rv === CKR.SESSION_HANDLE_INVALID);
    } finally {
      await Promise.all(clients.map(({ client }) => client.close()));
    }
  });

  it('runs on the process backend too (the token in a confined child process)', async () => {
    const other = await startTestToken('process');
    try {
      await initToken(other.socketPath);
      const { client, session } = await userSession(other.socketPath);
      const [, priv] = await client.generateKeyPair(session, { type: CKM.EC_KEY_PAIR_GEN, param: null }, [{ type: CKA.EC_PARAMS, value: P256 }], []);
      assert.equal((await client.sign(session, { type: CKM.ECDSA_SHA256, param: null }, priv, text('process backend'))).byteLength, 64);
      await client.close();
    } finally {
      await other.cleanup();
    }
  });

  it('a tampered object blob is left out; a tampered token record fails closed (CKR_DEVICE_ERROR), never a fresh token', async () => {
    const other = await startTestToken();
    try {
      await initToken(other.socketPath);
      const { client, session } = await userSession(other.socketPath);
      for (const label of ['keep', 'tamper']) {
        await client.generateKey(session, { type: CKM.AES_KEY_GEN, param: null }, [{ type: CKA.CLASS, value: 4 }, { type: CKA.KEY_TYPE, value: 0x1f }, { type: CKA.VALUE_LEN, value: 32 }, { type: CKA.TOKEN, value: true }, { type: CKA.LABEL, value: text(label) }]);
      }
      await client.close();
      const objects = readdirSync(other.storeDir).filter((f) => f.startsWith('obj-'));
      assert.equal(objects.length, 2);
      const victim = join(other.storeDir, objects[0]);
      const blob = readFileSync(victim);
      blob[blob.byteLength - 1] ^= 1;
      writeFileSync(victim, blob);
      await other.restart();
      const again = await userSession(other.socketPath);
      await again.client.call('C_FindObjectsInit', [again.session, [{ type: CKA.CLASS, value: 4 }]]);
      const [found] = await again.client.call('C_FindObjects', [again.session, { present: true, capacity: 10 }]);
      assert.equal((found as number[]).length, 1, 'the intact object is still there');
      await again.client.close();

      const record = join(other.storeDir, 'token.sealed');
      const r = readFileSync(record);
      r[r.byteLength - 1] ^= 1;
      writeFileSync(record, r);
      await other.restart();
      const c = await P11Client.connect({ socketPath: other.socketPath }).catch((e: unknown) => e);
      assert.ok(c instanceof P11CallError && c.rv === CKR.DEVICE_ERROR, 'C_Initialize already fails closed');
    } finally {
      await other.cleanup();
    }
  });

  it('property: random frames never bring the server down', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 3 }), fc.array(fc.uint8Array({ maxLength: 120 }), { minLength: 1, maxLength: 3 }), fc.boolean(), async (version, bodies, wellFramed) => {
        const payload = wellFramed ? Buffer.concat(bodies.map((b, i) => encodeFrame(i, b))) : Buffer.concat(bodies);
        await rawExchange(fx.socketPath, Uint8Array.of(version, ...payload));
      }),
      { numRuns: 40 },
    );
    const c = await P11Client.connect({ socketPath: fx.socketPath });
    assert.deepEqual(await c.slots(), [1]);
    await c.close();
  });
});
