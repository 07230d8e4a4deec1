// End to end on the sim backend: enclave → agent → service → token → relying party → resource.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { toHex, type Enclave } from 'secgear';
import { AttestationAgent, requestChallenge, submitEvidence, TokenVerifier } from 'secgear/agent';
import { admin, createHarness, ok, type Harness } from './support/harness.js';

const ISSUER = 'https://as.test';

describe('attestation end to end on sim', () => {
  let h: Harness;
  let good: Enclave;
  let other: Enclave;
  let url: string;
  let now = Date.now();
  before(async () => {
    h = createHarness();
    good = await h.enclave('1.0.0');
    other = await h.enclave('2.0.0');
    ({ url } = await h.service({
      issuer: ISSUER,
      clock: () => new Date(now),
      tokenLifetimeSeconds: 120,
      verifier: { allowSimulation: true, trustAnchors: h.simRoot() },
    }));
    await ok(admin(url, 'POST', '/reference', {
      references: [{ name: 'attester.measurement', values: [toHex(good.info.measurement)], tee: 'sim', provenance: 'test build of attester 1.0.0' }],
    }));
    await ok(admin(url, 'POST', '/policy', {
      tee: 'sim', id: 'attester', default: true,
      policy: 'claims.measurement in ref["attester.measurement"] && claims.debug == false && claims.svn >= 2 ? verifier_status : "contraindicated"',
    }));
    await ok(admin(url, 'POST', '/resource/policy', { Add: { policy: { vendor: 'acme', id: 'attested' }, content: 'status == "affirming" && tee == "sim"' } }));
    await ok(admin(url, 'POST', '/resource/storage', { op: { Add: { content: 'the database password', policy: ['acme/attested'] } }, resource: { vendor: 'acme', path: 'db/password' } }));
  });
  after(() => h.cleanup());

  const agentFor = (enclave: Enclave) =>
    new AttestationAgent({ serviceUrl: url, evidence: (nonce) => enclave.getEvidence({ nonce }), now: () => now });
  const verifier = () => new TokenVerifier({ jwksUrl: new URL('/.well-known/jwks.json', url), issuer: ISSUER, now: () => new Date(now) });
  const getSecret = (token: string) => fetch(new URL('/resource/storage?vendor=acme&path=db/password', url), { headers: { authorization: `Bearer ${token}` } });

  it('the right enclave gets an affirming EAR, the relying party accepts it, and the resource is released', async () => {
    const agent = agentFor(good);
    const token = await agent.getToken();
    const ear = await verifier().verify(token);
    assert.equal(ear.overallStatus, 'affirming');
    const sub = ear.submods.sim;
    assert.equal(sub['ear.status'], 'affirming');
    assert.equal(sub['ear.appraisal-policy-id'], 'attester');
    assert.deepEqual(sub['ear.trustworthiness-vector'], { 'instance-identity': 2, 'runtime-opaque': 96, executables: 2 });
    const claims = sub['ear.veraison.annotated-evidence'] as { measurement: string; tee: string };
    assert.equal(claims.measurement, toHex(good.info.measurement));
    assert.equal(ear.iss, ISSUER);
    assert.equal(ear.exp! - ear.iat, 120);
    const response = await getSecret(token);
    assert.equal(response.status, 200);
    assert.equal(await response.text(), 'the database password');
    // the cache answers the next call without a new attestation
    assert.equal(await agent.getToken(), token);
    agent.close();
  });

  it('a wrong measurement gets a contraindicated token: the relying party and the key broker refuse', async () => {
    const agent = agentFor(other);
    const token = await agent.getToken();
    await assert.rejects(verifier().verify(token), (e: { code?: string; message: string }) => e.code === 'CC_ERROR_INVALID_TOKEN' && /contraindicated/.test(e.message));
    const ear = await verifier().verify(token, { minimumStatus: 'contraindicated' });
    assert.equal(ear.submods.sim['ear.trustworthiness-vector'].executables, 33);
    const response = await getSecret(token);
    assert.equal(response.status, 403);
    agent.close();
  });

  it('an expired token is refused by the relying party and the key broker; the agent refreshes before expiry', async () => {
    const agent = agentFor(good);
    const token = await agent.getToken();
    now += 100_000; // 100 s of 120: inside the last 20 %, so the agent attests again
    const fresh = await agent.getToken();
    assert.notEqual(fresh, token);
    now += 60_000; // the first token is now 160 s old
    await assert.rejects(verifier().verify(token), /expired/);
    assert.equal((await getSecret(token)).status, 401);
    assert.equal((await getSecret(fresh)).status, 200);
    agent.close();
  });

  it('background-check mode: the relying party gets the challenge, the attester only makes evidence, the relying party submits it', async () => {
    // relying party
    const challenge = await requestChallenge(url);
    // attester: evidence for the nonce it was handed, nothing else
    const evidence = await good.getEvidence({ nonce: challenge.nonce });
    // relying party again
    const token = await submitEvidence(url, { challenge, evidence });
    const ear = await verifier().verify(token, { nonce: challenge.nonce });
    assert.equal(ear.overallStatus, 'affirming');
    await assert.rejects(verifier().verify(token, { nonce: new Uint8Array(32) }), /another nonce/);
  });

  it('concurrent getToken calls share one attestation', async () => {
    let calls = 0;
    const agent = new AttestationAgent({
      serviceUrl: url,
      evidence: (nonce) => {
        calls++;
        return good.getEvidence({ nonce });
      },
      now: () => now,
    });
    const tokens = await Promise.all([agent.getToken(), agent.getToken(), agent.getToken()]);
    assert.equal(new Set(tokens).size, 1);
    assert.equal(calls, 1);
    agent.close();
  });
});

describe('the service trusts only its configured sim roots', () => {
  let h: Harness;
  before(() => {
    h = createHarness();
  });
  after(() => h.cleanup());

  it('sim evidence is refused when the sim root is not configured, even when it is this machine\'s own root', async () => {
    const enclave = await h.enclave('1.0.0');
    const previous = process.env.SECGEAR_SIM_DIR;
    process.env.SECGEAR_SIM_DIR = h.stateDir; // the local root is the enclave's root
    try {
      const { url } = await h.service({ verifier: { allowSimulation: true } });
      const agent = new AttestationAgent({ serviceUrl: url, evidence: (nonce) => enclave.getEvidence({ nonce }) });
      await assert.rejects(agent.getToken(), (e: { code?: string; message: string }) => e.code === 'CC_ERROR_ATTESTATION_FAILED' && /sim\.attestationKey\.chain/.test(e.message));
      agent.close();
    } finally {
      if (previous === undefined) delete process.env.SECGEAR_SIM_DIR;
      else process.env.SECGEAR_SIM_DIR = previous;
    }
  });

  it('without allowSimulation, sim evidence is refused even with its root configured', async () => {
    const enclave = await h.enclave('1.0.0');
    const { url } = await h.service({ verifier: { trustAnchors: h.simRoot() } });
    const agent = new AttestationAgent({ serviceUrl: url, evidence: (nonce) => enclave.getEvidence({ nonce }) });
    await assert.rejects(agent.getToken(), /sim\.simulationAllowed/);
    agent.close();
  });
});
