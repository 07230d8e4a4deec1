/**
 * Fetchers against a fake `fetch` that serves vector files the way Intel PCS and AMD KDS answer
 * (bodies, and PCS issuer chains URL-encoded in response headers). No network.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AmdKdsFetcher,
  CachingFetcher,
  IntelPcsFetcher,
  intelCollateralRequest,
  verifyEvidence,
  type CollateralFetcher,
  type CollateralRequest,
  type FetchFunction,
} from '../../../src/attest/index.js';
import { SecGearError } from '../../../src/common/errors.js';
import { readVector } from '../../support/paths.js';

type Route = { file: string; headers?: Record<string, string> };

function fakeFetch(routes: Record<string, Route>, log: string[] = []): FetchFunction {
  return async (url) => {
    log.push(url);
    const route = routes[url];
    if (!route) return { ok: false, status: 404, headers: { get: () => null }, arrayBuffer: async () => new ArrayBuffer(0) };
    const body = readVector(route.file);
    const headers = new Map(Object.entries(route.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
    return { ok: true, status: 200, headers: { get: (name: string) => headers.get(name.toLowerCase()) ?? null }, arrayBuffer: async () => body.slice().buffer };
  };
}

const urlencoded = (file: string) => Buffer.from(readVector(file)).toString('utf8').trim();
const dir = 'tdx/go-tdx-guest/';
const pcs = 'https://pcs.test';
const intelRoutes: Record<string, Route> = {
  [`${pcs}/tdx/certification/v4/tcb?fmspc=50806f000000`]: { file: `${dir}sample_tcbInfo_response`, headers: { 'TCB-Info-Issuer-Chain': urlencoded(`${dir}pcs_headers/TCB-Info-Issuer-Chain.pem.urlencoded.txt`) } },
  [`${pcs}/tdx/certification/v4/qe/identity`]: { file: `${dir}sample_qeIdentity_response`, headers: { 'SGX-Enclave-Identity-Issuer-Chain': urlencoded(`${dir}pcs_headers/SGX-Enclave-Identity-Issuer-Chain.pem.urlencoded.txt`) } },
  [`${pcs}/sgx/certification/v4/pckcrl?ca=platform&encoding=der`]: { file: `${dir}pckcrl`, headers: { 'SGX-PCK-CRL-Issuer-Chain': urlencoded(`${dir}pcs_headers/SGX-PCK-CRL-Issuer-Chain.pem.urlencoded.txt`) } },
  [`${pcs}/rootcrl`]: { file: `${dir}rootcrl.der` },
};

describe('Intel PCS fetcher', () => {
  it('derives the request (TEE, FMSPC, PCK CA) from a quote', () => {
    const tdx = intelCollateralRequest(readVector(`${dir}tdx_prod_quote_SPR_E4.dat`));
    assert.deepEqual({ ...tdx, fmspc: Buffer.from(tdx.fmspc).toString('hex') }, { kind: 'intel', tee: 'tdx', fmspc: '50806f000000', pckCa: 'platform' });
    const sgx = intelCollateralRequest(readVector('sgx-dcap/dcap-qvl/sgx_quote.bin'));
    assert.equal(sgx.tee, 'sgx');
    assert.equal(sgx.pckCa, 'processor');
    assert.equal(Buffer.from(sgx.fmspc).toString('hex'), '00a067110000');
  });

  it('fetches TCB Info, QE identity, CRLs and the header issuer chains; the result verifies like file collateral', async () => {
    const log: string[] = [];
    const fetcher = new IntelPcsFetcher({ baseUrl: pcs, rootCrlUrl: `${pcs}/rootcrl`, fetch: fakeFetch(intelRoutes, log) });
    const quote = readVector(`${dir}tdx_prod_quote_SPR_E4.dat`);
    const fetched = await fetcher.fetch(intelCollateralRequest(quote));
    assert.equal(log.length, 4);
    assert.deepEqual(fetched.items.map((i) => i.role).sort(), ['pckCrl', 'pckCrlIssuerChain', 'qeIdentity', 'qeIdentityIssuerChain', 'rootCrl', 'tcbInfo', 'tcbInfoIssuerChain']);
    assert.equal(fetched.expiresAt?.toISOString(), '2023-07-08T07:24:59.000Z', 'the earliest nextUpdate (QE identity)');
    const r = await verifyEvidence(quote, { collateral: fetched.items, now: new Date('2023-07-01T01:00:00Z') });
    // as with the files: everything verifies, and no TCB level of this TCB Info matches the quote
    assert.equal(r.failure?.check, 'tcb.level');
    assert.ok(r.checks.some((c) => c.check === 'tcbInfo.signature' && c.ok));
  });

  it('reports HTTP errors and missing issuer-chain headers', async () => {
    const request = intelCollateralRequest(readVector(`${dir}tdx_prod_quote_SPR_E4.dat`));
    const missing = new IntelPcsFetcher({ baseUrl: 'https://nowhere.test', fetch: fakeFetch({}) });
    await assert.rejects(missing.fetch(request), (e: unknown) => e instanceof SecGearError && /HTTP 404/.test(e.message));
    const noHeader = { ...intelRoutes, [`${pcs}/tdx/certification/v4/qe/identity`]: { file: `${dir}sample_qeIdentity_response` } };
    const fetcher = new IntelPcsFetcher({ baseUrl: pcs, rootCrlUrl: `${pcs}/rootcrl`, fetch: fakeFetch(noHeader) });
    await assert.rejects(fetcher.fetch(request), /SGX-Enclave-Identity-Issuer-Chain/);
    const broken = new IntelPcsFetcher({ fetch: async () => { throw new Error('connection refused'); } });
    await assert.rejects(broken.fetch(request), /connection refused/);
  });
});

describe('AMD KDS fetcher', () => {
  const chipId = new Uint8Array(64).fill(0xab);
  it('builds KDS URLs (Milan: 64-byte chip ID; Turin: 8 bytes and the FMC SPL; VLEK: chain only)', () => {
    const kds = new AmdKdsFetcher({ fetch: fakeFetch({}) });
    const tcb = { bootloader: 3, tee: 0, snp: 8, microcode: 115, fmc: 1 };
    const milan = kds.urls({ kind: 'amd', product: 'Milan', key: 'vcek', chipId, reportedTcb: tcb });
    assert.equal(milan.vcek, `https://kdsintf.amd.com/vcek/v1/Milan/${'ab'.repeat(64)}?blSPL=3&teeSPL=0&snpSPL=8&ucodeSPL=115`);
    assert.equal(milan.chain, 'https://kdsintf.amd.com/vcek/v1/Milan/cert_chain');
    const turin = kds.urls({ kind: 'amd', product: 'Turin', key: 'vcek', chipId, reportedTcb: tcb });
    assert.equal(turin.vcek, `https://kdsintf.amd.com/vcek/v1/Turin/${'ab'.repeat(8)}?fmcSPL=1&blSPL=3&teeSPL=0&snpSPL=8&ucodeSPL=115`);
    const vlek = kds.urls({ kind: 'amd', product: 'Genoa', key: 'vlek' });
    assert.equal(vlek.vcek, null);
    assert.equal(vlek.chain, 'https://kdsintf.amd.com/vlek/v1/Genoa/cert_chain');
    assert.throws(() => kds.urls({ kind: 'amd', product: 'Milan', key: 'vcek' }), SecGearError);
  });

  it('fetches the VCEK, the ASK/ARK chain and the CRL with their roles', async () => {
    const tcb = { bootloader: 3, tee: 0, snp: 8, microcode: 115 };
    const kds = new AmdKdsFetcher({
      baseUrl: 'https://kds.test',
      fetch: fakeFetch({
        [`https://kds.test/vcek/v1/Milan/${'ab'.repeat(64)}?blSPL=3&teeSPL=0&snpSPL=8&ucodeSPL=115`]: { file: 'sev-snp/go-sev-guest/vcek.testcer' },
        'https://kds.test/vcek/v1/Milan/cert_chain': { file: 'roots/amd-sev/go-sev-guest/ask_ark_milan.pem' },
        'https://kds.test/vcek/v1/Milan/crl': { file: 'roots/amd-sev/virtee-sev/milan/ark.pem' },
      }),
    });
    const fetched = await kds.fetch({ kind: 'amd', product: 'Milan', key: 'vcek', chipId, reportedTcb: tcb });
    assert.deepEqual(fetched.items.map((i) => i.role), ['vcek', 'askArk', 'amdCrl']);
    assert.deepEqual(fetched.items[0].data, readVector('sev-snp/go-sev-guest/vcek.testcer'));
  });
});

describe('caching fetcher', () => {
  const request: CollateralRequest = { kind: 'intel', tee: 'sgx', fmspc: new Uint8Array(6), pckCa: 'platform' };
  function counting(expiresAt: Date | null, fail = false) {
    const calls = { n: 0 };
    const inner: CollateralFetcher = {
      fetch: async () => {
        calls.n++;
        await new Promise((r) => setImmediate(r));
        if (fail) throw new SecGearError('CC_ERROR_GENERIC', 'upstream down');
        return { items: [{ role: 'tcbInfo', data: new Uint8Array([calls.n]) }], expiresAt };
      },
    };
    return { inner, calls };
  }

  it('answers repeated requests from the cache until the collateral expires, then fetches again', async () => {
    let now = new Date('2025-07-01T00:00:00Z');
    const { inner, calls } = counting(new Date('2025-07-01T00:10:00Z'));
    const cache = new CachingFetcher(inner, { now: () => now });
    await cache.fetch(request);
    await cache.fetch(request);
    assert.equal(calls.n, 1);
    now = new Date('2025-07-01T00:10:01Z');
    const fresh = await cache.fetch(request);
    assert.equal(calls.n, 2);
    assert.deepEqual(fresh.items[0].data, new Uint8Array([2]));
  });

  it('keeps results without their own expiry for the TTL only, and shares one fetch among concurrent callers', async () => {
    let now = new Date('2025-07-01T00:00:00Z');
    const { inner, calls } = counting(null);
    const cache = new CachingFetcher(inner, { ttlMs: 1000, now: () => now });
    await Promise.all([cache.fetch(request), cache.fetch(request), cache.fetch(request)]);
    assert.equal(calls.n, 1);
    now = new Date(now.getTime() + 1500);
    await cache.fetch(request);
    assert.equal(calls.n, 2);
    await cache.fetch({ ...request, pckCa: 'processor' });
    assert.equal(calls.n, 3, 'another request is another key');
  });

  it("one caller's abort cancels only its own wait, not the fetch the others share", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let calls = 0;
    const inner = {
      async fetch() {
        calls++;
        await gate;
        return { items: [{ role: 'tcbInfo', data: new Uint8Array([7]) }], expiresAt: null };
      },
    };
    const cache = new CachingFetcher(inner as never);
    const controller = new AbortController();
    const first = cache.fetch(request, { signal: controller.signal });
    const second = cache.fetch(request);
    controller.abort(new Error('caller gave up'));
    await assert.rejects(first, /caller gave up/);
    release();
    assert.deepEqual((await second).items[0].data, new Uint8Array([7]));
    assert.equal(calls, 1);
  });

  it('never caches a failure', async () => {
    const { inner, calls } = counting(null, true);
    const cache = new CachingFetcher(inner);
    await assert.rejects(cache.fetch(request), /upstream down/);
    await assert.rejects(cache.fetch(request), /upstream down/);
    assert.equal(calls.n, 2);
  });
});
