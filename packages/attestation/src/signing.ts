/**
 * The service's token key: ES384 by default, PS256 on request; generated at start or loaded from
 * a PKCS#8 PEM file. Its public JWK goes into the store, so every node of a shared database
 * publishes every node's key in /.well-known/jwks.json and any node's tokens verify anywhere.
 * The private key never leaves this object and is never logged.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, SignJWT, type JWK } from 'jose';
import { ErrorCode, SecGearError } from 'secgear/errors';

export type TokenAlgorithm = 'ES384' | 'PS256';
export const TOKEN_ALGORITHMS: readonly TokenAlgorithm[] = ['ES384', 'PS256'];

export interface SigningKey {
  alg: TokenAlgorithm;
  kid: string;
  publicJwk: JWK;
  sign(claims: Record<string, unknown>, options: { issuer: string; audience?: string; issuedAt: number; expiresAt: number; jwtId: string }): Promise<string>;
}

function keyMatches(alg: TokenAlgorithm, key: KeyObject): boolean {
  if (alg === 'ES384') return key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'secp384r1';
  return (key.asymmetricKeyType === 'rsa' || key.asymmetricKeyType === 'rsa-pss') && (key.asymmetricKeyDetails?.modulusLength ?? 0) >= 2048;
}

/** A signing key from a PKCS#8 PEM (when given) or a fresh one. */
export async function createSigningKey(alg: TokenAlgorithm, pem?: string): Promise<SigningKey> {
  if (!TOKEN_ALGORITHMS.includes(alg)) throw new SecGearError(ErrorCode.BAD_PARAMETERS, `token algorithm must be one of ${TOKEN_ALGORITHMS.join(', ')}, got ${String(alg)}`);
  let privateKey: KeyObject;
  if (pem !== undefined) {
    try {
      privateKey = createPrivateKey(pem);
    } catch (error) {
      throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'the token signing key is not a PEM private key (PKCS#8 or SEC1/PKCS#1)', { cause: error });
    }
    if (!keyMatches(alg, privateKey)) {
      throw new SecGearError(ErrorCode.BAD_PARAMETERS, `the token signing key does not fit ${alg} (ES384 needs a P-384 EC key, PS256 an RSA key of 2048 bits or more)`);
    }
  } else {
    privateKey = alg === 'PS256' ? generateKeyPairSync('rsa', { modulusLength: 3072 }).privateKey : generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey;
  }
  const publicJwk = await exportJWK(createPublicKey(privateKey));
  const kid = await calculateJwkThumbprint(publicJwk, 'sha256');
  const published: JWK = { ...publicJwk, kid, alg, use: 'sig' };
  return {
    alg,
    kid,
    publicJwk: published,
    sign(claims, o) {
      const jwt = new SignJWT(claims)
        .setProtectedHeader({ alg, kid, typ: 'JWT' })
        .setIssuer(o.issuer)
        .setIssuedAt(o.issuedAt)
        .setExpirationTime(o.expiresAt)
        .setJti(o.jwtId);
      if (o.audience) jwt.setAudience(o.audience);
      return jwt.sign(privateKey);
    },
  };
}

/** A short stable id for log lines (never the key). */
export function keyFingerprint(jwk: JWK): string {
  return createHash('sha256').update(JSON.stringify(jwk)).digest('hex').slice(0, 16);
}
