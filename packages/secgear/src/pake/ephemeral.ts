/**
 * Ephemeral scalars x and y: uniform in [1, p-1], drawn by OpenSSL's key generation from its
 * CSPRNG (scalar-mul.ts). RFC 9383 allows [0, p-1]; zero is excluded because it would make the
 * share independent of the ephemeral key.
 *
 * Known-answer tests need fixed scalars. They enter through a module-private symbol that the
 * public entry point (`secgear/pake`) does not export, so application code cannot pin them.
 */
import { decodeScalar } from './encoding.js';
import { SecretScalar } from './scalar-mul.js';
import type { Suite } from './suites.js';

/** Options key for a fixed ephemeral scalar: test vectors only. */
export const TEST_ONLY_EPHEMERAL = Symbol('secgear.pake.testOnlyEphemeralScalar');

export interface EphemeralOption {
  [TEST_ONLY_EPHEMERAL]?: Uint8Array;
}

export function ephemeralScalar(suite: Suite, options: EphemeralOption): SecretScalar {
  const fixed = options[TEST_ONLY_EPHEMERAL];
  if (fixed !== undefined) return new SecretScalar(suite, decodeScalar(suite, fixed, 'fixed ephemeral scalar'));
  return SecretScalar.random(suite);
}
