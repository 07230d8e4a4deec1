/**
 * The attestation service's wire protocol as an attester or relying party speaks it
 * (secGear's REST shapes): `GET /challenge` answers the nonce as a JSON string (base64url) and
 * sets the `oeas-session-id` cookie; `POST /attestation` takes `{ challenge, evidence,
 * policy_id? }` (evidence base64url) and answers the token as text.
 */
import { ErrorCode, SecGearError } from '../common/errors.js';
import type { EvidenceEnvelope } from '../attest/types.js';

export const SESSION_COOKIE = 'oeas-session-id';

export interface Challenge {
  /** The nonce to bind into the evidence. */
  nonce: Uint8Array;
  /** The same nonce as the service wrote it (base64url), to send back unchanged. */
  challenge: string;
  /** The session cookie (`name=value`) to send back with the evidence. */
  cookie: string | null;
}

export interface WireOptions {
  /** Defaults to the global fetch. */
  fetch?: typeof fetch;
  signal?: AbortSignal;
}

function endpoint(serviceUrl: string | URL, path: string): URL {
  let base: URL;
  try {
    base = new URL(String(serviceUrl));
  } catch {
    throw new SecGearError(ErrorCode.BAD_PARAMETERS, `not a URL: ${String(serviceUrl)}; pass the service's base URL such as http://127.0.0.1:8080`);
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') {
    throw new SecGearError(ErrorCode.BAD_PARAMETERS, `the attestation service URL must be http or https, got ${base.protocol}`);
  }
  return new URL(path.replace(/^\//, ''), base.href.endsWith('/') ? base.href : `${base.href}/`);
}

async function failure(response: Response, what: string): Promise<never> {
  let detail = '';
  try {
    detail = (await response.text()).slice(0, 500);
  } catch {
    // the body is only for the message
  }
  throw new SecGearError(ErrorCode.ATTESTATION_FAILED, `${what}: the service answered HTTP ${response.status}${detail ? `: ${detail}` : ''}`);
}

/** Asks the service for a fresh challenge. */
export async function requestChallenge(serviceUrl: string | URL, options: WireOptions = {}): Promise<Challenge> {
  const doFetch = options.fetch ?? fetch;
  const response = await doFetch(endpoint(serviceUrl, 'challenge'), { method: 'GET', signal: options.signal });
  if (!response.ok) await failure(response, 'GET /challenge');
  const body: unknown = await response.json().catch(() => null);
  if (typeof body !== 'string' || !/^[A-Za-z0-9_-]{11,86}$/.test(body)) {
    throw new SecGearError(ErrorCode.ATTESTATION_FAILED, 'GET /challenge: the service did not answer a base64url challenge string');
  }
  const setCookie = response.headers.get('set-cookie');
  const match = setCookie ? new RegExp(`(?:^|[;,]\\s*)${SESSION_COOKIE}=([^;,\\s]+)`).exec(setCookie) : null;
  return { nonce: new Uint8Array(Buffer.from(body, 'base64url')), challenge: body, cookie: match ? `${SESSION_COOKIE}=${match[1]}` : null };
}

export interface SubmitOptions extends WireOptions {
  challenge: Challenge;
  evidence: EvidenceEnvelope;
  /** Policies to appraise with (the service's defaults for the TEE when omitted). */
  policyIds?: string[];
}

/** Submits evidence bound to `challenge` and returns the token (a compact JWS). */
export async function submitEvidence(serviceUrl: string | URL, options: SubmitOptions): Promise<string> {
  const doFetch = options.fetch ?? fetch;
  const body: Record<string, unknown> = {
    challenge: options.challenge.challenge,
    evidence: Buffer.from(options.evidence.data).toString('base64url'),
    media_type: options.evidence.mediaType,
  };
  if (options.policyIds) body.policy_id = options.policyIds;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.challenge.cookie) {
    headers.cookie = options.challenge.cookie;
    headers['as-challenge'] = 'true';
  }
  const response = await doFetch(endpoint(serviceUrl, 'attestation'), { method: 'POST', headers, body: JSON.stringify(body), signal: options.signal });
  if (!response.ok) await failure(response, 'POST /attestation');
  const token = (await response.text()).trim();
  if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token)) {
    throw new SecGearError(ErrorCode.ATTESTATION_FAILED, 'POST /attestation: the service did not answer a JWT');
  }
  return token;
}

export { endpoint as serviceEndpoint };
