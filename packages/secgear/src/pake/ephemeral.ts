/**
 * Ephemeral scalars x and y: uniform in [1, p-1] from the OS CSPRNG. RFC 9383 allows [0, p-1];
 * zero is excluded because it would make the share independent of the ephemeral key.
 *
 * Known-answer tests need fixed scalars. They enter through a module-private symbol that the
 * public entry point (`secgear/pake`) does not export, so application code cannot pin them.
 */
import { randomBytes } from 'node:crypto';
import { bytesToBigInt, decodeScalar } from './encoding.js';
import type { Suite } from './suites.js';

/** Options key for a fixed ephemeral scalar: test vectors only. */
export const TEST_ONLY_EPHEMERAL = Symbol('secgear.pake.testOnlyEphemeralScalar');

export interface EphemeralOption {
  [TEST_ONLY_EPHEMERAL]?: Uint8Array;
}

export function ephemeralScalar(suite: Suite, options: EphemeralOption): bigint {
  const fixed = options[TEST_ONLY_EPHEMERAL];
  if (fixed !== undefined) return decodeScalar(suite, fixed, 'fixed ephemeral scalar');
  // 64 extra bits make the bias of the reduction at most 2^-64.
  const wide = bytesToBigInt(randomBytes(suite.scalarLength + 8));
  return (wide % (suite.order - 1n)) + 1n;
}
