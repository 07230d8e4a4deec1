/**
 * Inverses and square roots in the base field F_p, for values that are secret (coordinates of
 * x*G + w0*M, Y - w0*N, Z, V ...). Both are powers with a public exponent (p ≡ 3 mod 4 for both
 * NIST curves here):  1/a = a^(p-2),  sqrt(a) = a^((p+1)/4).
 *
 * OpenSSL computes them: the RSA public operation without padding is exactly b^e mod n, and
 * nothing in it requires n to be composite, so a "public key" (n = p, e = p-2 or (p+1)/4) turns
 * publicEncrypt into a field power in C (BN_mod_exp_mont: Montgomery arithmetic, a square-and-
 * multiply sequence fixed by the public exponent, no branch on the base). Measured ~35 µs against
 * ~60 µs for a blinded BigInt Euclid and ~170 µs for a BigInt power (docs/design/pake-speed.md).
 *
 * A known-answer self-test runs when a prime is first used; if the platform refuses such keys
 * (an OpenSSL that insists on RSA key checks), the BigInt fallbacks take over: slower, same
 * results, still free of secret-dependent timing (blinded Euclid, public-exponent power).
 */
import { constants, createPublicKey, publicEncrypt, randomBytes, type KeyObject } from 'node:crypto';
import { bigIntToBytes, bytesToBigInt } from './encoding.js';

export interface FieldPower {
  /** 1/a for a ≠ 0 (mod p). */
  inv(a: bigint): bigint;
  /** A square root of a; the caller checks root^2 = a (a may be a non-square). */
  sqrt(a: bigint): bigint;
}

const byPrime = new Map<bigint, FieldPower>();

/** The field power helper for the prime p (p ≡ 3 mod 4), cached per prime. */
export function fieldPower(p: bigint): FieldPower {
  let power = byPrime.get(p);
  if (!power) {
    const fallback = bigintPower(p);
    power = opensslPower(p, fallback) ?? fallback;
    byPrime.set(p, power);
  }
  return power;
}

/** base^exponent mod m by square-and-multiply; only for public exponents. */
export function powMod(base: bigint, exponent: bigint, m: bigint): bigint {
  let result = 1n;
  let b = base % m;
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % m;
    b = (b * b) % m;
  }
  return result;
}

/**
 * Inversion by extended Euclid on a*r for a fresh random r: a*r is uniform whatever a is, so the
 * variable running time of Euclid says nothing about a.
 */
export function blindedInverse(a: bigint, p: bigint): bigint {
  const length = Math.ceil(p.toString(16).length / 2) + 8;
  let r = 0n;
  while (r === 0n) r = bytesToBigInt(randomBytes(length)) % p;
  return (euclidInverse((a * r) % p, p) * r) % p;
}

function euclidInverse(a: bigint, p: bigint): bigint {
  if (a === 0n) throw new RangeError('zero has no inverse');
  let [r0, r1, s0, s1] = [p, a, 0n, 1n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  return ((s0 % p) + p) % p;
}

function bigintPower(p: bigint): FieldPower {
  const sqrtExponent = (p + 1n) / 4n;
  return { inv: (a) => blindedInverse(a, p), sqrt: (a) => powMod(a, sqrtExponent, p) };
}

function opensslPower(p: bigint, reference: FieldPower): FieldPower | undefined {
  if (p % 4n !== 3n) return undefined;
  const length = Math.ceil(p.toString(16).length / 2);
  const b64 = (v: bigint) => Buffer.from(bigIntToBytes(v, Math.ceil(v.toString(16).length / 2))).toString('base64url');
  let power: FieldPower;
  try {
    const key = (e: bigint): KeyObject => createPublicKey({ key: { kty: 'RSA', n: b64(p), e: b64(e) }, format: 'jwk' });
    const invKey = key(p - 2n);
    const sqrtKey = key((p + 1n) / 4n);
    const run = (k: KeyObject, a: bigint) =>
      bytesToBigInt(publicEncrypt({ key: k, padding: constants.RSA_NO_PADDING }, Buffer.from(bigIntToBytes(a % p, length))));
    power = {
      inv: (a) => {
        if (a % p === 0n) throw new RangeError('zero has no inverse');
        return run(invKey, a);
      },
      sqrt: (a) => run(sqrtKey, a),
    };
    for (const a of [1n, 2n, p - 1n, (p >> 3n) + 12345n]) {
      if (power.inv(a) !== reference.inv(a) || power.sqrt(a) !== reference.sqrt(a)) return undefined;
    }
  } catch {
    return undefined;
  }
  return power;
}
