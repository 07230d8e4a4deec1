/**
 * The token: one slot, its sealed record, sessions per connection (a connection is one
 * PKCS#11 application), login state, and the object store. Every check throws `CkrError`;
 * the dispatcher turns that into the CK_RV of the answer.
 */
import { randomBytes } from 'node:crypto';
import { CKA, CKF, CKK, CKM, CKO, CKR, CKS, CKU } from '../constants.js';
import type { Attribute, AttributeRequest, AttributeResult, AttributeValue } from '../rpc/attributes.js';
import { valueLength } from '../rpc/attributes.js';
import type { Mechanism } from '../rpc/mechanism.js';
import { CkrError, fail } from './ckr-error.js';
import { generateEcPair, generateRsaPair, generateSecret, type AttrMap } from './keys.js';
import { MECHANISMS } from './mechanisms.js';
import { allowedAttributes, isSensitiveAttribute, matchesTemplate, READ_ONLY_AFTER_CREATION, TOKEN_DECIDED, TokenObject } from './objects.js';
import type { CipherOperation, DigestOperation, SignOperation } from './operations.js';
import { checkPin, makeVerifier, MAX_PIN, MAX_PIN_FAILURES, MIN_PIN } from './pin.js';
import { decodeObject, encodeObject, sealRecord, unsealRecord, type BlobStore } from './persistence.js';
import { decodeTokenRecord, encodeTokenRecord, newTokenRecord, type TokenRecord } from './token-record.js';

export const SLOT_ID = 1;

/** CKA_DESTROYABLE travels as a byte array in p11-kit (a one-byte CK_BBOOL). */
function isFalse(v: AttributeValue | undefined): boolean {
  return v === false || (v instanceof Uint8Array && v.byteLength === 1 && v[0] === 0);
}
const TOKEN_RECORD = 'token';

export interface Session {
  handle: number;
  conn: number;
  rw: boolean;
  find?: { handles: number[]; at: number };
  encrypt?: CipherOperation;
  decrypt?: CipherOperation;
  sign?: SignOperation;
  verify?: SignOperation;
  digest?: DigestOperation;
}

interface Application {
  login: 'user' | 'so' | null;
}

export interface TokenOptions {
  store: BlobStore;
  /** Accept PINs relayed by the host (the p11-kit socket): only for a token created local-only. */
  acceptHostPins: boolean;
}

export class Token {
  readonly #store: BlobStore;
  readonly #acceptHostPins: boolean;
  #record: TokenRecord | undefined;
  #loading: Promise<void> | undefined;
  #nextHandle = 1;
  readonly objects = new Map<number, TokenObject>();
  readonly sessions = new Map<number, Session>();
  readonly #apps = new Map<number, Application>();
  #saving: Promise<unknown> = Promise.resolve();

  /** Told about token objects whose sealed record does not unseal (they are left out). */
  onUnreadableObject?: (name: string) => void;

  constructor(options: TokenOptions) {
    this.#store = options.store;
    this.#acceptHostPins = options.acceptHostPins;
  }

  /** Loads the sealed record and token objects once. */
  ready(): Promise<void> {
    this.#loading ??= this.#load();
    return this.#loading;
  }

  async #load(): Promise<void> {
    let bytes: Uint8Array | null;
    try {
      bytes = await unsealRecord(this.#store, TOKEN_RECORD);
      this.#record = bytes ? decodeTokenRecord(bytes) : newTokenRecord(this.#acceptHostPins);
    } catch (error) {
      // fail closed: a token record that does not unseal is never replaced by a fresh one
      // (that would reset the PIN counters); every call answers CKR_DEVICE_ERROR until it is restored
      throw new CkrError(CKR.DEVICE_ERROR, `the sealed token record does not unseal: ${(error as Error).message}`);
    }
    for (const name of (await this.#store.list()).sort()) {
      if (!name.startsWith('obj-')) continue;
      let data: Uint8Array | null;
      try {
        data = await unsealRecord(this.#store, name);
      } catch {
        // a tampered object is left out; the host could have deleted it just as well
        this.onUnreadableObject?.(name);
        continue;
      }
      if (!data) continue;
      const attrs = new Map(decodeObject(data).map((a) => [a.type, a.value]));
      const handle = this.#nextHandle++;
      this.objects.set(handle, new TokenObject(handle, attrs, name, undefined));
    }
  }

  get record(): TokenRecord {
    return this.#record!;
  }

  /** Serializes writes of sealed records so a later state never lands before an earlier one. */
  #persist<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#saving.then(work, work);
    this.#saving = run.catch(() => undefined);
    return run;
  }

  #saveRecord(): Promise<void> {
    const snapshot = encodeTokenRecord(this.record);
    return this.#persist(() => sealRecord(this.#store, TOKEN_RECORD, snapshot));
  }

  // ------------------------------------------------------------ applications and sessions

  connect(conn: number): void {
    this.#apps.set(conn, { login: null });
  }

  disconnect(conn: number): void {
    for (const s of [...this.sessions.values()]) if (s.conn === conn) this.#closeSession(s);
    this.#apps.delete(conn);
  }

  app(conn: number): Application {
    const app = this.#apps.get(conn);
    if (!app) fail(CKR.CRYPTOKI_NOT_INITIALIZED);
    return app;
  }

  session(conn: number, handle: number): Session {
    this.app(conn);
    const s = this.sessions.get(handle);
    if (!s || s.conn !== conn) fail(CKR.SESSION_HANDLE_INVALID);
    return s;
  }

  checkSlot(slot: number): void {
    if (slot !== SLOT_ID) fail(CKR.SLOT_ID_INVALID);
  }

  sessionCount(rwOnly: boolean): number {
    let n = 0;
    for (const s of this.sessions.values()) if (!rwOnly || s.rw) n++;
    return n;
  }

  sessionState(s: Session): number {
    const login = this.app(s.conn).login;
    if (login === 'so') return CKS.RW_SO_FUNCTIONS;
    if (login === 'user') return s.rw ? CKS.RW_USER_FUNCTIONS : CKS.RO_USER_FUNCTIONS;
    return s.rw ? CKS.RW_PUBLIC_SESSION : CKS.RO_PUBLIC_SESSION;
  }

  openSession(conn: number, slot: number, flags: number): number {
    this.app(conn);
    this.checkSlot(slot);
    if (!(flags & CKF.SERIAL_SESSION)) fail(CKR.SESSION_PARALLEL_NOT_SUPPORTED);
    if (!this.record.initialized) fail(CKR.TOKEN_NOT_RECOGNIZED, 'initialize the token first (C_InitToken)');
    const rw = (flags & CKF.RW_SESSION) !== 0;
    if (!rw && this.app(conn).login === 'so') fail(CKR.SESSION_READ_WRITE_SO_EXISTS);
    const handle = this.#nextHandle++;
    this.sessions.set(handle, { handle, conn, rw });
    return handle;
  }

  closeSession(conn: number, handle: number): void {
    this.#closeSession(this.session(conn, handle));
  }

  closeAllSessions(conn: number, slot: number): void {
    this.app(conn);
    this.checkSlot(slot);
    for (const s of [...this.sessions.values()]) if (s.conn === conn) this.#closeSession(s);
  }

  #closeSession(s: Session): void {
    this.sessions.delete(s.handle);
    const rest = [...this.sessions.values()].some((o) => o.conn === s.conn);
    if (!rest) {
      // the last session of an application: it is logged out and its session objects die
      const app = this.#apps.get(s.conn);
      if (app) app.login = null;
      for (const [h, o] of this.objects) if (!o.isToken && o.owner === s.conn) this.objects.delete(h);
    }
  }

  // ------------------------------------------------------------ PINs

  #hostPinsAllowed(): void {
    if (!this.#acceptHostPins || !this.record.localOnly) {
      fail(CKR.FUNCTION_NOT_SUPPORTED, 'this token takes PINs only through the secure channel, not from the host');
    }
  }

  static #checkPinLength(pin: Uint8Array): void {
    if (pin.byteLength < MIN_PIN || pin.byteLength > MAX_PIN) fail(CKR.PIN_LEN_RANGE);
  }

  /** Checks a PIN against a verifier, counting failures (sealed before the answer) and locking. */
  async #verify(role: 'so' | 'user', pin: Uint8Array): Promise<void> {
    const r = this.record;
    const verifier = role === 'so' ? r.so : r.user;
    const failures = role === 'so' ? r.soFailures : r.userFailures;
    if (!verifier) fail(role === 'so' ? CKR.PIN_INCORRECT : CKR.USER_PIN_NOT_INITIALIZED);
    if (failures >= MAX_PIN_FAILURES) fail(CKR.PIN_LOCKED);
    if (checkPin(pin, verifier)) {
      if (failures !== 0) {
        if (role === 'so') r.soFailures = 0;
        else r.userFailures = 0;
        await this.#saveRecord();
      }
      return;
    }
    if (role === 'so') r.soFailures++;
    else r.userFailures++;
    await this.#saveRecord();
    fail((role === 'so' ? r.soFailures : r.userFailures) >= MAX_PIN_FAILURES ? CKR.PIN_LOCKED : CKR.PIN_INCORRECT);
  }

  async initToken(conn: number, slot: number, pin: Uint8Array | null, label: Uint8Array): Promise<void> {
    this.app(conn);
    this.checkSlot(slot);
    this.#hostPinsAllowed();
    if (!pin) fail(CKR.ARGUMENTS_BAD);
    Token.#checkPinLength(pin);
    if (this.sessions.size > 0) fail(CKR.SESSION_EXISTS);
    const r = this.record;
    if (r.initialized) await this.#verify('so', pin);
    for (const [h, o] of this.objects) {
      if (o.storeName) await this.#persist(() => this.#store.remove(o.storeName!));
      this.objects.delete(h);
    }
    r.label = new TextDecoder().decode(label.subarray(0, 32)).replace(/[\s\0]+$/, '');
    r.initialized = true;
    r.so = makeVerifier(pin);
    r.user = undefined;
    r.soFailures = 0;
    r.userFailures = 0;
    await this.#saveRecord();
  }

  async initPin(conn: number, handle: number, pin: Uint8Array | null): Promise<void> {
    const s = this.session(conn, handle);
    this.#hostPinsAllowed();
    if (this.app(conn).login !== 'so') fail(CKR.USER_NOT_LOGGED_IN);
    if (!s.rw) fail(CKR.SESSION_READ_ONLY);
    if (!pin) fail(CKR.ARGUMENTS_BAD);
    Token.#checkPinLength(pin);
    this.record.user = makeVerifier(pin);
    this.record.userFailures = 0;
    await this.#saveRecord();
  }

  async setPin(conn: number, handle: number, oldPin: Uint8Array | null, newPin: Uint8Array | null): Promise<void> {
    const s = this.session(conn, handle);
    this.#hostPinsAllowed();
    if (!oldPin || !newPin) fail(CKR.ARGUMENTS_BAD);
    if (!s.rw) fail(CKR.SESSION_READ_ONLY);
    const role = this.app(conn).login === 'so' ? 'so' : 'user';
    Token.#checkPinLength(newPin);
    await this.#verify(role, oldPin);
    if (role === 'so') this.record.so = makeVerifier(newPin);
    else this.record.user = makeVerifier(newPin);
    await this.#saveRecord();
  }

  async login(conn: number, handle: number, userType: number, pin: Uint8Array | null): Promise<void> {
    this.session(conn, handle);
    this.#hostPinsAllowed();
    const app = this.app(conn);
    if (!pin) fail(CKR.ARGUMENTS_BAD);
    if (userType === CKU.CONTEXT_SPECIFIC) {
      if (app.login !== 'user') fail(CKR.USER_NOT_LOGGED_IN);
      await this.#verify('user', pin);
      return;
    }
    if (userType !== CKU.SO && userType !== CKU.USER) fail(CKR.USER_TYPE_INVALID);
    const role = userType === CKU.SO ? 'so' : 'user';
    if (app.login === role) fail(CKR.USER_ALREADY_LOGGED_IN);
    if (app.login !== null) fail(CKR.USER_ANOTHER_ALREADY_LOGGED_IN);
    if (role === 'so' && [...this.sessions.values()].some((s) => s.conn === conn && !s.rw)) fail(CKR.SESSION_READ_ONLY_EXISTS);
    if (role === 'user' && !this.record.user) fail(CKR.USER_PIN_NOT_INITIALIZED);
    await this.#verify(role, pin);
    app.login = role;
  }

  logout(conn: number, handle: number): void {
    const s = this.session(conn, handle);
    const app = this.app(s.conn);
    if (app.login === null) fail(CKR.USER_NOT_LOGGED_IN);
    app.login = null;
  }

  tokenFlags(): number {
    const r = this.record;
    let flags = CKF.RNG | CKF.LOGIN_REQUIRED | CKF.RESTORE_KEY_NOT_NEEDED;
    if (r.initialized) flags |= CKF.TOKEN_INITIALIZED;
    if (r.user) flags |= CKF.USER_PIN_INITIALIZED;
    if (r.userFailures > 0) flags |= CKF.USER_PIN_COUNT_LOW;
    if (r.userFailures === MAX_PIN_FAILURES - 1) flags |= CKF.USER_PIN_FINAL_TRY;
    if (r.userFailures >= MAX_PIN_FAILURES) flags |= CKF.USER_PIN_LOCKED;
    if (r.soFailures > 0) flags |= CKF.SO_PIN_COUNT_LOW;
    if (r.soFailures === MAX_PIN_FAILURES - 1) flags |= CKF.SO_PIN_FINAL_TRY;
    if (r.soFailures >= MAX_PIN_FAILURES) flags |= CKF.SO_PIN_LOCKED;
    return flags;
  }

  // ------------------------------------------------------------ objects

  /** An object this session may see (private objects only while the user is logged in). */
  object(s: Session, handle: number, invalid: number = CKR.OBJECT_HANDLE_INVALID): TokenObject {
    const o = this.objects.get(handle);
    if (!o || !this.#visible(s.conn, o)) fail(invalid);
    return o;
  }

  #visible(conn: number, o: TokenObject): boolean {
    if (!o.isToken && o.owner !== conn) return false;
    return !o.isPrivate || this.app(conn).login === 'user';
  }

  #checkWrite(s: Session, isToken: boolean, isPrivate: boolean): void {
    const login = this.app(s.conn).login;
    if (isToken && !s.rw) fail(CKR.SESSION_READ_ONLY);
    if (isPrivate && login !== 'user') fail(CKR.USER_NOT_LOGGED_IN);
  }

  /**
   * Builds an object from template attributes plus defaults, checks them against the class,
   * stores it (sealed, for token objects) and returns its handle.
   */
  async addObject(s: Session, template: readonly Attribute[], material: AttrMap, defaults: AttrMap, decided: AttrMap): Promise<number> {
    const attrs: AttrMap = new Map(defaults);
    for (const a of template) {
      if (TOKEN_DECIDED.has(a.type)) fail(CKR.ATTRIBUTE_READ_ONLY, `attribute 0x${a.type.toString(16)} is set by the token`);
      attrs.set(a.type, a.value);
    }
    for (const [t, v] of material) attrs.set(t, v);
    for (const [t, v] of decided) attrs.set(t, v);
    const cls = attrs.get(CKA.CLASS);
    if (typeof cls !== 'number') fail(CKR.TEMPLATE_INCOMPLETE, 'CKA_CLASS is missing');
    const allowed = allowedAttributes(cls, attrs.get(CKA.KEY_TYPE) as number | undefined);
    for (const t of attrs.keys()) if (!allowed.has(t)) fail(CKR.ATTRIBUTE_TYPE_INVALID, `attribute 0x${t.toString(16)} does not belong to this object class`);
    const isToken = attrs.get(CKA.TOKEN) === true;
    this.#checkWrite(s, isToken, attrs.get(CKA.PRIVATE) === true);
    const handle = this.#nextHandle++;
    const storeName = isToken ? `obj-${randomBytes(8).toString('hex')}` : undefined;
    const obj = new TokenObject(handle, attrs, storeName, isToken ? undefined : s.conn);
    if (storeName) await this.#persist(() => sealRecord(this.#store, storeName, encodeObject(obj.toAttributes())));
    this.objects.set(handle, obj);
    return handle;
  }

  async saveObject(obj: TokenObject): Promise<void> {
    if (obj.storeName) await this.#persist(() => sealRecord(this.#store, obj.storeName!, encodeObject(obj.toAttributes())));
  }

  async destroyObject(conn: number, sh: number, oh: number): Promise<void> {
    const s = this.session(conn, sh);
    const o = this.object(s, oh);
    this.#checkWrite(s, o.isToken, o.isPrivate);
    if (isFalse(o.attrs.get(CKA.DESTROYABLE))) fail(CKR.ACTION_PROHIBITED);
    if (o.storeName) await this.#persist(() => this.#store.remove(o.storeName!));
    this.objects.delete(oh);
  }

  getAttributeValue(conn: number, sh: number, oh: number, requests: readonly AttributeRequest[]): { results: AttributeResult[]; rv: number } {
    const s = this.session(conn, sh);
    const o = this.object(s, oh);
    let rv: number = CKR.OK;
    const worse = (code: number) => {
      const rank = (c: number) => (c === CKR.ATTRIBUTE_SENSITIVE ? 3 : c === CKR.ATTRIBUTE_TYPE_INVALID ? 2 : c === CKR.BUFFER_TOO_SMALL ? 1 : 0);
      if (rank(code) > rank(rv)) rv = code;
    };
    const hiddenPoint = o.cls === CKO.PRIVATE_KEY && (o.keyType === CKK.EC || o.keyType === CKK.EC_EDWARDS);
    const results = requests.map(({ type, capacity }): AttributeResult => {
      const value = hiddenPoint && type === CKA.EC_POINT ? undefined : o.attrs.get(type);
      if (value === undefined) {
        worse(CKR.ATTRIBUTE_TYPE_INVALID);
        return { type, length: -1 };
      }
      if (isSensitiveAttribute(o, type)) {
        worse(CKR.ATTRIBUTE_SENSITIVE);
        return { type, length: -1 };
      }
      const length = valueLength(type, value);
      if (capacity === 0) return { type, length };
      if (capacity < length) {
        worse(CKR.BUFFER_TOO_SMALL);
        return { type, length: -1 };
      }
      return { type, length, value };
    });
    return { results, rv };
  }

  async setAttributeValue(conn: number, sh: number, oh: number, template: readonly Attribute[]): Promise<void> {
    const s = this.session(conn, sh);
    const o = this.object(s, oh);
    this.#checkWrite(s, o.isToken, o.isPrivate);
    if (o.attrs.get(CKA.MODIFIABLE) === false) fail(CKR.ACTION_PROHIBITED);
    const allowed = allowedAttributes(o.cls, o.keyType);
    const next = new Map(o.attrs);
    for (const a of template) {
      if (!allowed.has(a.type)) fail(CKR.ATTRIBUTE_TYPE_INVALID);
      if (READ_ONLY_AFTER_CREATION.has(a.type)) fail(CKR.ATTRIBUTE_READ_ONLY);
      if (a.type === CKA.SENSITIVE && o.bool(CKA.SENSITIVE) && a.value !== true) fail(CKR.ATTRIBUTE_READ_ONLY, 'CKA_SENSITIVE cannot be turned off');
      if (a.type === CKA.EXTRACTABLE && !o.bool(CKA.EXTRACTABLE) && a.value !== false) fail(CKR.ATTRIBUTE_READ_ONLY, 'CKA_EXTRACTABLE cannot be turned back on');
      next.set(a.type, a.value);
    }
    for (const [t, v] of next) o.attrs.set(t, v);
    if (next.get(CKA.SENSITIVE) === false) o.attrs.set(CKA.ALWAYS_SENSITIVE, o.attrs.get(CKA.ALWAYS_SENSITIVE) === true);
    await this.saveObject(o);
  }

  findInit(conn: number, sh: number, template: readonly Attribute[]): void {
    const s = this.session(conn, sh);
    if (s.find) fail(CKR.OPERATION_ACTIVE);
    const handles = [...this.objects.values()].filter((o) => this.#visible(conn, o) && matchesTemplate(o, template)).map((o) => o.handle);
    s.find = { handles, at: 0 };
  }

  find(conn: number, sh: number, max: number): number[] {
    const s = this.session(conn, sh);
    if (!s.find) fail(CKR.OPERATION_NOT_INITIALIZED);
    const out = s.find.handles.slice(s.find.at, s.find.at + max);
    s.find.at += out.length;
    return out;
  }

  findFinal(conn: number, sh: number): void {
    const s = this.session(conn, sh);
    if (!s.find) fail(CKR.OPERATION_NOT_INITIALIZED);
    s.find = undefined;
  }

  // ------------------------------------------------------------ key generation

  async generateKey(conn: number, sh: number, m: Mechanism, template: readonly Attribute[]): Promise<number> {
    const s = this.session(conn, sh);
    const t = new Map(template.map((a) => [a.type, a.value]));
    let keyType: number;
    if (m.type === CKM.AES_KEY_GEN) keyType = CKK.AES;
    else if (m.type === CKM.GENERIC_SECRET_KEY_GEN) keyType = CKK.GENERIC_SECRET;
    else fail(CKR.MECHANISM_INVALID);
    if (t.has(CKA.CLASS) && t.get(CKA.CLASS) !== CKO.SECRET_KEY) fail(CKR.TEMPLATE_INCONSISTENT);
    if (t.has(CKA.KEY_TYPE) && t.get(CKA.KEY_TYPE) !== keyType) fail(CKR.TEMPLATE_INCONSISTENT);
    if (t.has(CKA.VALUE)) fail(CKR.TEMPLATE_INCONSISTENT, 'the token makes CKA_VALUE');
    const length = t.get(CKA.VALUE_LEN) as number | undefined;
    const value = generateSecret(keyType, length);
    return this.addObject(s, template, new Map<number, AttributeValue>([[CKA.VALUE, value], [CKA.VALUE_LEN, value.byteLength]]), secretDefaults(keyType), localKey(m.type, t));
  }

  async generateKeyPair(conn: number, sh: number, m: Mechanism, pubTemplate: readonly Attribute[], privTemplate: readonly Attribute[]): Promise<[number, number]> {
    const s = this.session(conn, sh);
    const pt = new Map(pubTemplate.map((a) => [a.type, a.value]));
    const vt = new Map(privTemplate.map((a) => [a.type, a.value]));
    this.#checkWrite(s, pt.get(CKA.TOKEN) === true, pt.get(CKA.PRIVATE) === true);
    this.#checkWrite(s, vt.get(CKA.TOKEN) === true, vt.get(CKA.PRIVATE) !== false);
    let pair: { pub: AttrMap; priv: AttrMap };
    let keyType: number;
    if (m.type === CKM.EC_KEY_PAIR_GEN || m.type === CKM.EC_EDWARDS_KEY_PAIR_GEN) {
      const params = pt.get(CKA.EC_PARAMS) ?? vt.get(CKA.EC_PARAMS);
      if (!(params instanceof Uint8Array)) fail(CKR.TEMPLATE_INCOMPLETE, 'CKA_EC_PARAMS is missing');
      keyType = m.type === CKM.EC_KEY_PAIR_GEN ? CKK.EC : CKK.EC_EDWARDS;
      pair = generateEcPair(params, keyType === CKK.EC_EDWARDS);
    } else if (m.type === CKM.RSA_PKCS_KEY_PAIR_GEN) {
      const bits = pt.get(CKA.MODULUS_BITS);
      if (typeof bits !== 'number') fail(CKR.TEMPLATE_INCOMPLETE, 'CKA_MODULUS_BITS is missing');
      keyType = CKK.RSA;
      pair = generateRsaPair(bits, pt.get(CKA.PUBLIC_EXPONENT) as Uint8Array | undefined);
    } else fail(CKR.MECHANISM_INVALID);
    for (const [tpl, cls] of [[pt, CKO.PUBLIC_KEY], [vt, CKO.PRIVATE_KEY]] as const) {
      if (tpl.has(CKA.CLASS) && tpl.get(CKA.CLASS) !== cls) fail(CKR.TEMPLATE_INCONSISTENT);
      if (tpl.has(CKA.KEY_TYPE) && tpl.get(CKA.KEY_TYPE) !== keyType) fail(CKR.TEMPLATE_INCONSISTENT);
    }
    const pubAttrs = pubTemplate.filter((a) => a.type !== CKA.EC_PARAMS && a.type !== CKA.PUBLIC_EXPONENT);
    const privAttrs = privTemplate.filter((a) => a.type !== CKA.EC_PARAMS);
    const pub = await this.addObject(s, pubAttrs, pair.pub, publicDefaults(), localKey(m.type, pt, false));
    try {
      const priv = await this.addObject(s, privAttrs, pair.priv, privateDefaults(), localKey(m.type, vt));
      return [pub, priv];
    } catch (error) {
      await this.destroyObject(conn, sh, pub).catch(() => undefined);
      throw error;
    }
  }
}

function secretDefaults(keyType: number): AttrMap {
  return new Map<number, AttributeValue>([
    [CKA.CLASS, CKO.SECRET_KEY], [CKA.KEY_TYPE, keyType], [CKA.TOKEN, false], [CKA.PRIVATE, true], [CKA.MODIFIABLE, true],
    [CKA.COPYABLE, true], [CKA.LABEL, new Uint8Array(0)], [CKA.ID, new Uint8Array(0)], [CKA.DERIVE, false],
    [CKA.SENSITIVE, true], [CKA.EXTRACTABLE, false], [CKA.ENCRYPT, true], [CKA.DECRYPT, true], [CKA.SIGN, true], [CKA.VERIFY, true],
    [CKA.WRAP, true], [CKA.UNWRAP, true], [CKA.TRUSTED, false], [CKA.WRAP_WITH_TRUSTED, false], [CKA.START_DATE, new Uint8Array(0)],
    [CKA.END_DATE, new Uint8Array(0)],
  ]);
}

function publicDefaults(): AttrMap {
  return new Map<number, AttributeValue>([
    [CKA.CLASS, CKO.PUBLIC_KEY], [CKA.TOKEN, false], [CKA.PRIVATE, false], [CKA.MODIFIABLE, true], [CKA.COPYABLE, true],
    [CKA.LABEL, new Uint8Array(0)], [CKA.ID, new Uint8Array(0)], [CKA.DERIVE, false], [CKA.ENCRYPT, true],
    [CKA.VERIFY, true], [CKA.VERIFY_RECOVER, false], [CKA.WRAP, true], [CKA.TRUSTED, false], [CKA.SUBJECT, new Uint8Array(0)],
    [CKA.START_DATE, new Uint8Array(0)], [CKA.END_DATE, new Uint8Array(0)],
  ]);
}

function privateDefaults(): AttrMap {
  return new Map<number, AttributeValue>([
    [CKA.CLASS, CKO.PRIVATE_KEY], [CKA.TOKEN, false], [CKA.PRIVATE, true], [CKA.MODIFIABLE, true], [CKA.COPYABLE, true],
    [CKA.LABEL, new Uint8Array(0)], [CKA.ID, new Uint8Array(0)], [CKA.DERIVE, false], [CKA.SENSITIVE, true],
    [CKA.EXTRACTABLE, false], [CKA.DECRYPT, true], [CKA.SIGN, true], [CKA.SIGN_RECOVER, false], [CKA.UNWRAP, true],
    [CKA.WRAP_WITH_TRUSTED, false], [CKA.ALWAYS_AUTHENTICATE, false], [CKA.SUBJECT, new Uint8Array(0)],
    [CKA.START_DATE, new Uint8Array(0)], [CKA.END_DATE, new Uint8Array(0)],
  ]);
}

/** What the token records about a key it generated itself. */
function localKey(mechanism: number, template: Map<number, AttributeValue>, secretOrPrivate = true): AttrMap {
  const out = new Map<number, AttributeValue>([[CKA.LOCAL, true], [CKA.KEY_GEN_MECHANISM, mechanism]]);
  if (secretOrPrivate) {
    out.set(CKA.ALWAYS_SENSITIVE, template.get(CKA.SENSITIVE) !== false);
    out.set(CKA.NEVER_EXTRACTABLE, template.get(CKA.EXTRACTABLE) !== true);
  }
  return out;
}

export { CkrError, secretDefaults, publicDefaults, privateDefaults };
