/**
 * Synthetic Arm CCA tokens (and virtCCA-shaped ones) signed with keys made for the test, to
 * reach the checks the published test-key tokens cannot: a broken RAK binding, other
 * lifecycles, COSE_Key RAKs, other signers.
 */
import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { CborTag, encodeCbor, signCoseSign1, type CborMap, type CborValue } from '../../../../src/attest/cose/index.js';

export interface TokenKeys {
  cpak: { privateKey: KeyObject; publicKey: KeyObject };
  rak: { privateKey: KeyObject; publicKey: KeyObject };
}

export function tokenKeys(curve: 'P-256' | 'P-384' = 'P-384'): TokenKeys {
  return { cpak: generateKeyPairSync('ec', { namedCurve: curve }), rak: generateKeyPairSync('ec', { namedCurve: 'P-384' }) };
}

/** The raw uncompressed point of an EC public key. */
export function rawPoint(key: KeyObject): Uint8Array {
  const jwk = key.export({ format: 'jwk' });
  return new Uint8Array([4, ...Buffer.from(jwk.x!, 'base64url'), ...Buffer.from(jwk.y!, 'base64url')]);
}

/** A COSE_Key (EC2, P-384) encoding of an EC public key. */
export function coseKey(key: KeyObject): Uint8Array {
  const jwk = key.export({ format: 'jwk' });
  return encodeCbor(new Map<number, CborValue>([[1, 2], [-1, 2], [-2, new Uint8Array(Buffer.from(jwk.x!, 'base64url'))], [-3, new Uint8Array(Buffer.from(jwk.y!, 'base64url'))]]));
}

export interface TokenOptions {
  platform?: Record<number, CborValue | undefined>;
  realm?: Record<number, CborValue | undefined>;
  /** RAK bytes as carried in the realm token (default: raw point). */
  rakBytes?: Uint8Array;
  /** Platform challenge (default: SHA-256 of the RAK bytes). */
  platformChallenge?: Uint8Array;
  realmSigner?: KeyObject;
  platformSigner?: KeyObject;
  platformAlg?: number;
  realmAlg?: number;
  omitPlatform?: boolean;
  /** virtCCA wraps the CVM claims map in two byte strings. */
  doubleWrapRealm?: boolean;
}

function withOverrides(base: CborMap, overrides: Record<number, CborValue | undefined> = {}): CborMap {
  for (const [k, v] of Object.entries(overrides)) {
    if (v === undefined) base.delete(Number(k));
    else base.set(Number(k), v);
  }
  return base;
}

export function buildToken(keys: TokenKeys, options: TokenOptions = {}): Uint8Array {
  const rakBytes = options.rakBytes ?? rawPoint(keys.rak.publicKey);
  const realmClaims = withOverrides(
    new Map<number, CborValue>([
      [10, new Uint8Array(64).fill(0x5a)],
      [44235, new Uint8Array(64).fill(0x11)],
      [44236, 'sha-256'],
      [44237, rakBytes],
      [44238, new Uint8Array(32).fill(0x22)],
      [44239, [new Uint8Array(32).fill(1), new Uint8Array(32).fill(2), new Uint8Array(32).fill(3), new Uint8Array(32).fill(4)]],
      [44240, 'sha-256'],
    ]),
    options.realm,
  );
  const platformClaims = withOverrides(
    new Map<number, CborValue>([
      [265, 'http://arm.com/CCA-SSD/1.0.0'],
      [10, options.platformChallenge ?? new Uint8Array(createHash('sha256').update(rakBytes).digest())],
      [2396, new Uint8Array(32).fill(0x33)],
      [256, new Uint8Array([1, ...new Uint8Array(32).fill(0x44)])],
      [2401, new Uint8Array([0xcf])],
      [2395, 0x3000],
      [2402, 'sha-256'],
      [2399, [new Map<number, CborValue>([[1, 'BL'], [2, new Uint8Array(32).fill(0x55)], [4, '1.0'], [5, new Uint8Array(32).fill(0x66)]])]],
      [2400, 'https://veraison.example/'],
    ]),
    options.platform,
  );
  let realmPayload = encodeCbor(realmClaims);
  if (options.doubleWrapRealm) realmPayload = encodeCbor(realmPayload);
  const realm = signCoseSign1(realmPayload, options.realmSigner ?? keys.rak.privateKey, options.realmAlg ?? -35, { tagged: true });
  const collection: CborMap = new Map();
  if (!options.omitPlatform) {
    const platform = signCoseSign1(encodeCbor(platformClaims), options.platformSigner ?? keys.cpak.privateKey, options.platformAlg ?? (keys.cpak.publicKey.asymmetricKeyDetails?.namedCurve === 'prime256v1' ? -7 : -35), { tagged: true });
    collection.set(44234, platform);
  }
  collection.set(44241, realm);
  return encodeCbor(new CborTag(399, collection));
}
