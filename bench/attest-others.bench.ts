/**
 * Verifications per second of SEV-SNP, Nitro, CCA, virtCCA and RA-TLS certificate evidence
 * through `verifyEvidence` (collateral and anchors loaded once; certificate parsing and
 * verified chain links are memoised by the library, as they would be in a long-running
 * verifier), each beside the bare node:crypto signature checks that format needs at the
 * minimum, measured in the same run. The ratio is the share of the raw crypto speed we keep:
 * everything else (parsing, chain and validity checks, claims, appraisal) is our overhead.
 */
import { constants, createPublicKey, verify, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { verifyEvidence, type TrustAnchor, type VerifyOptions } from 'secgear/attest';
import { throughput } from './lib/measure.js';
import type { BenchResult, BenchSuite } from './lib/types.js';

const here = dirname(fileURLToPath(import.meta.url));
const vectors = process.env.SECGEAR_VECTORS ?? resolve(here, '..', '..', '..', 'shared', 'vectors');
const read = (path: string) => new Uint8Array(readFileSync(join(vectors, path)));
const pemCert = (path: string) => new Uint8Array(new X509Certificate(readFileSync(join(vectors, path))).raw);

// --- a minimal CBOR reader for the baselines' setup (not timed): values with their byte spans ---
type Cbor = { v: unknown; start: number; end: number };
function cbor(b: Uint8Array, o = 0): Cbor {
  const major = b[o] >> 5;
  const info = b[o] & 0x1f;
  let n = info;
  let p = o + 1;
  if (info >= 24 && info <= 27) {
    const size = 1 << (info - 24);
    n = 0;
    for (let i = 0; i < size; i++) n = n * 256 + b[p + i];
    p += size;
  }
  if (major === 0) return { v: n, start: o, end: p };
  if (major === 1) return { v: -1 - n, start: o, end: p };
  if (major === 2 || major === 3) return { v: major === 2 ? b.subarray(p, p + n) : Buffer.from(b.subarray(p, p + n)).toString(), start: o, end: p + n };
  if (major === 6) {
    const inner = cbor(b, p);
    return { v: inner.v, start: o, end: inner.end };
  }
  if (major === 4 || major === 5) {
    const items: Cbor[] = [];
    for (let i = 0; i < (major === 5 ? 2 * n : n); i++) {
      items.push(cbor(b, p));
      p = items[items.length - 1].end;
    }
    if (major === 4) return { v: items.map((x) => x.v), start: o, end: p };
    const map = new Map<unknown, unknown>();
    for (let i = 0; i < items.length; i += 2) map.set(items[i].v, items[i + 1].v);
    return { v: map, start: o, end: p };
  }
  return { v: null, start: o, end: p };
}

/** Sig_structure and signature of a COSE_Sign1, precomputed for the baseline. */
function sign1Parts(bytes: Uint8Array): { toBeSigned: Uint8Array; signature: Uint8Array; payload: Uint8Array } {
  const [protectedBytes, , payload, signature] = cbor(bytes).v as Uint8Array[];
  const bstr = (x: Uint8Array) => [...(x.length < 24 ? [0x40 | x.length] : x.length < 256 ? [0x58, x.length] : [0x59, x.length >> 8, x.length & 0xff]), ...x];
  const toBeSigned = new Uint8Array([0x84, 0x6a, ...Buffer.from('Signature1'), ...bstr(protectedBytes), 0x40, ...bstr(payload)]);
  return { toBeSigned, signature, payload };
}

/** A claims map of a token payload (virtCCA wraps it in a second byte string). */
function claims(payload: Uint8Array): Map<unknown, unknown> {
  const v = cbor(payload).v;
  return (v instanceof Uint8Array ? cbor(v).v : v) as Map<unknown, unknown>;
}

const collection = (token: Uint8Array) => cbor(token).v as Map<number, Uint8Array>;

function ecdsa(hash: string, key: KeyObject, parts: { toBeSigned: Uint8Array; signature: Uint8Array }) {
  return () => {
    if (!verify(hash, parts.toBeSigned, { key, dsaEncoding: 'ieee-p1363' }, parts.signature)) throw new Error('baseline signature failed');
  };
}

interface Case {
  name: string;
  evidence: Uint8Array;
  options: VerifyOptions;
  baselineName: string;
  baseline: () => void;
  /**
   * The check the sample is expected to fail, when every signature verifies but the sample cannot
   * pass as a whole (the public virtCCA token carries no platform token): the figure is then the
   * time to that verdict, all of the cryptography included.
   */
  expectedFailure?: string;
}

function cases(): Case[] {
  const out: Case[] = [];

  // SEV-SNP: one P-384 ECDSA over bytes 0..0x29F (r, s little-endian in the report)
  const report = read('sev-snp/trustee/snp/test-report.bin');
  const vcek = read('sev-snp/trustee/snp/test-vcek.der');
  const rs = new Uint8Array(96);
  for (let i = 0; i < 48; i++) {
    rs[i] = report[0x2a0 + 47 - i];
    rs[48 + i] = report[0x2e8 + 47 - i];
  }
  out.push({
    name: 'sev-snp: Milan report v2, VCEK → ASK → ARK',
    evidence: report,
    options: { format: 'sev-snp', collateral: [{ role: 'vcek', data: vcek }, { role: 'askArk', data: read('roots/amd-sev/go-sev-guest/ask_ark_milan.pem') }], now: new Date('2025-06-01T00:00:00Z') },
    baselineName: 'node:crypto ECDSA P-384 verify of the report signature',
    baseline: ecdsa('sha384', new X509Certificate(vcek).publicKey, { toBeSigned: report.subarray(0, 0x2a0), signature: rs }),
  });

  // Nitro: one ES384 COSE signature (the chain is cached)
  const nitro = read('aws-nitro/yawn-nitro-attest/tests/fixtures/attestation.cose');
  const leaf = new X509Certificate(read('aws-nitro/yawn-nitro-attest/tests/fixtures/4.der'));
  out.push({
    name: 'nitro: attestation document (ES384, 5-certificate chain to AWS root)',
    evidence: nitro,
    options: { format: 'nitro', now: new Date('2025-01-06T16:07:05Z') },
    baselineName: 'node:crypto ECDSA P-384 verify of the COSE signature',
    baseline: ecdsa('sha384', leaf.publicKey, sign1Parts(nitro)),
  });

  // CCA: two ES384 COSE signatures (realm by RAK, platform by CPAK)
  const cca = read('arm-cca/secgear/cca-token-01.cbor');
  const cpakJwk = JSON.parse(readFileSync(join(vectors, 'arm-cca/secgear/cpak.json'), 'utf8'));
  const cpak = createPublicKey({ key: cpakJwk, format: 'jwk' });
  const realm = sign1Parts(collection(cca).get(44241)!);
  const platform = sign1Parts(collection(cca).get(44234)!);
  const rakPoint = claims(realm.payload).get(44237) as Uint8Array;
  const rak = createPublicKey({
    key: { kty: 'EC', crv: 'P-384', x: Buffer.from(rakPoint.subarray(1, 49)).toString('base64url'), y: Buffer.from(rakPoint.subarray(49)).toString('base64url') },
    format: 'jwk',
  });
  const realmCheck = ecdsa('sha384', rak, realm);
  const platformCheck = ecdsa('sha384', cpak, platform);
  out.push({
    name: 'cca: platform + realm token (2 × ES384, RAK binding)',
    evidence: cca,
    options: { format: 'cca', trustAnchors: [{ kind: 'jwk', jwk: cpakJwk } as TrustAnchor] },
    baselineName: 'node:crypto 2 × ECDSA P-384 verify (realm + platform)',
    baseline: () => {
      realmCheck();
      platformCheck();
    },
  });

  // virtCCA: one PS256 (RSA-4096) COSE signature; the AIK chain is cached
  const virtcca = read('arm-cca/secgear/virtcca.cbor.decoded.bin');
  const cvm = sign1Parts(collection(virtcca).get(44241)!);
  const cvmKey = createPublicKey({ key: Buffer.from(claims(cvm.payload).get(44237) as Uint8Array), format: 'der', type: 'spki' });
  out.push({
    name: 'virtcca: CVM token (PS256 RSA-4096), AIK chain to Huawei roots',
    evidence: virtcca,
    options: {
      format: 'virtcca',
      collateral: [{ role: 'aikCert', data: read('arm-cca/secgear/virtcca_aik_cert.der') }],
      trustAnchors: [{ kind: 'x509', der: pemCert('arm-cca/secgear/Huawei_Equipment_Root_CA.pem') }, { kind: 'x509', der: pemCert('arm-cca/secgear/Huawei_IT_Product_CA.pem') }],
    },
    baselineName: 'node:crypto RSA-PSS-4096/SHA-256 verify of the CVM token',
    expectedFailure: 'platform.binding',
    baseline: () => {
      if (!verify('sha256', cvm.toBeSigned, { key: cvmKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, cvm.signature)) throw new Error('baseline failed');
    },
  });

  // RA-TLS certificate carrying a Nitro document (Evervault Cages): same crypto as Nitro
  const cageDoc = read('ra-tls/evervault-cages/test-data/beta/non-debug-cert-containing-attestation-document-18-1-23.extracted-attestation-doc.cbor');
  const cageParts = sign1Parts(cageDoc);
  const cageLeaf = new X509Certificate(claims(cageParts.payload).get('certificate') as Uint8Array);
  out.push({
    name: 'ra-tls-cert: Evervault Cages certificate with a Nitro document in its SAN',
    evidence: read('ra-tls/evervault-cages/test-data/beta/non-debug-cert-containing-attestation-document-18-1-23-der.crt'),
    options: { format: 'ra-tls-cert', now: new Date('2023-01-18T15:15:14Z') },
    baselineName: 'node:crypto ECDSA P-384 verify of the embedded COSE signature',
    baseline: ecdsa('sha384', cageLeaf.publicKey, cageParts),
  });
  return out;
}

const suite: BenchSuite = {
  name: 'attest-others',
  async run() {
    const seconds = Number(process.env.BENCH_SECONDS ?? 2);
    const results: Omit<BenchResult, 'ratio'>[] = [];
    for (const c of cases()) {
      const check = await verifyEvidence(c.evidence, c.options);
      const verdict = check.verified ? undefined : check.failure?.check;
      if (verdict !== c.expectedFailure) throw new Error(`${c.name}: the bench evidence ends in ${verdict ?? 'verified'}, expected ${c.expectedFailure ?? 'verified'} (${check.failure?.message ?? ''})`);
      c.baseline();
      // alternate the two in short rounds and keep each one's best, so a burst of load on the
      // machine does not land on one side only
      let baselineValue = 0;
      let value = 0;
      for (let round = 0; round < 3; round++) {
        baselineValue = Math.max(baselineValue, await throughput(c.baseline, seconds / 3));
        value = Math.max(value, await throughput(() => verifyEvidence(c.evidence, c.options), seconds / 3));
      }
      results.push({ name: `attest-others: ${c.name}${c.expectedFailure ? ` (to its ${c.expectedFailure} verdict)` : ''} /s`, unit: 'verifications/s', value, better: 'higher', baseline: { name: c.baselineName, value: baselineValue } });
    }
    return results;
  },
};

export default suite;
