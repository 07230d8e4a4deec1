/**
 * Authentication inside the enclave: the caller's secret is unwrapped here (it is bound to its
 * access key id and tenant), the SigV4 signature is recomputed over the request as received,
 * and the signed X-Amz-Target must name the operation the host says it is serving.
 */
import { Exception, KmsError } from '../common/kms-error.js';
import { parseBody, type Params } from '../common/params.js';
import type { EnclaveCall } from '../common/protocol.js';
import { headerValue, parseAuthorization, verifySignature } from '../common/sigv4.js';
import { secretBinding, unwrap } from './root-key.js';

const isString = (v: unknown): v is string => typeof v === 'string';

/** Structure of a call from the host: hostile until checked. */
export function checkCall(call: unknown): asserts call is EnclaveCall {
  const bad = (what: string) => new KmsError(Exception.Internal, `malformed call from the host: ${what}`, 500);
  if (typeof call !== 'object' || call === null) throw bad('not an object');
  const c = call as Partial<EnclaveCall>;
  if (!isString(c.operation) || !isString(c.region)) throw bad('operation/region');
  const r = c.request;
  if (!r || !isString(r.method) || !isString(r.url) || !(r.body instanceof Uint8Array) || !Array.isArray(r.headers)) throw bad('request');
  if (r.headers.some((h) => !Array.isArray(h) || h.length !== 2 || !isString(h[0]) || !isString(h[1]))) throw bad('headers');
  const k = c.caller;
  if (!k || !isString(k.accessKeyId) || !isString(k.tenant) || !(k.wrappedSecret instanceof Uint8Array)) throw bad('caller');
  if (!Array.isArray(c.keys) || c.keys.length > 2) throw bad('keys');
  for (const key of c.keys) {
    if (!key || !isString(key.keyId) || !isString(key.tenant) || !isString(key.spec) || !Number.isInteger(key.version) || !(key.wrapped instanceof Uint8Array)) throw bad('key record');
  }
}

/** Verifies the request's signature; returns its parameters (from the signed body). */
export function authenticate(call: EnclaveCall, now: number): Params {
  const auth = parseAuthorization(headerValue(call.request.headers, 'authorization'));
  if (auth.accessKeyId !== call.caller.accessKeyId) throw new KmsError(Exception.UnrecognizedClient, 'The security token included in the request is invalid.');
  const secret = unwrap(call.caller.wrappedSecret, secretBinding(call.caller.tenant, call.caller.accessKeyId), (m) => m.toString('utf8'));
  verifySignature(call.request, auth, secret, { region: call.region, now });
  if (headerValue(call.request.headers, 'x-amz-target') !== `TrentService.${call.operation}`) {
    throw new KmsError(Exception.InvalidSignature, 'the signed X-Amz-Target does not name the operation served');
  }
  for (const key of call.keys) {
    if (key.tenant !== call.caller.tenant) throw new KmsError(Exception.AccessDenied, 'the key belongs to another account');
  }
  return parseBody(call.request.body);
}
