/**
 * AWS Signature Version 4, verified by recomputation: the canonical request is rebuilt from
 * the method, URL, the signed headers and the body as received (the body is hashed here, never
 * taken from a header), then the signature is recomputed with the caller's secret and compared
 * in constant time. Pure computation: it runs inside the enclave.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { Exception, KmsError } from './kms-error.js';

export const SIGV4_ALGORITHM = 'AWS4-HMAC-SHA256';
/** How far a request's X-Amz-Date may be from the server's clock (AWS: 5 minutes). */
export const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;
/** Headers that must be signed: without them a signature could be moved to another request. */
const REQUIRED_SIGNED_HEADERS = ['host', 'x-amz-date', 'x-amz-target'];

/** What the verifier needs of an HTTP request; `headers` as received (names any case, repeats kept). */
export interface SignedRequest {
  method: string;
  /** Path and query as on the request line. */
  url: string;
  headers: ReadonlyArray<readonly [string, string]>;
  body: Uint8Array;
}

export interface ParsedAuthorization {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

const incomplete = (message: string) => new KmsError(Exception.IncompleteSignature, message);

/** Parses `Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...`. */
export function parseAuthorization(header: string | undefined): ParsedAuthorization {
  if (!header) throw new KmsError(Exception.MissingAuthenticationToken, 'the request is not signed: send an AWS Signature Version 4 Authorization header');
  if (header.length > 4096) throw incomplete('the Authorization header is too long');
  const space = header.indexOf(' ');
  if (space < 0 || header.slice(0, space) !== SIGV4_ALGORITHM) throw incomplete(`only ${SIGV4_ALGORITHM} signatures are accepted`);
  const fields = new Map<string, string>();
  for (const part of header.slice(space + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) throw incomplete(`malformed Authorization field "${part.trim().slice(0, 40)}"`);
    fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const credential = fields.get('Credential');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (!credential || !signedHeaders || !signature) throw incomplete('Authorization needs Credential, SignedHeaders and Signature');
  const scope = credential.split('/');
  if (scope.length !== 5 || scope[4] !== 'aws4_request' || !/^\d{8}$/.test(scope[1])) {
    throw incomplete('Credential must be <access-key-id>/<yyyymmdd>/<region>/<service>/aws4_request');
  }
  if (!/^[0-9a-f]{64}$/.test(signature)) throw incomplete('Signature must be 64 lowercase hex digits');
  const names = signedHeaders.split(';');
  if (names.some((n) => !/^[a-z0-9-]+$/.test(n))) throw incomplete('SignedHeaders must be lowercase header names separated by ";"');
  return { accessKeyId: scope[0], date: scope[1], region: scope[2], service: scope[3], signedHeaders: names, signature };
}

/** RFC 3986 encoding as SigV4 wants it (unreserved characters stay, everything else %XX uppercase). */
export function uriEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function canonicalPath(path: string): string {
  // non-S3 services sign each segment encoded once more than it arrived
  return path.split('/').map((segment) => uriEncode(segment)).join('/') || '/';
}

function canonicalQuery(query: string): string {
  if (!query) return '';
  const pairs = query.split('&').filter(Boolean).map((pair) => {
    const eq = pair.indexOf('=');
    const decode = (s: string) => {
      try {
        return decodeURIComponent(s.replace(/\+/g, ' '));
      } catch {
        throw incomplete('the query string is not valid percent-encoding');
      }
    };
    const key = decode(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? '' : decode(pair.slice(eq + 1));
    return [uriEncode(key), uriEncode(value)] as const;
  });
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

/** The value of a header for signing: every occurrence, trimmed, inner runs of spaces collapsed, joined by ','. */
export function headerValue(headers: SignedRequest['headers'], name: string): string | undefined {
  const values = headers.filter(([n]) => n.toLowerCase() === name).map(([, v]) => v.trim().replace(/\s+/g, ' '));
  return values.length ? values.join(',') : undefined;
}

export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The canonical request of SigV4, from the request as received. */
export function canonicalRequest(request: SignedRequest, signedHeaders: string[]): string {
  const q = request.url.indexOf('?');
  const path = q < 0 ? request.url : request.url.slice(0, q);
  const query = q < 0 ? '' : request.url.slice(q + 1);
  const headerLines = signedHeaders.map((name) => {
    const value = headerValue(request.headers, name);
    if (value === undefined) throw incomplete(`the signed header "${name}" is missing from the request`);
    return `${name}:${value}\n`;
  });
  return [request.method.toUpperCase(), canonicalPath(path), canonicalQuery(query), headerLines.join(''), signedHeaders.join(';'), sha256Hex(request.body)].join('\n');
}

/** HMAC chain of SigV4: kDate, kRegion, kService, kSigning. */
export function signingKey(secret: string, date: string, region: string, service: string): Uint8Array {
  const hmac = (key: Uint8Array | string, data: string) => createHmac('sha256', key).update(data).digest();
  return hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), 'aws4_request');
}

/** `20260102T030405Z` to epoch milliseconds (NaN when malformed). */
export function parseAmzDate(value: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return Number.NaN;
  return Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
}

export interface VerifyOptions {
  /** The region this server answers for; the credential scope must name it. */
  region: string;
  /** Server clock, epoch milliseconds. */
  now: number;
}

/**
 * Checks a request's signature with the caller's secret: scope (date, region, service),
 * required signed headers, clock skew, body hash and the signature itself.
 */
export function verifySignature(request: SignedRequest, auth: ParsedAuthorization, secret: string, options: VerifyOptions): void {
  if (auth.service !== 'kms') throw new KmsError(Exception.InvalidSignature, `the credential scope names service "${auth.service}"; sign for "kms"`);
  if (auth.region !== options.region) throw new KmsError(Exception.InvalidSignature, `the credential scope names region "${auth.region}"; this endpoint serves "${options.region}"`);
  for (const name of REQUIRED_SIGNED_HEADERS) {
    if (!auth.signedHeaders.includes(name)) throw incomplete(`the header "${name}" must be signed`);
  }
  const sorted = [...auth.signedHeaders].sort();
  if (sorted.some((n, i) => n !== auth.signedHeaders[i] || (i > 0 && n === sorted[i - 1]))) throw incomplete('SignedHeaders must be sorted and unique');
  const amzDate = headerValue(request.headers, 'x-amz-date') ?? '';
  const time = parseAmzDate(amzDate);
  if (Number.isNaN(time)) throw incomplete('X-Amz-Date must be yyyymmddThhmmssZ');
  if (amzDate.slice(0, 8) !== auth.date) throw new KmsError(Exception.InvalidSignature, 'the credential scope date is not the date of X-Amz-Date');
  if (Math.abs(options.now - time) > MAX_CLOCK_SKEW_MS) {
    throw new KmsError(Exception.InvalidSignature, `Signature expired: ${amzDate} is more than 5 minutes from the server time ${new Date(options.now).toISOString()}`);
  }
  const declaredHash = headerValue(request.headers, 'x-amz-content-sha256');
  const canonical = canonicalRequest(request, auth.signedHeaders);
  if (declaredHash !== undefined && declaredHash !== canonical.slice(canonical.lastIndexOf('\n') + 1)) {
    throw new KmsError(Exception.InvalidSignature, 'X-Amz-Content-Sha256 is not the hash of the body');
  }
  const scope = `${auth.date}/${auth.region}/${auth.service}/aws4_request`;
  const stringToSign = `${SIGV4_ALGORITHM}\n${amzDate}\n${scope}\n${sha256Hex(canonical)}`;
  const expected = createHmac('sha256', signingKey(secret, auth.date, auth.region, auth.service)).update(stringToSign).digest();
  const given = Buffer.from(auth.signature, 'hex');
  if (!timingSafeEqual(expected, given)) {
    throw new KmsError(Exception.InvalidSignature, 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.');
  }
}

/** Signs a request (tests and the admin CLI's own checks use it; clients use the AWS SDK). */
export function signRequest(request: Omit<SignedRequest, 'headers'> & { headers: Record<string, string> }, credentials: { accessKeyId: string; secretAccessKey: string }, region: string, now = Date.now()): string {
  const amzDate = new Date(now).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  request.headers['x-amz-date'] = amzDate;
  const entries = Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v] as const);
  const signedHeaders = entries.map(([k]) => k).sort();
  const canonical = canonicalRequest({ ...request, headers: entries }, signedHeaders);
  const scope = `${amzDate.slice(0, 8)}/${region}/kms/aws4_request`;
  const stringToSign = `${SIGV4_ALGORITHM}\n${amzDate}\n${scope}\n${sha256Hex(canonical)}`;
  const signature = createHmac('sha256', signingKey(credentials.secretAccessKey, amzDate.slice(0, 8), region, 'kms')).update(stringToSign).digest('hex');
  return `${SIGV4_ALGORITHM} Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders.join(';')}, Signature=${signature}`;
}
