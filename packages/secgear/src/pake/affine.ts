/**
 * Projective → affine conversion and field inversion for values that are secret (coordinates of
 * x*G + w0*M, Y - w0*N, y(R), ...). noble's own toAffine inverts with a variable-time extended
 * Euclid on the value itself. Here a whole batch shares one inversion (Montgomery's trick:
 * 3(n-1) multiplications), and that inversion is a power with a public exponent
 * (field-power.ts). The points returned have Z = 1, so encoding them later needs no inversion.
 */
import { encodePoint } from './encoding.js';
import { fieldPower } from './field-power.js';
import type { Point, Suite } from './suites.js';

/** 1/v for every v (all nonzero), with one inversion. */
export function invertBatch(suite: Suite, values: readonly bigint[]): bigint[] {
  const Fp = suite.Point.Fp;
  // prefix products v1, v1v2, ..., one inversion of the whole product, then walk back
  const prefix: bigint[] = [];
  let product = Fp.ONE;
  for (const v of values) {
    prefix.push(product);
    product = Fp.mul(product, v);
  }
  if (Fp.is0(product)) throw new Error('invertBatch: zero has no inverse');
  let inverse = fieldPower(Fp.ORDER).inv(product);
  const out = new Array<bigint>(values.length);
  for (let i = values.length - 1; i >= 0; i--) {
    out[i] = Fp.mul(inverse, prefix[i]);
    inverse = Fp.mul(inverse, values[i]);
  }
  return out;
}

/**
 * The points with Z = 1 (none may be the identity: the caller has checked), and 1/v for each of
 * `alsoInvert`, all from one inversion.
 */
export function normalize(suite: Suite, points: readonly Point[], alsoInvert: readonly bigint[] = []): { points: Point[]; inverses: bigint[] } {
  const Fp = suite.Point.Fp;
  const inverses = invertBatch(suite, [...points.map((p) => p.Z), ...alsoInvert]);
  return {
    points: points.map((p, i) => suite.Point.fromAffine({ x: Fp.mul(p.X, inverses[i]), y: Fp.mul(p.Y, inverses[i]) })),
    inverses: inverses.slice(points.length),
  };
}

/** The uncompressed SEC1 encoding of an affine point (Z = 1) as a Buffer, for OpenSSL. */
export function opensslEncoding(point: Point): Buffer {
  const bytes = encodePoint(point);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
