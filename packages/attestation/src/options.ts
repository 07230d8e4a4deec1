import type { Logger } from 'pino';
import type { PoolConfig } from 'pg';
import type { CollateralFetcher, CollateralItem, TrustAnchor } from 'secgear/attest';
import { ErrorCode, SecGearError } from 'secgear/errors';
import type { TokenAlgorithm } from './signing.js';
import type { Store } from './store/types.js';

/** Options of `createAttestationService`; every field has a documented default. */
export interface AttestationServiceOptions {
  /** Where state lives: a Store, `{ sqlite: path }` or `{ postgres: url | pool config }`. Default: SQLite in memory. */
  store?: Store | { sqlite: string } | { postgres: string | PoolConfig };
  /** `iss` of the tokens (default "secgear-attestation"). Relying parties pin it. */
  issuer?: string;
  /** `aud` of the tokens, when relying parties check one. */
  audience?: string;
  /** Token signature algorithm (default ES384). */
  tokenAlgorithm?: TokenAlgorithm;
  /** PKCS#8 PEM of the token key; a fresh key is generated when omitted. */
  signingKeyPem?: string;
  /** Token lifetime in seconds (default 300). */
  tokenLifetimeSeconds?: number;
  /** Challenge lifetime in seconds (default 60). */
  challengeLifetimeSeconds?: number;
  /** Bearer tokens accepted on admin endpoints. Empty: every admin call is refused. */
  adminTokens?: string[];
  verifier?: {
    /**
     * Anchors added to the built-in vendor roots. Simulated evidence is checked only against
     * the sim roots given here: the service never trusts its own machine's ~/.secgear root.
     */
    trustAnchors?: TrustAnchor[];
    replaceBuiltInAnchors?: boolean;
    /** Offline collateral (files), used for every verification. */
    collateral?: CollateralItem[];
    /** Online collateral for SGX/TDX (an IntelPcsFetcher in a CachingFetcher). */
    collateralFetcher?: CollateralFetcher;
    /** Accept simulated evidence (development only; tokens then say tee "sim"). Default false. */
    allowSimulation?: boolean;
  };
  /** Pinned clock (tests, replays). Default: the system clock. */
  clock?: () => Date;
  /** Randomness for challenges and session ids (tests inject it). Default: crypto.randomBytes. */
  randomBytes?: (size: number) => Uint8Array;
  /** Challenge size in bytes, 8 to 64 (default 32). */
  challengeBytes?: number;
  /** A pino logger, or false for none (default: a pino logger at level "info"). */
  logger?: Logger | false;
  /** Largest accepted request body in bytes (default 1 MiB). */
  bodyLimit?: number;
}

export function checkOptions(o: AttestationServiceOptions): void {
  const positive = (name: string, v: unknown, max: number) => {
    if (v !== undefined && !(Number.isInteger(v) && (v as number) > 0 && (v as number) <= max)) {
      throw new SecGearError(ErrorCode.BAD_PARAMETERS, `${name} must be a whole number from 1 to ${max}`);
    }
  };
  positive('tokenLifetimeSeconds', o.tokenLifetimeSeconds, 86_400);
  positive('challengeLifetimeSeconds', o.challengeLifetimeSeconds, 3_600);
  positive('bodyLimit', o.bodyLimit, 64 * 1024 * 1024);
  if (o.challengeBytes !== undefined && !(Number.isInteger(o.challengeBytes) && o.challengeBytes >= 8 && o.challengeBytes <= 64)) {
    throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'challengeBytes must be from 8 to 64 (evidence carries at most 64 bytes of nonce)');
  }
  if (o.adminTokens !== undefined && (!Array.isArray(o.adminTokens) || o.adminTokens.some((t) => typeof t !== 'string' || t.length < 16))) {
    throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'adminTokens must be strings of at least 16 characters (use 32 random bytes, base64url)');
  }
  if (o.issuer !== undefined && (typeof o.issuer !== 'string' || o.issuer.length === 0)) {
    throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'issuer must be a non-empty string');
  }
}
