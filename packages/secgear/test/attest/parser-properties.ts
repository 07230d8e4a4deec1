/**
 * The property every evidence and collateral parser must have: any input is either parsed or
 * rejected with a SecGearError of the parser's code, never another throw. Shared by the parser
 * tests so that each names only its parser, its inputs, and its seed.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ErrorCode, isSecGearError, type ErrorCodeName } from '../../src/common/errors.js';

export interface NearValidOptions {
  /** Longest random byte string. */
  maxLength: number;
  /** Most byte edits applied to the valid encoding. */
  maxEdits: number;
}

/** Random bytes, the valid encoding with 1..maxEdits bytes replaced, and its prefixes. */
export function nearValidBytes(good: Uint8Array, options: NearValidOptions): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    fc.uint8Array({ maxLength: options.maxLength }),
    fc.array(fc.tuple(fc.nat({ max: good.byteLength - 1 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: options.maxEdits }).map((edits) => {
      const b = Uint8Array.from(good);
      for (const [i, v] of edits) b[i] = v;
      return b;
    }),
    fc.nat({ max: good.byteLength }).map((n) => good.subarray(0, n)),
  );
}

export interface ParsesOrRejectsOptions<T> {
  seed: number;
  numRuns: number;
  /** The only error code the parser may throw (default CC_ERROR_INVALID_EVIDENCE). */
  code?: ErrorCodeName;
  /** Further assertions on what parses. */
  check?: (parsed: T) => void;
}

/** Asserts, over `inputs`, that `parse` returns (passing `check`) or throws a SecGearError of `code`. */
export function assertParsesOrRejects<I, T>(parse: (input: I) => T, inputs: fc.Arbitrary<I>, options: ParsesOrRejectsOptions<T>): void {
  const code = options.code ?? ErrorCode.INVALID_EVIDENCE;
  fc.assert(
    fc.property(inputs, (input) => {
      let parsed: T;
      try {
        parsed = parse(input);
      } catch (error) {
        assert.ok(isSecGearError(error, code), String(error));
        return;
      }
      options.check?.(parsed);
    }),
    { seed: options.seed, numRuns: options.numRuns },
  );
}
