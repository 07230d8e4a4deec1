// Two service nodes sharing one PostgreSQL database (started by the test): a challenge from one
// node is taken by the other, exactly once; either node's tokens verify with either node's JWKS;
// policies and resources set on one node apply on the other.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { toHex, type Enclave } from 'secgear';
import { requestChallenge, submitEvidence, TokenVerifier } from 'secgear/agent';
import { admin, createHarness, ok, type Harness } from './support/harness.js';
import { startPostgres, type TestPostgres } from './support/postgres.js';

describe('two service nodes on one PostgreSQL database', () => {
  let h: Harness;
  let db: TestPostgres;
  let enclave: Enclave;
  let a: string;
  let b: string;
  before(async () => {
    db = await startPostgres();
    h = createHarness();
    enclave = await h.enclave('1.0.0');
    const options = { store: { postgres: db.url }, issuer: 'cluster', verifier: { allowSimulation: true, trustAnchors: h.simRoot() } };
    // both nodes start at once: table creation must not race
    [{ url: a }, { url: b }] = await Promise.all([h.service(options), h.service(options)]);
  });
  after(async () => {
    await h?.cleanup();
    await db?.stop();
  });

  it('a challenge from node A is answered at node B, once; B\'s token verifies with A\'s JWKS', async () => {
    await ok(admin(a, 'POST', '/reference', { refs: JSON.stringify({ 'attester.measurement': toHex(enclave.info.measurement) }) }));
    await ok(admin(a, 'POST', '/policy', { tee: 'sim', id: 'attester', default: true, policy: 'claims.measurement in ref["attester.measurement"]' }));
    const challenge = await requestChallenge(a);
    const evidence = await enclave.getEvidence({ nonce: challenge.nonce });
    const token = await submitEvidence(b, { challenge, evidence });
    await assert.rejects(submitEvidence(a, { challenge, evidence }), /HTTP 401.*CC_ERROR_REPLAY/);
    const ear = await new TokenVerifier({ jwksUrl: new URL('/.well-known/jwks.json', a), issuer: 'cluster' }).verify(token, { nonce: challenge.nonce });
    assert.equal(ear.submods.sim['ear.appraisal-policy-id'], 'attester');
    const keys = (await (await fetch(new URL('/.well-known/jwks.json', b))).json()) as { keys: unknown[] };
    assert.equal(keys.keys.length, 2);
  });

  it('a resource stored through node B is released by node A against a token from node B', async () => {
    await ok(admin(b, 'POST', '/resource/policy', { Add: { policy: { vendor: 'v', id: 'p' }, content: 'status == "affirming"' } }));
    await ok(admin(b, 'POST', '/resource/storage', { op: { Add: { content: 'shared secret', policy: ['v/p'] } }, resource: { vendor: 'v', path: 'key' } }));
    const challenge = await requestChallenge(b);
    const token = await submitEvidence(b, { challenge, evidence: await enclave.getEvidence({ nonce: challenge.nonce }) });
    const r = await fetch(new URL('/resource/storage?vendor=v&path=key', a), { headers: { authorization: `Bearer ${token}` } });
    assert.equal(await r.text(), 'shared secret');
  });

  it('concurrent submissions of one challenge to both nodes: exactly one token', async () => {
    const challenge = await requestChallenge(a);
    const evidence = await enclave.getEvidence({ nonce: challenge.nonce });
    const results = await Promise.allSettled([submitEvidence(a, { challenge, evidence }), submitEvidence(b, { challenge, evidence })]);
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
  });
});
