import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { classifyAnchors, classifyCollateral, listVerifiers, loadCollateral, loadTrustAnchors, verifyEvidence } from '../../../src/attest/index.js';
import { ErrorCode, SecGearError } from '../../../src/common/errors.js';
import { readVector, vectorPath } from '../../support/paths.js';
import { manifestEntries } from '../verifiers/manifest.js';

const manifest = { entries: manifestEntries() };
const registered = new Set<string>(listVerifiers().map((v) => v.format));

/** Manifest roles that content alone cannot tell apart map to the role the classifier reports. */
const SAME_CONTENT: Record<string, string> = {
  qeIdentityIssuerChain: 'tcbInfoIssuerChain', // both are the Intel SGX TCB Signing chain
  pckCertChain: 'pckCrlIssuerChain', // both are PCK CA certificates
};

describe('collateral recognised by content', () => {
  for (const entry of manifest.entries) {
    const files = Object.entries(entry.collateral);
    if (files.length === 0) continue;
    it(`${entry.id}: every collateral file gets its manifest role`, { skip: registered.has(entry.format) ? false : `format ${entry.format} not registered` }, () => {
      for (const [role, path] of files) {
        const found = classifyCollateral(readVector(path));
        assert.ok(found, `${path} not recognised`);
        assert.equal(found.role, SAME_CONTENT[role] ?? role, path);
      }
    });
  }

  it('every manifest trust anchor is recognised as an anchor', () => {
    for (const path of new Set(manifest.entries.flatMap((e) => e.anchors))) {
      const anchors = classifyAnchors(readVector(path));
      assert.ok(anchors && anchors.length > 0, path);
    }
  });

  it('nothing claims bytes that are no collateral', () => {
    for (const junk of [new Uint8Array(0), new Uint8Array(100), new Uint8Array(Buffer.from('{"hello":1}')), readVector('sgx-dcap/dcap-qvl/sgx_quote.bin')]) {
      assert.equal(classifyCollateral(junk), null);
    }
  });
});

describe('loading files and folders', () => {
  const temp = mkdtempSync(join(tmpdir(), 'secgear-collateral-'));
  after(() => rmSync(temp, { recursive: true, force: true }));

  it('loads a folder tree, recognising each file and skipping what is not collateral', async () => {
    const { items, skipped } = await loadCollateral([vectorPath('sgx-dcap/automata')]);
    const roles = new Set(items.map((i) => i.role));
    for (const role of ['tcbInfo', 'qeIdentity', 'pckCrl', 'rootCrl', 'pckCrlIssuerChain', 'tcbInfoIssuerChain']) assert.ok(roles.has(role), role);
    assert.ok(skipped.some((s) => s.path.endsWith('sgx_v3_quote_0825.bin')), 'the quote itself is skipped');
    assert.ok(items.every((i) => i.source && i.data.byteLength > 0));
  });

  it('a folder of mixed-date collateral verifies: the current TCB Info and QE identity are chosen', async () => {
    const { items } = await loadCollateral([vectorPath('sgx-dcap/automata')]);
    assert.ok(items.filter((i) => i.role === 'tcbInfo').length >= 2, 'both the June and the August TCB Info are there');
    const r = await verifyEvidence(readVector('sgx-dcap/automata/sgx_v3_quote_0825.bin'), { collateral: items, now: new Date('2025-08-15T05:45:00Z') });
    assert.equal(r.verified, true, r.failure?.message);
    assert.equal(r.appraisal.reasons.some((x) => x.startsWith('collateral:')), false, 'nothing is missing');
  });

  it('a named file nothing recognises is an error, a missing path too', async () => {
    const junk = join(temp, 'notes.txt');
    writeFileSync(junk, 'not collateral');
    await assert.rejects(loadCollateral([junk]), (e: unknown) => e instanceof SecGearError && e.code === ErrorCode.INVALID_COLLATERAL && e.message.includes('notes.txt'));
    await assert.rejects(loadCollateral([join(temp, 'missing.der')]), (e: unknown) => e instanceof SecGearError && e.code === ErrorCode.BAD_PARAMETERS);
  });

  it('loads trust anchors: DER, PEM bundles (one anchor per certificate), JWK; rejects other files', async () => {
    const der = await loadTrustAnchors([vectorPath('roots/intel-sgx-root-ca/dcap-qvl_TrustedRootCA.der')]);
    assert.equal(der.anchors.length, 1);
    assert.equal(der.anchors[0].kind, 'x509');
    const jwk = await loadTrustAnchors([vectorPath('arm-cca/trustee/cpak-pub.json')]);
    assert.equal(jwk.anchors[0].kind, 'jwk');
    const bundle = join(temp, 'two.pem');
    writeFileSync(bundle, Buffer.concat([readVector('tdx/go-tdx-guest/pcs_headers/TCB-Info-Issuer-Chain.pem')]));
    assert.equal((await loadTrustAnchors([bundle])).anchors.length, 2);
    const junk = join(temp, 'junk.bin');
    writeFileSync(junk, new Uint8Array(64));
    await assert.rejects(loadTrustAnchors([junk]), SecGearError);
    const folder = await loadTrustAnchors([vectorPath('roots/intel-sgx-root-ca')]);
    assert.ok(folder.anchors.length >= 3);
    assert.ok(folder.skipped.some((s) => s.path.endsWith('trust-chain.txt')));
  });

  it('refuses private key files as anchors, alone or in a JWK set', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    const pub = publicKey.export({ format: 'jwk' });
    const priv = privateKey.export({ format: 'jwk' });
    for (const [name, content, accepted] of [
      ['public.jwk', JSON.stringify(pub), true],
      ['set.jwks', JSON.stringify({ keys: [pub, pub] }), true],
      ['private.jwk', JSON.stringify(priv), false],
      ['mixed.jwks', JSON.stringify({ keys: [pub, priv] }), false],
    ] as const) {
      const file = join(temp, name);
      writeFileSync(file, content);
      if (accepted) assert.equal((await loadTrustAnchors([file])).anchors[0].kind, 'jwk', name);
      else await assert.rejects(loadTrustAnchors([file]), (e: unknown) => e instanceof SecGearError && e.code === ErrorCode.BAD_PARAMETERS, name);
    }
  });
});
