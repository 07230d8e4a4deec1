/**
 * The RPC service inside the enclave: decodes a request body, runs the call on the token and
 * encodes the answer. Every failure becomes a CK_RV in the answer (an ERROR message); a frame
 * whose header is wrong asks the host to close that connection.
 */
import { CKF, CKR } from '../constants.js';
import type { Attribute, AttributeRequest } from '../rpc/attributes.js';
import { RPC_HANDSHAKE, rpcCall, type RpcCall } from '../rpc/calls.js';
import type { Mechanism } from '../rpc/mechanism.js';
import { decodeRequest, encodeError, encodeResponse, RpcFramingError, RpcUnknownCallError, type OutBuffer, type RpcArg } from '../rpc/message.js';
import { RpcDecodeError } from '../rpc/wire.js';
import { CkrError, fail } from './ckr-error.js';
import { MECHANISMS } from './mechanisms.js';
import { SLOT_ID, Token } from './token.js';
import * as crypto from './token-crypto.js';

export type HandleResult = { response: Uint8Array } | { close: string };

const pad = (s: string, n: number) => new TextEncoder().encode(s.padEnd(n, ' ').slice(0, n));
const VERSION_0_1: readonly [number, number] = [0, 1];
const MANUFACTURER = pad('secGear', 32);

type Handler = (token: Token, conn: number, a: RpcArg[]) => RpcArg[] | Promise<RpcArg[]>;

const u = (a: RpcArg) => a as number;
const bytes = (a: RpcArg) => a as Uint8Array | null;
const buf = (a: RpcArg) => a as OutBuffer;
const attrs = (a: RpcArg) => a as Attribute[];
const mech = (a: RpcArg) => a as Mechanism | null;
const required = (m: Mechanism | null): Mechanism => m ?? fail(CKR.MECHANISM_INVALID);

const HANDLERS: Record<string, Handler> = {
  C_Finalize: (t, c) => {
    t.disconnect(c);
    return [];
  },
  C_GetInfo: () => [[2, 40], MANUFACTURER, 0, pad('secGear enclave PKCS#11 token', 32), VERSION_0_1],
  C_GetSlotList: (t, c, [, out]) => {
    t.app(c);
    const slots = [SLOT_ID];
    const b = buf(out);
    return [b.present && b.capacity >= slots.length ? slots : { lengthOnly: slots.length }];
  },
  C_GetSlotInfo: (t, c, [slot]) => {
    t.app(c);
    t.checkSlot(u(slot));
    return [pad('secGear enclave slot', 64), MANUFACTURER, CKF.TOKEN_PRESENT, VERSION_0_1, VERSION_0_1];
  },
  C_GetTokenInfo: (t, c, [slot]) => {
    t.app(c);
    t.checkSlot(u(slot));
    const r = t.record;
    return [
      pad(r.label, 32), MANUFACTURER, pad('enclave', 16), pad(r.serial, 16), t.tokenFlags(),
      0, t.sessionCount(false), 0, t.sessionCount(true), 64, 4, -1, -1, -1, -1, VERSION_0_1, VERSION_0_1, pad('', 16),
    ];
  },
  C_GetMechanismList: (t, c, [slot, out]) => {
    t.app(c);
    t.checkSlot(u(slot));
    const list = [...MECHANISMS.keys()];
    const b = buf(out);
    return [b.present && b.capacity >= list.length ? list : { lengthOnly: list.length }];
  },
  C_GetMechanismInfo: (t, c, [slot, type]) => {
    t.app(c);
    t.checkSlot(u(slot));
    const info = MECHANISMS.get(u(type)) ?? fail(CKR.MECHANISM_INVALID);
    return [info.min, info.max, info.flags];
  },
  C_InitToken: async (t, c, [slot, pin, label]) => (await t.initToken(c, u(slot), bytes(pin), bytes(label)!), []),
  C_InitToken2: async (t, c, [slot, pin, label]) => (await t.initToken(c, u(slot), bytes(pin), bytes(label)!), []),
  C_OpenSession: (t, c, [slot, flags]) => [t.openSession(c, u(slot), u(flags))],
  C_CloseSession: (t, c, [s]) => (t.closeSession(c, u(s)), []),
  C_CloseAllSessions: (t, c, [slot]) => (t.closeAllSessions(c, u(slot)), []),
  C_GetSessionInfo: (t, c, [sh]) => {
    const s = t.session(c, u(sh));
    return [SLOT_ID, t.sessionState(s), CKF.SERIAL_SESSION | (s.rw ? CKF.RW_SESSION : 0), 0];
  },
  C_InitPIN: async (t, c, [s, pin]) => (await t.initPin(c, u(s), bytes(pin)), []),
  C_SetPIN: async (t, c, [s, oldPin, newPin]) => (await t.setPin(c, u(s), bytes(oldPin), bytes(newPin)), []),
  C_Login: async (t, c, [s, userType, pin]) => (await t.login(c, u(s), u(userType), bytes(pin)), []),
  C_Logout: (t, c, [s]) => (t.logout(c, u(s)), []),
  C_CreateObject: async (t, c, [s, tpl]) => [await crypto.createObject(t, c, u(s), attrs(tpl))],
  C_CopyObject: async (t, c, [s, o, tpl]) => [await crypto.copyObject(t, c, u(s), u(o), attrs(tpl))],
  C_DestroyObject: async (t, c, [s, o]) => (await t.destroyObject(c, u(s), u(o)), []),
  C_GetObjectSize: (t, c, [s, o]) => {
    t.object(t.session(c, u(s)), u(o));
    fail(CKR.FUNCTION_NOT_SUPPORTED);
  },
  C_GetAttributeValue: (t, c, [s, o, requests]) => {
    const { results, rv } = t.getAttributeValue(c, u(s), u(o), requests as AttributeRequest[]);
    return [results, rv];
  },
  C_SetAttributeValue: async (t, c, [s, o, tpl]) => (await t.setAttributeValue(c, u(s), u(o), attrs(tpl)), []),
  C_FindObjectsInit: (t, c, [s, tpl]) => (t.findInit(c, u(s), attrs(tpl)), []),
  C_FindObjects: (t, c, [s, out]) => [t.find(c, u(s), buf(out).capacity)],
  C_FindObjectsFinal: (t, c, [s]) => (t.findFinal(c, u(s)), []),
  C_EncryptInit: (t, c, [s, m, k]) => (crypto.cipherInit(t, c, u(s), mech(m), u(k), true), []),
  C_Encrypt: (t, c, [s, d, out]) => [crypto.cipherOneShot(t, c, u(s), bytes(d), buf(out), true)],
  C_EncryptUpdate: (t, c, [s, d, out]) => [crypto.cipherUpdate(t, c, u(s), bytes(d), buf(out), true)],
  C_EncryptFinal: (t, c, [s, out]) => [crypto.cipherFinal(t, c, u(s), buf(out), true)],
  C_DecryptInit: (t, c, [s, m, k]) => (crypto.cipherInit(t, c, u(s), mech(m), u(k), false), []),
  C_Decrypt: (t, c, [s, d, out]) => [crypto.cipherOneShot(t, c, u(s), bytes(d), buf(out), false)],
  C_DecryptUpdate: (t, c, [s, d, out]) => [crypto.cipherUpdate(t, c, u(s), bytes(d), buf(out), false)],
  C_DecryptFinal: (t, c, [s, out]) => [crypto.cipherFinal(t, c, u(s), buf(out), false)],
  C_DigestInit: (t, c, [s, m]) => (crypto.digestInit(t, c, u(s), mech(m)), []),
  C_Digest: (t, c, [s, d, out]) => [crypto.digest(t, c, u(s), bytes(d), buf(out), false)],
  C_DigestUpdate: (t, c, [s, d]) => (crypto.digestUpdate(t, c, u(s), bytes(d)), []),
  C_DigestKey: (t, c, [s, k]) => (crypto.digestKey(t, c, u(s), u(k)), []),
  C_DigestFinal: (t, c, [s, out]) => [crypto.digest(t, c, u(s), null, buf(out), true)],
  C_SignInit: (t, c, [s, m, k]) => (crypto.signInit(t, c, u(s), mech(m), u(k), false), []),
  C_Sign: (t, c, [s, d, out]) => [crypto.sign(t, c, u(s), bytes(d), buf(out), false)],
  C_SignUpdate: (t, c, [s, d]) => (crypto.signUpdate(t, c, u(s), bytes(d), false), []),
  C_SignFinal: (t, c, [s, out]) => [crypto.sign(t, c, u(s), null, buf(out), true)],
  C_VerifyInit: (t, c, [s, m, k]) => (crypto.signInit(t, c, u(s), mech(m), u(k), true), []),
  C_Verify: (t, c, [s, d, sig]) => (crypto.verifyCall(t, c, u(s), bytes(d), bytes(sig), false), []),
  C_VerifyUpdate: (t, c, [s, d]) => (crypto.signUpdate(t, c, u(s), bytes(d), true), []),
  C_VerifyFinal: (t, c, [s, sig]) => (crypto.verifyCall(t, c, u(s), null, bytes(sig), true), []),
  C_GenerateKey: async (t, c, [s, m, tpl]) => [await t.generateKey(c, u(s), required(mech(m)), attrs(tpl))],
  C_GenerateKeyPair: async (t, c, [s, m, pub, priv]) => await t.generateKeyPair(c, u(s), required(mech(m)), attrs(pub), attrs(priv)),
  C_WrapKey: (t, c, [s, m, wk, k, out]) => [crypto.wrapKey(t, c, u(s), required(mech(m)), u(wk), u(k), buf(out))],
  C_UnwrapKey: async (t, c, [s, m, uk, wrapped, tpl]) => [await crypto.unwrapKey(t, c, u(s), required(mech(m)), u(uk), bytes(wrapped), attrs(tpl))],
  C_DeriveKey: async (t, c, [s, m, base, tpl]) => [await crypto.deriveKey(t, c, u(s), required(mech(m)), u(base), attrs(tpl))],
  // version 2: the CK_RV, the mechanism's parameter update (ECDH1 returns none: presence byte only), the key
  C_DeriveKey2: async (t, c, [s, m, base, tpl]) => {
    const handle = await crypto.deriveKey(t, c, u(s), required(mech(m)), u(base), attrs(tpl));
    return [CKR.OK, mech(m)?.param ? 1 : 0, handle];
  },
  C_SeedRandom: (t, c, [s]) => {
    // accepted and ignored: the enclave's generator is not reseeded by its host
    t.session(c, u(s));
    return [];
  },
  C_GenerateRandom: (t, c, [s, out]) => [crypto.generateRandom(t, c, u(s), buf(out))],
};

/** One token, many connections: what the enclave's ecalls call. */
export class TokenService {
  readonly #connections = new Set<number>();

  constructor(
    readonly token: Token,
    readonly onInternalError?: (call: string, error: unknown) => void,
    /** Each refused call with the token's reason (debug logging; reasons never carry key material). */
    readonly onRefused?: (call: string, error: CkrError) => void,
  ) {}

  async handle(conn: number, version: number, body: Uint8Array): Promise<HandleResult> {
    let call: RpcCall;
    let args: RpcArg[];
    try {
      ({ call, args } = decodeRequest(body, version));
    } catch (error) {
      if (error instanceof RpcFramingError) return { close: error.message };
      if (error instanceof RpcUnknownCallError) return { response: encodeError(CKR.FUNCTION_NOT_SUPPORTED) };
      if (error instanceof RpcDecodeError) return { response: encodeError(CKR.DEVICE_ERROR) };
      throw error;
    }
    try {
      await this.token.ready();
      if (call.name === 'C_Initialize') return { response: this.#initialize(conn, call, args) };
      if (!this.#connections.has(conn)) fail(CKR.CRYPTOKI_NOT_INITIALIZED);
      const handler = HANDLERS[call.name];
      if (!handler) fail(CKR.FUNCTION_NOT_SUPPORTED);
      const values = await handler(this.token, conn, args);
      if (call.name === 'C_Finalize') this.#connections.delete(conn);
      return { response: encodeResponse(call, values, version) };
    } catch (error) {
      if (error instanceof CkrError) {
        this.onRefused?.(call.name, error);
        return { response: encodeError(error.rv) };
      }
      // anything else is a fault of ours: the client gets a generic failure; the host log gets the call name and message only
      this.onInternalError?.(call.name, error);
      return { response: encodeError(CKR.GENERAL_ERROR) };
    }
  }

  #initialize(conn: number, call: RpcCall, [handshake]: RpcArg[]): Uint8Array {
    const h = bytes(handshake);
    if (!h || h.byteLength !== RPC_HANDSHAKE.byteLength || !h.every((b, i) => b === RPC_HANDSHAKE[i])) fail(CKR.GENERAL_ERROR, 'bad handshake');
    if (this.#connections.has(conn)) fail(CKR.CRYPTOKI_ALREADY_INITIALIZED);
    this.#connections.add(conn);
    this.token.connect(conn);
    return encodeResponse(call, [], 0);
  }

  disconnect(conn: number): void {
    this.#connections.delete(conn);
    this.token.disconnect(conn);
  }
}

export { rpcCall };
