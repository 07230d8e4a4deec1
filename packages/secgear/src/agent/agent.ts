/**
 * The attestation agent (passport mode): gets a challenge from the service, has the TEE produce
 * evidence bound to it, submits the evidence and caches the token it gets back, refreshing it
 * before it expires. The agent runs on the TEE's host side (or in the confidential VM): it
 * never holds a secret of the enclave, only evidence the enclave made. Background-check mode
 * needs no agent state: the relying party calls `requestChallenge` and `submitEvidence` itself
 * with evidence the attester returns (see README).
 */
import { decodeJwt } from 'jose';
import { ErrorCode, SecGearError } from '../common/errors.js';
import type { EvidenceEnvelope } from '../attest/types.js';
import { requestChallenge, submitEvidence, type WireOptions } from './wire.js';

/** Produces evidence bound to `nonce` (for an enclave: `(nonce) => enclave.getEvidence({ nonce })`). */
export type EvidenceProvider = (nonce: Uint8Array, signal?: AbortSignal) => Promise<EvidenceEnvelope>;

export interface AttestationAgentOptions {
  serviceUrl: string | URL;
  evidence: EvidenceProvider;
  policyIds?: string[];
  /** Refresh when less than this fraction of the token's lifetime is left (default 0.2). */
  refreshFraction?: number;
  /** Keep a fresh token in the background (default false: refresh on demand in getToken). */
  autoRefresh?: boolean;
  fetch?: typeof fetch;
  now?: () => number;
}

export interface CachedToken {
  token: string;
  issuedAt: number;
  expiresAt: number;
}

export class AttestationAgent {
  private cached: CachedToken | null = null;
  private inflight: Promise<CachedToken> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly controller = new AbortController();
  private closed = false;

  constructor(private readonly options: AttestationAgentOptions) {
    if (typeof options.evidence !== 'function') {
      throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'AttestationAgent: options.evidence must be a function (nonce) => Promise<{ mediaType, data }>');
    }
    const f = options.refreshFraction ?? 0.2;
    if (!(f > 0 && f < 1)) throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'AttestationAgent: refreshFraction must be between 0 and 1');
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  /** A token that is not close to expiry: the cached one, or a fresh one (concurrent callers share one attestation). */
  async getToken(): Promise<string> {
    const c = this.cached;
    if (c && !this.isStale(c)) return c.token;
    return (await this.refresh()).token;
  }

  /** Attests now, whatever the cache holds. */
  refresh(): Promise<CachedToken> {
    if (this.closed) return Promise.reject(new SecGearError(ErrorCode.CANCELLED, 'the attestation agent is closed'));
    this.inflight ??= this.attestOnce().finally(() => {
      this.inflight = null;
    });
    return this.inflight;
  }

  private isStale(c: CachedToken): boolean {
    const fraction = this.options.refreshFraction ?? 0.2;
    return this.now() >= c.expiresAt - (c.expiresAt - c.issuedAt) * fraction;
  }

  private async attestOnce(): Promise<CachedToken> {
    const wire: WireOptions = { fetch: this.options.fetch, signal: this.controller.signal };
    const challenge = await requestChallenge(this.options.serviceUrl, wire);
    const evidence = await this.options.evidence(challenge.nonce, this.controller.signal);
    const token = await submitEvidence(this.options.serviceUrl, { ...wire, challenge, evidence, policyIds: this.options.policyIds });
    const claims = decodeJwt(token);
    if (typeof claims.exp !== 'number' || typeof claims.iat !== 'number' || claims.exp <= claims.iat) {
      throw new SecGearError(ErrorCode.ATTESTATION_FAILED, 'the service issued a token without a valid iat/exp');
    }
    this.cached = { token, issuedAt: claims.iat * 1000, expiresAt: claims.exp * 1000 };
    if (this.options.autoRefresh) this.schedule(this.cached);
    return this.cached;
  }

  private schedule(c: CachedToken): void {
    if (this.timer) clearTimeout(this.timer);
    const fraction = this.options.refreshFraction ?? 0.2;
    const at = c.expiresAt - (c.expiresAt - c.issuedAt) * fraction;
    this.timer = setTimeout(() => {
      this.timer = null;
      // a failed background refresh leaves the cache as it is; getToken retries on demand
      this.refresh().catch(() => undefined);
    }, Math.max(0, at - this.now()));
    this.timer.unref();
  }

  /** Stops background refresh and cancels a running attestation. */
  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.controller.abort();
    this.cached = null;
  }
}
