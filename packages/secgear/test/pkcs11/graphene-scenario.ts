// A fixed sequence of PKCS#11 calls through graphene-pk11 and p11-kit-client.so, run in a child
// process (graphene's calls are synchronous, and each server gets a fresh p11-kit client). It
// prints one JSON object: the CK_RV of every step, plus artefacts the caller verifies (a public
// key and a signature). Used by clients.test.ts and the SoftHSM differential test.
import { createRequire } from 'node:module';
import { createHash } from 'node:crypto';

type Graphene = typeof import('graphene-pk11');
const graphene = createRequire(import.meta.url)('graphene-pk11') as Graphene;
const [modulePath, pin, soPin] = process.argv.slice(2);

const steps: Array<[string, number]> = [];
function step<T>(name: string, run: () => T): T | undefined {
  try {
    const value = run();
    steps.push([name, 0]);
    return value;
  } catch (error) {
    // pkcs11js reports "CKR_NAME:number" in the message (and `code` in newer versions)
    const code = (error as { code?: number }).code ?? Number(/:(\d+)$/.exec((error as Error).message)?.[1]);
    if (!Number.isInteger(code)) throw error;
    steps.push([name, code]);
    return undefined;
  }
}

const mod = graphene.Module.load(modulePath, 'p11-kit-client');
// CKF_OS_LOCKING_OK: the application threads may call in concurrently
mod.initialize({ flags: 2 });
const out: Record<string, unknown> = {};
try {
  const slot = mod.getSlots(true).items(0);
  out.tokenFlags = slot.getToken().flags;
  const ro = slot.open(graphene.SessionFlag.SERIAL_SESSION);
  step('login wrong PIN', () => ro.login('0000'));
  step('create token object in RO session', () => ro.create({ class: graphene.ObjectClass.DATA, token: true, label: 'x', value: Buffer.from('x') }));
  ro.close();
  const s = slot.open(graphene.SessionFlag.SERIAL_SESSION | graphene.SessionFlag.RW_SESSION);
  step('logout before login', () => s.logout());
  step('SO login with a user session open is fine', () => s.login(soPin, graphene.UserType.SO));
  step('SO logout', () => s.logout());
  step('login', () => s.login(pin));
  step('login again', () => s.login(pin));
  const keys = step('generate EC P-256 pair', () =>
    s.generateKeyPair(
      graphene.KeyGenMechanism.EC,
      { keyType: graphene.KeyType.EC, token: false, verify: true, paramsECDSA: graphene.NamedCurve.getByName('secp256r1').value },
      { keyType: graphene.KeyType.EC, token: false, sign: true, sensitive: true, extractable: false },
    ),
  )!;
  const data = Buffer.from('signed through p11-kit-client.so');
  const hash = createHash('sha256').update(data).digest();
  const sig = step('sign ECDSA', () => s.createSign('ECDSA', keys.privateKey).once(hash))!;
  out.signature = sig.toString('hex');
  out.ecPoint = keys.publicKey.getAttribute({ pointEC: null }).pointEC!.toString('hex');
  step('verify good signature', () => {
    if (!s.createVerify('ECDSA', keys.publicKey).once(hash, sig)) throw Object.assign(new Error('false'), { code: 0xc0 });
  });
  const bad = Buffer.from(sig);
  bad[3] ^= 1;
  step('verify bad signature', () => {
    if (!s.createVerify('ECDSA', keys.publicKey).once(hash, bad)) throw Object.assign(new Error('false'), { code: 0xc0 });
  });
  step('read sensitive CKA_VALUE', () => keys.privateKey.getAttribute({ value: null }));
  step('read CKA_EC_PARAMS of the private key', () => keys.privateKey.getAttribute({ paramsEC: null }));
  step('digest with RC4 (no such mechanism)', () => s.createDigest({ name: 'RC4', params: null }).once(data));
  step('SHA-256 digest', () => {
    const d = s.createDigest('SHA256').once(data);
    if (!d.equals(createHash('sha256').update(data).digest())) throw Object.assign(new Error('wrong digest'), { code: 5 });
  });
  const aes = step('generate AES-256 key', () =>
    s.generateKey(graphene.KeyGenMechanism.AES, { keyType: graphene.KeyType.AES, valueLen: 32, token: false, encrypt: true, decrypt: true }),
  )!;
  step('AES-ECB encrypt 17 bytes', () => s.createCipher('AES_ECB', aes).once(Buffer.alloc(17), Buffer.alloc(64)));
  step('AES-ECB round trip', () => {
    const ct = s.createCipher('AES_ECB', aes).once(Buffer.alloc(32, 5), Buffer.alloc(64));
    const pt = s.createDecipher('AES_ECB', aes).once(ct, Buffer.alloc(64));
    if (!pt.equals(Buffer.alloc(32, 5))) throw Object.assign(new Error('round trip'), { code: 5 });
  });
  step('sign with a secret key and ECDSA', () => s.createSign('ECDSA', aes).once(hash));
  step('destroy the public key', () => keys.publicKey.destroy());
  step('use the destroyed key', () => s.createVerify('ECDSA', keys.publicKey).once(hash, sig));
  step('random 32 bytes', () => {
    if (s.generateRandom(32).byteLength !== 32) throw Object.assign(new Error('short'), { code: 5 });
  });
  step('logout', () => s.logout());
  step('logout again', () => s.logout());
  s.close();
} finally {
  mod.finalize();
}
out.steps = steps;
process.stdout.write(JSON.stringify(out));
