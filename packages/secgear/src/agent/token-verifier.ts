/**
 * Token verification for relying parties: checks an attestation token (an EAR in a JWT) with
 * the service's JWKS, fetched once and cached (jose's remote key set refetches when a token
 * names an unknown key id, at most once per cooldown), then checks the EAR itself: profile,
 * expected nonce, and the worst submodule status against the one the caller requires.
 */
import { createLocalJWKSet, createRemoteJWKSet, errors as joseErrors, jwtVerify, type JSONWebKeySet, type JWTPayload } from 'jose';
import { constantTimeEqual } from '../common/bytes.js';
import { ErrorCode, SecGearError } from '../common/errors.js';
import { EAR_PROFILE, earOverallStatus, type Ear } from '../attest/ear.js';
import type { AppraisalStatus } from '../attest/types.js';

/** Algorithms the service signs with; anything else (`none`, HS*) is refused. */
export const TOKEN_ALGORITHMS = ['ES384', 'PS256'] as const;

export interface TokenVerifierOptions {
  /** Where the service publishes its keys, e.g. `http://as:8080/.well-known/jwks.json`. */
  jwksUrl?: string | URL;
  /** Or the key set itself (offline relying parties). */
  jwks?: JSONWebKeySet;
  /** The expected `iss` (the service's configured issuer). */
  issuer: string;
  /** The expected `aud`, when the service was configured with one. */
  audience?: string;
  /** Seconds of clock skew tolerated on exp/iat (default 30). */
  clockToleranceSeconds?: number;
  /** Pinned clock, for tests and replays of old tokens. */
  now?: () => Date;
  /** How long fetched keys are reused before a refetch, in ms (default 10 minutes). */
  cacheMaxAgeMs?: number;
}

export interface TokenCheck {
  /** The challenge the token must be bound to (its `eat_nonce`). */
  nonce?: Uint8Array;
  /** The worst acceptable overall status (default `affirming`). */
  minimumStatus?: AppraisalStatus;
}

export type VerifiedToken = Ear & JWTPayload & { overallStatus: AppraisalStatus };

const rank: Record<AppraisalStatus, number> = { affirming: 0, warning: 1, contraindicated: 2 };

function invalid(message: string, cause?: unknown): never {
  throw new SecGearError(ErrorCode.INVALID_TOKEN, message, cause === undefined ? undefined : { cause });
}

export class TokenVerifier {
  private readonly keys: ReturnType<typeof createRemoteJWKSet> | ReturnType<typeof createLocalJWKSet>;

  constructor(private readonly options: TokenVerifierOptions) {
    if (typeof options.issuer !== 'string' || options.issuer.length === 0) {
      throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'TokenVerifier: pass the issuer the service signs with (options.issuer)');
    }
    if (options.jwks) this.keys = createLocalJWKSet(options.jwks);
    else if (options.jwksUrl) this.keys = createRemoteJWKSet(new URL(String(options.jwksUrl)), { cacheMaxAge: options.cacheMaxAgeMs ?? 600_000 });
    else throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'TokenVerifier: pass jwksUrl (the service\'s /.well-known/jwks.json) or jwks');
  }

  /** Verifies signature, issuer, audience, lifetime and EAR shape; throws CC_ERROR_INVALID_TOKEN. */
  async verify(token: string, check: TokenCheck = {}): Promise<VerifiedToken> {
    if (typeof token !== 'string' || token.length > 64 * 1024) invalid('the token must be a compact JWS string of at most 64 KiB');
    let payload: JWTPayload;
    try {
      const result = await jwtVerify(token, this.keys, {
        issuer: this.options.issuer,
        audience: this.options.audience,
        algorithms: [...TOKEN_ALGORITHMS],
        clockTolerance: this.options.clockToleranceSeconds ?? 30,
        currentDate: this.options.now?.(),
        requiredClaims: ['exp', 'iat'],
      });
      payload = result.payload;
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) invalid('the attestation token has expired: attest again for a fresh one', error);
      if (error instanceof joseErrors.JOSEError) invalid(`the attestation token is not valid (${error.code}): ${error.message}`, error);
      throw error;
    }
    const ear = payload as Partial<Ear> & JWTPayload;
    if (ear.eat_profile !== EAR_PROFILE) invalid(`the token is not an EAR (eat_profile ${JSON.stringify(ear.eat_profile)})`);
    if (typeof ear.submods !== 'object' || ear.submods === null || Array.isArray(ear.submods)) invalid('the token has no submods');
    const overallStatus = earOverallStatus(ear as Ear);
    if (check.nonce) {
      const bound = typeof ear.eat_nonce === 'string' ? new Uint8Array(Buffer.from(ear.eat_nonce, 'base64url')) : null;
      if (!bound || !constantTimeEqual(bound, check.nonce)) invalid('the token is bound to another nonce (or none): it was issued for another challenge');
    }
    const minimum = check.minimumStatus ?? 'affirming';
    if (rank[overallStatus] > rank[minimum]) {
      invalid(`the appraisal is ${overallStatus}, the relying party requires ${minimum} or better`);
    }
    return { ...(ear as Ear & JWTPayload), overallStatus };
  }
}
