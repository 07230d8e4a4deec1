// Property tests on every input the service parses: request bodies, policies, reference
// values and tokens. Bad input gets a 4xx answer or a SecGearError, never a 500 or a crash.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { TokenVerifier } from 'secgear/agent';
import { SecGearError } from 'secgear/errors';
import { compilePolicy } from '../src/index.js';
import { HttpError } from '../src/context.js';
import { checkReference, ATTESTATION_POLICY_VARIABLES } from '../src/policy/store.js';
import { toCelValue } from '../src/policy/cel.js';
import { admin, createHarness, type Harness } from './support/harness.js';

const json = fc.jsonValue({ maxDepth: 3 });
const hex = (o: { minLength: number; maxLength: number }) => fc.string({ ...o, unit: fc.constantFrom(...'0123456789abcdef') });
const base64url = fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString('base64url'));

describe('service inputs (property-based)', () => {
  let h: Harness;
  let url: string;
  before(async () => {
    h = createHarness();
    ({ url } = await h.service({ verifier: { allowSimulation: true } }));
  });
  after(() => h.cleanup());

  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(new URL(path, url), { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

  it('POST /attestation answers 4xx to any body (never 500)', async () => {
    const bodies = fc.oneof(
      json.map((v) => JSON.stringify(v)),
      fc.record({ challenge: fc.oneof(base64url, fc.string()), evidence: fc.oneof(base64url, fc.string()), policy_id: fc.option(fc.array(fc.string())) }).map((v) => JSON.stringify(v)),
      fc.string(),
    );
    await fc.assert(
      fc.asyncProperty(bodies, async (body) => {
        const r = await post('/attestation', body);
        await r.arrayBuffer();
        return r.status >= 400 && r.status < 500;
      }),
      { numRuns: 150, seed: 13 },
    );
  });

  it('evidence that is random bytes under a valid challenge is refused with 403, never 500', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 3, maxLength: 2000 }), async (bytes) => {
        const challenge = (await (await fetch(new URL('/challenge', url))).json()) as string;
        const r = await post('/attestation', JSON.stringify({ challenge, evidence: Buffer.from(bytes).toString('base64url') }));
        const body = (await r.json()) as { error: string };
        assert.equal(r.status, 403, JSON.stringify(body));
        return body.error === 'CC_ERROR_ATTESTATION_FAILED';
      }),
      { numRuns: 60, seed: 7 },
    );
  });

  it('admin bodies of any shape answer 4xx (never 500)', async () => {
    const paths = fc.constantFrom('/policy', '/reference', '/resource/storage', '/resource/policy');
    await fc.assert(
      fc.asyncProperty(paths, json, async (path, body) => {
        const r = await admin(url, 'POST', path, body);
        await r.arrayBuffer();
        return (r.status >= 400 && r.status < 500) || r.status === 200;
      }),
      { numRuns: 200, seed: 3 },
    );
  });

  it('the token verifier refuses any string with CC_ERROR_INVALID_TOKEN', async () => {
    const verifier = new TokenVerifier({ jwksUrl: new URL('/.well-known/jwks.json', url), issuer: 'secgear-attestation' });
    const tokens = fc.oneof(fc.string(), fc.tuple(base64url, base64url, base64url).map((p) => p.join('.')));
    await fc.assert(
      fc.asyncProperty(tokens, async (token) => {
        try {
          await verifier.verify(token);
          return false;
        } catch (e) {
          return e instanceof SecGearError && e.code === 'CC_ERROR_INVALID_TOKEN';
        }
      }),
      { numRuns: 150, seed: 5 },
    );
  });
});

describe('policies and reference values (property-based)', () => {
  const claims = fc.record({
    tee: fc.constantFrom('sim', 'sgx', 'tdx'),
    measurement: fc.option(fc.uint8Array({ minLength: 32, maxLength: 48 }).map((b) => Buffer.from(b).toString('hex'))),
    svn: fc.option(fc.integer({ min: 0, max: 2 ** 32 - 1 })),
    debug: fc.option(fc.boolean()),
    measurements: fc.dictionary(fc.constantFrom('RTMR0', 'RTMR1', 'PCR0'), hex({ minLength: 2, maxLength: 96 })),
    advisoryIds: fc.array(fc.string({ maxLength: 20 }), { maxLength: 4 }),
  });
  const celTokens = fc.constantFrom('claims', '.', 'tee', 'svn', 'measurement', 'measurements', '[', ']', '(', ')', '"sim"', '1', '2u', '&&', '||', '!', '==', '>=', 'in', 'ref', '"a"', 'size', 'all', 'x', ',', '?', ':', 'true', 'null', '+', '-', '/', '%', 'has', 'verifier_status', 'exists', 'map');

  it('any expression compiles or is refused with CC_ERROR_INVALID_POLICY; evaluation fails closed with a SecGearError', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 200 }), fc.array(celTokens, { maxLength: 30 }).map((t) => t.join(' '))), claims, (source, c) => {
        let policy;
        try {
          policy = compilePolicy(source, ATTESTATION_POLICY_VARIABLES);
        } catch (e) {
          return e instanceof SecGearError && e.code === 'CC_ERROR_INVALID_POLICY';
        }
        try {
          const outcome = policy.evaluate({ claims: toCelValue(c), ref: { a: ['00'] }, tee: c.tee, format: 'sim', verifier_status: 'affirming' });
          return ['affirming', 'warning', 'contraindicated'].includes(outcome);
        } catch (e) {
          return e instanceof SecGearError && e.code === 'CC_ERROR_INVALID_POLICY';
        }
      }),
      { numRuns: 1000, seed: 11 },
    );
  });

  it('a measurement policy is affirming exactly when the measurement is among the reference values', () => {
    const policy = compilePolicy('claims.measurement in ref["m"]', ATTESTATION_POLICY_VARIABLES);
    fc.assert(
      fc.property(hex({ minLength: 2, maxLength: 8 }), fc.array(hex({ minLength: 2, maxLength: 8 }), { maxLength: 5 }), (m, values) => {
        const outcome = policy.evaluate({ claims: { measurement: m }, ref: { m: values }, tee: 'sim', format: 'sim', verifier_status: 'affirming' });
        return (outcome === 'affirming') === values.includes(m);
      }),
      { numRuns: 500, seed: 2 },
    );
  });

  it('reference value inputs are accepted normalized or refused with a 400', () => {
    fc.assert(
      fc.property(fc.oneof(json, fc.record({ name: fc.string({ maxLength: 40 }), values: fc.oneof(fc.string(), fc.array(fc.string())), tee: fc.option(fc.string()), expires_at: fc.option(fc.string()) })), (input) => {
        try {
          const r = checkReference(input, new Date(0));
          return r.values.length > 0 && r.values.every((v) => typeof v === 'string' && !/^0x/.test(v));
        } catch (e) {
          return e instanceof HttpError && e.statusCode === 400;
        }
      }),
      { numRuns: 1000, seed: 17 },
    );
    assert.deepEqual(checkReference({ name: 'tdx.rtmr0', values: ['0xABCD', 'abcd'], tee: 'tdx' }, new Date(0)).values, ['abcd', 'abcd']);
  });
});
