// Refusals: replayed, expired and foreign challenges; forged tokens; unauthenticated admin calls;
// and two service instances in one process that share no state.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { SignJWT, decodeJwt, decodeProtectedHeader } from 'jose';
import type { Enclave } from 'secgear';
import { requestChallenge, submitEvidence, TokenVerifier, type Challenge } from 'secgear/agent';
import { admin, ADMIN_TOKEN, createHarness, ok, type Harness } from './support/harness.js';

describe('attestation service refusals', () => {
  let h: Harness;
  let enclave: Enclave;
  let url: string;
  let otherUrl: string;
  let now = Date.now();
  before(async () => {
    h = createHarness();
    enclave = await h.enclave('1.0.0');
    const options = { clock: () => new Date(now), challengeLifetimeSeconds: 60, verifier: { allowSimulation: true, trustAnchors: h.simRoot() } };
    ({ url } = await h.service(options));
    ({ url: otherUrl } = await h.service(options));
    await ok(admin(url, 'POST', '/resource/policy', { Add: { policy: { vendor: 'acme', id: 'any' }, content: 'status == "affirming"' } }));
    await ok(admin(url, 'POST', '/resource/storage', { op: { Add: { content: 's3cret', policy: ['acme/any'] } }, resource: { vendor: 'acme', path: 'k' } }));
  });
  after(() => h.cleanup());

  const evidenceFor = (c: Challenge) => enclave.getEvidence({ nonce: c.nonce });
  const attest = async (base = url) => {
    const challenge = await requestChallenge(base);
    return submitEvidence(base, { challenge, evidence: await evidenceFor(challenge) });
  };
  const post = (base: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(new URL('/attestation', base), { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const bodyFor = async (c: Challenge, evidenceChallenge = c) => ({
    challenge: c.challenge,
    evidence: Buffer.from((await evidenceFor(evidenceChallenge)).data).toString('base64url'),
  });
  const errorCode = async (r: Response) => ((await r.json()) as { error: string }).error;

  it('a replayed challenge is refused', async () => {
    const c = await requestChallenge(url);
    const body = await bodyFor(c);
    assert.equal((await post(url, body, { cookie: c.cookie! })).status, 200);
    const again = await post(url, body, { cookie: c.cookie! });
    assert.equal(again.status, 401);
    assert.equal(await errorCode(again), 'CC_ERROR_REPLAY');
  });

  it('an expired challenge is refused', async () => {
    const c = await requestChallenge(url);
    const body = await bodyFor(c);
    now += 61_000;
    const r = await post(url, body);
    assert.equal(r.status, 401);
    assert.equal(await errorCode(r), 'CC_ERROR_TIMEOUT');
  });

  it('evidence bound to another nonce is refused', async () => {
    const a = await requestChallenge(url);
    const b = await requestChallenge(url);
    const r = await post(url, await bodyFor(b, a));
    assert.equal(r.status, 403);
    const body = (await r.json()) as { error: string; message: string };
    assert.equal(body.error, 'CC_ERROR_ATTESTATION_FAILED');
    assert.match(body.message, /nonce/);
  });

  it('a session cookie of another challenge is refused (secGear\'s as-challenge check)', async () => {
    const a = await requestChallenge(url);
    const b = await requestChallenge(url);
    const r = await post(url, await bodyFor(a), { cookie: b.cookie!, 'as-challenge': '1' });
    assert.equal(r.status, 401);
    assert.equal(await errorCode(r), 'CC_ERROR_ACCESS_DENIED');
    const noCookie = await post(url, await bodyFor(b), { 'as-challenge': '1' });
    assert.equal(noCookie.status, 401);
  });

  it('forged tokens are refused by the key broker and by the relying-party verifier', async () => {
    const genuine = await attest();
    const header = decodeProtectedHeader(genuine);
    const claims = decodeJwt(genuine);
    const verifier = new TokenVerifier({ jwksUrl: new URL('/.well-known/jwks.json', url), issuer: 'secgear-attestation', now: () => new Date(now) });
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    const forgeries: Record<string, string> = {
      'another key under the same kid': await new SignJWT(claims).setProtectedHeader({ alg: 'ES384', kid: header.kid }).sign(privateKey),
      'alg none': `${Buffer.from(JSON.stringify({ alg: 'none', kid: header.kid })).toString('base64url')}.${genuine.split('.')[1]}.`,
      'payload changed under the genuine signature': (() => {
        const [h64, , sig] = genuine.split('.');
        const changed = { ...claims, exp: (claims.exp as number) + 86_400 };
        return `${h64}.${Buffer.from(JSON.stringify(changed)).toString('base64url')}.${sig}`;
      })(),
      'a genuine token of another service instance': await attest(otherUrl),
    };
    for (const [what, token] of Object.entries(forgeries)) {
      const r = await fetch(new URL('/resource/storage?vendor=acme&path=k', url), { headers: { authorization: `Bearer ${token}` } });
      assert.equal(r.status, 401, what);
      await assert.rejects(verifier.verify(token), (e: { code?: string }) => e.code === 'CC_ERROR_INVALID_TOKEN', what);
    }
    const r = await fetch(new URL('/resource/storage?vendor=acme&path=k', url), { headers: { authorization: `Bearer ${genuine}` } });
    assert.equal(await r.text(), 's3cret');
    // no token at all
    assert.equal((await fetch(new URL('/resource/storage?vendor=acme&path=k', url))).status, 401);
  });

  it('admin endpoints refuse calls without the admin token, or with a wrong one', async () => {
    const calls: [string, string, unknown?][] = [
      ['POST', '/policy', { tee: 'sim', id: 'p', policy: 'true' }],
      ['GET', '/policy'],
      ['DELETE', '/policy?policy_id=p'],
      ['POST', '/reference', { refs: '{"a":"00"}' }],
      ['GET', '/reference'],
      ['DELETE', '/reference?name=a'],
      ['POST', '/resource/storage', { op: 'Delete', resource: { vendor: 'acme', path: 'k' } }],
      ['GET', '/resource/policy?op=GetAll'],
      ['POST', '/resource/policy', 'ClearAll'],
    ];
    for (const [method, path, body] of calls) {
      const none = await fetch(new URL(path, url), { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
      assert.equal(none.status, 401, `${method} ${path} without a token`);
      assert.match(none.headers.get('www-authenticate') ?? '', /^Bearer/);
      assert.equal((await admin(url, method, path, body, `${ADMIN_TOKEN}x`)).status, 401, `${method} ${path} with a wrong token`);
    }
    // the resource and its policy are still there
    assert.deepEqual(JSON.parse(await ok(admin(url, 'GET', '/resource/policy?op=GetAll'))), ['acme/any']);
  });

  it('a service without admin tokens refuses every admin call', async () => {
    const { url: locked } = await h.service({ adminTokens: [] });
    assert.equal((await admin(locked, 'GET', '/reference')).status, 401);
  });

  it('policies that could run long or do not parse are refused when set', async () => {
    for (const policy of ['claims.tee.matches("^(a+)+$")', '[1].all(x, [1].all(y, [1].all(z, true)))', 'claims.tee ==', '1 + 2']) {
      const r = await admin(url, 'POST', '/policy', { tee: 'sim', id: 'bad', policy });
      assert.equal(r.status, 400, policy);
      assert.equal(await errorCode(r), 'CC_ERROR_INVALID_POLICY', policy);
    }
  });

  it('two instances in one process share no state: policies, challenges and keys are their own', async () => {
    await ok(admin(url, 'POST', '/policy', { tee: 'sim', id: 'only-here', policy: 'true' }));
    assert.equal((await admin(otherUrl, 'GET', '/policy?policy_id=only-here')).status, 404);
    const c = await requestChallenge(url);
    const r = await post(otherUrl, await bodyFor(c));
    assert.equal(r.status, 401);
    assert.equal(await errorCode(r), 'CC_ERROR_REPLAY');
    const keys = async (base: string) => ((await (await fetch(new URL('/.well-known/jwks.json', base))).json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid);
    const [mine, theirs] = [await keys(url), await keys(otherUrl)];
    assert.equal(mine.length, 1);
    assert.notDeepEqual(mine, theirs);
  });
});
