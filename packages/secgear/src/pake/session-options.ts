/** Options common to the Prover and the Verifier, validated once at construction. */
import { copyBytes } from '../common/bytes.js';
import { ErrorCode, SecGearError } from '../common/errors.js';
import { toBytes, type BytesLike } from './encoding.js';

export interface SessionOptions {
  /**
   * Application context bound into the transcript (RFC 9383 §3.3), e.g. protocol name and version,
   * PBKDF parameters, or a hash of the verifier's attestation evidence. Both sides must agree on it
   * byte for byte. Default: empty.
   */
  context?: BytesLike;
  /** Prover identity, as used at registration. Default: empty (not recommended: unknown key share). */
  idProver?: BytesLike;
  /** Verifier identity, as used at registration. Default: empty. */
  idVerifier?: BytesLike;
}

/** Largest context or identity we accept; the transcript is hashed, but we keep it bounded. */
export const MAX_FIELD_LENGTH = 64 * 1024;

export interface ResolvedSession {
  context: Uint8Array;
  idProver: Uint8Array;
  idVerifier: Uint8Array;
}

export function resolveSession(options: SessionOptions): ResolvedSession {
  const out = {
    context: copyBytes(toBytes(options.context, 'context')),
    idProver: copyBytes(toBytes(options.idProver, 'idProver')),
    idVerifier: copyBytes(toBytes(options.idVerifier, 'idVerifier')),
  };
  for (const [name, value] of Object.entries(out)) {
    if (value.byteLength > MAX_FIELD_LENGTH) {
      throw new SecGearError(ErrorCode.BAD_PARAMETERS, `${name} is ${value.byteLength} bytes; the limit is ${MAX_FIELD_LENGTH}`);
    }
  }
  return out;
}
