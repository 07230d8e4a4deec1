import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ErrorCode, SecGearError } from '../../../src/common/errors.js';
import { parseEnclaveIdentity } from '../../../src/attest/intel/enclave-identity.js';
import { compactJson, readSignedJson, topLevelMembers } from '../../../src/attest/intel/signed-json.js';
import { parseTcbInfo } from '../../../src/attest/intel/tcb-info.js';
import { readDcapBundle } from '../../../src/attest/intel/dcap-bundle.js';
import { certInfo } from '../../../src/attest/intel/cert-chain.js';
import { verifyP256 } from '../../../src/attest/intel/ecdsa.js';
import { certificatesFrom } from '../../../src/attest/pki/chain.js';
import { readVector } from '../../support/paths.js';
import { assertParsesOrRejects } from '../parser-properties.js';

const utf8 = (t: string) => new Uint8Array(Buffer.from(t));

/** Pretty-prints JSON text by adding whitespace between tokens only (numbers and strings stay byte for byte). */
function prettyPrint(text: string): string {
  let out = '';
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i];
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
      out += c;
    } else if (c === '{' || c === '[') out += `${c}\n${'  '.repeat(++depth)}`;
    else if (c === '}' || c === ']') out += `\n${'  '.repeat(--depth)}${c}`;
    else if (c === ',') out += `,\n${'  '.repeat(depth)}`;
    else if (c === ':') out += ': ';
    else if (!/\s/.test(c)) out += c;
  }
  return out;
}
const isCollateralError = (e: unknown) => e instanceof SecGearError && e.code === ErrorCode.INVALID_COLLATERAL;
const signingKey = certInfo(readVector('sgx-dcap/automata/pcs_certs/tcbSigningDer.der')).publicKey;

describe('signed collateral JSON: exact served bytes', () => {
  const served = [
    ['sgx-dcap/automata/0825/sgx_tcbinfov3_00606a000000.json', 'tcbInfo'],
    ['sgx-dcap/automata/0825/sgx_qeidentity_v4.json', 'enclaveIdentity'],
    ['tdx/automata/0625/tcbinfov3_00806f050000.json', 'tcbInfo'],
    ['tdx/automata/0625/qe_td.json', 'enclaveIdentity'],
    ['tdx/go-tdx-guest/sample_tcbinfo_response_v5', 'tcbInfo'],
    ['tdx/trustee/tcbInfo.json', 'tcbInfo'],
    ['tdx/trustee/enclaveIdentity.json', 'enclaveIdentity'],
    ['sgx-dcap/automata/0625/tcbinfo.json', 'tcbInfo'],
  ] as const;
  for (const [file, key] of served) {
    it(`${file}: the signature verifies over the extracted bytes, a re-serialisation would not`, () => {
      const data = readVector(file);
      const { body, signature } = readSignedJson(data, key);
      assert.ok(verifyP256(signingKey, body, signature));
      const reprinted = utf8(JSON.stringify(JSON.parse(Buffer.from(body).toString('utf8'))));
      // same JSON value, but if the bytes differ the signature must not transfer
      if (Buffer.compare(Buffer.from(reprinted), Buffer.from(body)) !== 0) assert.equal(verifyP256(signingKey, reprinted, signature), false);
      // the extracted bytes are a slice of the file, not a copy that could differ
      assert.ok(Buffer.from(data).includes(Buffer.from(body)));
    });
  }

  it('removes whitespace outside strings only, and keeps key order, strings and escapes as served', () => {
    const body = '{ "b":1,\n  "a" : [1, {"x":"} \\" y"}],\t"c":  -1.50e+3 }';
    const { body: out } = readSignedJson(utf8(`{"tcbInfo":${body} , "signature":"${'ab'.repeat(64)}"}`), 'tcbInfo');
    assert.equal(Buffer.from(out).toString(), '{"b":1,"a":[1,{"x":"} \\" y"}],"c":-1.50e+3}');
    const compact = utf8('{"a":"x  y","b":[1,2]}');
    assert.equal(compactJson(compact), compact, 'compact input comes back as is');
  });

  for (const [file, key] of served) {
    it(`${file}: a pretty-printed stored copy verifies; a change inside a string does not`, () => {
      const pretty = utf8(prettyPrint(Buffer.from(readVector(file)).toString('utf8')));
      assert.notEqual(Buffer.from(pretty).toString(), Buffer.from(readVector(file)).toString());
      const { body, signature } = readSignedJson(pretty, key);
      assert.ok(verifyP256(signingKey, body, signature));
      // whitespace inside a string value is significant: "2025-..." becomes " 2025-..."
      const altered = utf8(Buffer.from(pretty).toString().replace(/"issueDate"\s*:\s*"/, '"issueDate": " '));
      const changed = readSignedJson(altered, key);
      assert.equal(verifyP256(signingKey, changed.body, changed.signature), false);
    });
  }

  it('rejects missing members, bad signatures and trailing garbage', () => {
    assert.throws(() => readSignedJson(utf8('{"signature":"00"}'), 'tcbInfo'), isCollateralError);
    assert.throws(() => readSignedJson(utf8(`{"tcbInfo":{}}`), 'tcbInfo'), isCollateralError);
    assert.throws(() => readSignedJson(utf8(`{"tcbInfo":{},"signature":"abcd"}`), 'tcbInfo'), isCollateralError);
    assert.throws(() => readSignedJson(utf8(`{"tcbInfo":[],"signature":"${'00'.repeat(64)}"}`), 'tcbInfo'), isCollateralError);
    assert.throws(() => readSignedJson(utf8(`{"tcbInfo":{},"signature":"${'00'.repeat(64)}"} x`), 'tcbInfo'), isCollateralError);
    assert.throws(() => readSignedJson(utf8(`{"tcbInfo":{"a":"unterminated}`), 'tcbInfo'), isCollateralError);
  });

  it('property: never throws anything but CC_ERROR_INVALID_COLLATERAL on arbitrary text or JSON', () => {
    const input = fc.oneof(fc.string({ maxLength: 200 }), fc.json({ maxDepth: 4 }), fc.json({ maxDepth: 3 }).map((j) => `{"tcbInfo":${j},"signature":"${'11'.repeat(64)}"}`));
    const parse = (text: string) => {
      topLevelMembers(utf8(text));
      return parseTcbInfo(readSignedJson(utf8(text), 'tcbInfo').body);
    };
    assertParsesOrRejects(parse, input, { numRuns: 400, seed: 7, code: ErrorCode.INVALID_COLLATERAL });
  });

  it('property: extracts exactly the bytes of any JSON value placed as tcbInfo', () => {
    fc.assert(
      fc.property(fc.json({ maxDepth: 4 }), fc.constantFrom('', ' ', '\n\t'), (json, ws) => {
        const text = `{${ws}"signature"${ws}:${ws}"${'22'.repeat(64)}",${ws}"tcbInfo"${ws}:${ws}${json}${ws}}`;
        const members = topLevelMembers(utf8(text));
        assert.equal(Buffer.from(members.get('tcbInfo')!).toString(), json);
      }),
      { numRuns: 300, seed: 7 },
    );
  });
});

function tcbInfoJson(overrides: Record<string, unknown> = {}, level: Record<string, unknown> = {}) {
  const comps = Array.from({ length: 16 }, (_, i) => ({ svn: i }));
  return {
    id: 'TDX',
    version: 3,
    issueDate: '2025-06-19T10:16:03Z',
    nextUpdate: '2025-07-19T10:16:03Z',
    fmspc: 'B0C06F000000',
    pceId: '0000',
    tcbType: 0,
    tcbEvaluationDataNumber: 17,
    tdxModule: { mrsigner: '00'.repeat(48), attributes: '00'.repeat(8), attributesMask: 'FF'.repeat(8) },
    tdxModuleIdentities: [{ id: 'TDX_03', mrsigner: '00'.repeat(48), attributes: '00'.repeat(8), attributesMask: 'FF'.repeat(8), tcbLevels: [{ tcb: { isvsvn: 3 }, tcbDate: '2024-03-13T00:00:00Z', tcbStatus: 'UpToDate' }] }],
    tcbLevels: [{ tcb: { sgxtcbcomponents: comps, pcesvn: 11, tdxtcbcomponents: comps }, tcbDate: '2024-03-13T00:00:00Z', tcbStatus: 'UpToDate', ...level }],
    ...overrides,
  };
}

describe('TCB Info parser', () => {
  it('reads SGX v3, SGX v2 (sgxtcbcompNNsvn) and TDX v3 with module identities', () => {
    const sgx = parseTcbInfo(readSignedJson(readVector('sgx-dcap/automata/0825/sgx_tcbinfov3_00606a000000.json'), 'tcbInfo').body);
    assert.equal(sgx.id, 'SGX');
    assert.equal(sgx.version, 3);
    assert.equal(Buffer.from(sgx.fmspc).toString('hex'), '00606a000000');
    assert.equal(sgx.tcbLevels[0].sgxComponents.length, 16);
    const v2 = parseTcbInfo(readSignedJson(readVector('sgx-dcap/intel-qvl-sampledata-SYNTHETIC/tcbInfo.json'), 'tcbInfo').body);
    assert.equal(v2.version, 2);
    assert.equal(v2.id, 'SGX');
    assert.deepEqual(v2.tcbLevels[0].sgxComponents.slice(0, 7), [0, 3, 0, 0, 0, 1, 1]);
    const tdx = parseTcbInfo(utf8(JSON.parse(Buffer.from(readVector('tdx/dcap-qvl/tdx_quote_collateral.json')).toString()).tcb_info));
    assert.equal(tdx.id, 'TDX');
    assert.deepEqual(tdx.tdxModuleIdentities?.map((m) => m.id), ['TDX_03', 'TDX_01']);
    assert.equal(tdx.tcbLevels[0].tdxComponents?.length, 16);
  });

  it('property: generated TCB Infos parse to the same values', () => {
    const status = fc.constantFrom('UpToDate', 'SWHardeningNeeded', 'ConfigurationNeeded', 'ConfigurationAndSWHardeningNeeded', 'OutOfDate', 'OutOfDateConfigurationNeeded', 'Revoked');
    const svns = fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 16, maxLength: 16 });
    fc.assert(
      fc.property(fc.array(fc.record({ sgx: svns, tdx: svns, pce: fc.integer({ min: 0, max: 0xffff }), status, advisories: fc.array(fc.string({ maxLength: 12 }), { maxLength: 3 }) }), { minLength: 1, maxLength: 5 }), (levels) => {
        const json = tcbInfoJson({
          tcbLevels: levels.map((l) => ({ tcb: { sgxtcbcomponents: l.sgx.map((svn) => ({ svn })), pcesvn: l.pce, tdxtcbcomponents: l.tdx.map((svn) => ({ svn })) }, tcbDate: '2024-01-01T00:00:00Z', tcbStatus: l.status, advisoryIDs: l.advisories })),
        });
        const parsed = parseTcbInfo(utf8(JSON.stringify(json)));
        assert.equal(parsed.tcbLevels.length, levels.length);
        parsed.tcbLevels.forEach((p, i) => {
          assert.deepEqual(p.sgxComponents, levels[i].sgx);
          assert.deepEqual(p.tdxComponents, levels[i].tdx);
          assert.equal(p.pceSvn, levels[i].pce);
          assert.equal(p.tcbStatus, levels[i].status);
          assert.deepEqual(p.advisoryIds, levels[i].advisories);
        });
      }),
      { numRuns: 200, seed: 11 },
    );
  });

  const bad: Array<[string, object]> = [
    ['an unknown version', tcbInfoJson({ version: 4 })],
    ['an unknown id', tcbInfoJson({ id: 'SEV' })],
    ['a non-hex FMSPC', tcbInfoJson({ fmspc: 'XYZ' })],
    ['a short PCEID', tcbInfoJson({ pceId: '00' })],
    ['a bad date', tcbInfoJson({ issueDate: 'yesterday' })],
    ['no TCB levels', tcbInfoJson({ tcbLevels: [] })],
    ['15 SGX components', tcbInfoJson({}, { tcb: { sgxtcbcomponents: Array.from({ length: 15 }, () => ({ svn: 0 })), pcesvn: 1, tdxtcbcomponents: [] } })],
    ['an unknown status', tcbInfoJson({}, { tcbStatus: 'Fine' })],
    ['a negative SVN', tcbInfoJson({}, { tcb: { sgxtcbcomponents: Array.from({ length: 16 }, () => ({ svn: -1 })), pcesvn: 1, tdxtcbcomponents: Array.from({ length: 16 }, () => ({ svn: 0 })) } })],
    ['advisory IDs that are not strings', tcbInfoJson({}, { advisoryIDs: [1] })],
    ['a TDX TCB Info without tdxModule', tcbInfoJson({ tdxModule: undefined })],
    ['a module identity with a bad id', tcbInfoJson({ tdxModuleIdentities: [{ id: 'TDX-3', mrsigner: '00'.repeat(48), attributes: '00'.repeat(8), attributesMask: 'FF'.repeat(8), tcbLevels: [] }] })],
  ];
  for (const [what, json] of bad) {
    it(`rejects ${what} with CC_ERROR_INVALID_COLLATERAL`, () => {
      assert.throws(() => parseTcbInfo(utf8(JSON.stringify(json))), isCollateralError);
    });
  }
  it('rejects text that is not JSON', () => assert.throws(() => parseTcbInfo(utf8('{"version":')), isCollateralError));
});

describe('QE identity parser', () => {
  const identity = (o: Record<string, unknown> = {}) =>
    utf8(
      JSON.stringify({
        id: 'QE',
        version: 2,
        issueDate: '2025-06-19T10:01:18Z',
        nextUpdate: '2025-07-19T10:01:18Z',
        tcbEvaluationDataNumber: 17,
        miscselect: '00000000',
        miscselectMask: 'FFFFFFFF',
        attributes: '11'.padEnd(32, '0'),
        attributesMask: 'FBFFFFFFFFFFFFFF'.padEnd(32, '0'),
        mrsigner: '8C4F5775D796503E96137F77C68A829A0056AC8DED70140B081B094490C57BFF',
        isvprodid: 1,
        tcbLevels: [{ tcb: { isvsvn: 8 }, tcbDate: '2024-03-13T00:00:00Z', tcbStatus: 'UpToDate' }],
        ...o,
      }),
    );
  it('reads the real QE and TD_QE identities', () => {
    const qe = parseEnclaveIdentity(readSignedJson(readVector('sgx-dcap/automata/0825/sgx_qeidentity_v4.json'), 'enclaveIdentity').body);
    assert.equal(qe.id, 'QE');
    assert.equal(qe.mrSigner.byteLength, 32);
    const td = parseEnclaveIdentity(readSignedJson(readVector('tdx/automata/0625/qe_td.json'), 'enclaveIdentity').body);
    assert.equal(td.id, 'TD_QE');
    assert.equal(td.isvProdId, 2);
  });
  it('keeps MISCSELECT bytes in report order', () => {
    const parsed = parseEnclaveIdentity(identity({ miscselect: 'D182B18C' }));
    assert.deepEqual([...parsed.miscselect], [0xd1, 0x82, 0xb1, 0x8c]);
  });
  it('property: generated identities parse to the same values', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.integer({ min: 0, max: 0xffff }), fc.array(fc.record({ svn: fc.integer({ min: 0, max: 0xffff }), status: fc.constantFrom('UpToDate', 'OutOfDate', 'Revoked') }), { minLength: 1, maxLength: 4 }), (mrsigner, prod, levels) => {
        const parsed = parseEnclaveIdentity(identity({ mrsigner: Buffer.from(mrsigner).toString('hex'), isvprodid: prod, tcbLevels: levels.map((l) => ({ tcb: { isvsvn: l.svn }, tcbDate: '2024-01-01T00:00:00Z', tcbStatus: l.status })) }));
        assert.deepEqual(parsed.mrSigner, mrsigner);
        assert.equal(parsed.isvProdId, prod);
        assert.deepEqual(parsed.tcbLevels.map((l) => [l.isvSvn, l.tcbStatus]), levels.map((l) => [l.svn, l.status]));
      }),
      { numRuns: 200, seed: 13 },
    );
  });
  it('property: never throws anything but CC_ERROR_INVALID_COLLATERAL on arbitrary JSON', () => {
    assertParsesOrRejects((json: string) => parseEnclaveIdentity(utf8(json)), fc.json({ maxDepth: 4 }), { numRuns: 300, seed: 13, code: ErrorCode.INVALID_COLLATERAL });
  });
  for (const [what, o] of [
    ['version 1', { version: 1 }],
    ['an unknown id', { id: 'PCE' }],
    ['a 31-byte MRSIGNER', { mrsigner: '00'.repeat(31) }],
    ['a level status of SWHardeningNeeded', { tcbLevels: [{ tcb: { isvsvn: 1 }, tcbDate: '2024-03-13T00:00:00Z', tcbStatus: 'SWHardeningNeeded' }] }],
    ['an ISVPRODID above 65535', { isvprodid: 70000 }],
  ] as const) {
    it(`rejects ${what}`, () => assert.throws(() => parseEnclaveIdentity(identity(o as Record<string, unknown>)), isCollateralError));
  }
});

describe('dcap-qvl collateral bundle', () => {
  it('reads the exact signed strings, hex signatures, DER CRLs and PEM chains', () => {
    const b = readDcapBundle(readVector('sgx-dcap/dcap-qvl/sgx_quote_collateral.json'));
    assert.deepEqual(Buffer.from(b.tcbInfo.body), Buffer.from(readVector('sgx-dcap/dcap-qvl/sgx_quote_collateral.split/tcb_info.json')));
    assert.deepEqual(b.tcbInfo.signature, readVector('sgx-dcap/dcap-qvl/sgx_quote_collateral.split/tcb_info_signature.bin'));
    assert.deepEqual(b.crls[0], readVector('sgx-dcap/dcap-qvl/sgx_quote_collateral.split/root_ca_crl.der'));
    assert.deepEqual(b.crls[1], readVector('sgx-dcap/dcap-qvl/sgx_quote_collateral.split/pck_crl.der'));
    assert.equal(certificatesFrom(b.chains[0]).length, 2);
  });
  it('rejects bundles with missing or malformed fields', () => {
    const good = JSON.parse(Buffer.from(readVector('sgx-dcap/dcap-qvl/sgx_quote_collateral.json')).toString()) as Record<string, unknown>;
    for (const [key, value] of [['tcb_info', undefined], ['tcb_info_signature', 'zz'], ['pck_crl', 'abc'], ['qe_identity', 5]] as const) {
      const copy = { ...good, [key]: value };
      assert.throws(() => readDcapBundle(utf8(JSON.stringify(copy))), isCollateralError, key);
    }
  });
});

describe('pretty-printed collateral end to end', () => {
  it('a quote verifies with pretty-printed copies of its TCB Info and QE Identity, as with the served ones', async () => {
    const { verifyEvidence } = await import('../../../src/attest/index.js');
    const { manifestEntries, optionsFor } = await import('../verifiers/manifest.js');
    const entry = manifestEntries('sgx-dcap').find((e) => e.id === 'sgx-automata-0825')!;
    const options = optionsFor(entry, entry.at);
    const served = await verifyEvidence(readVector(entry.evidence), options);
    assert.equal(served.verified, true, JSON.stringify(served.failure));
    const items = (options.collateral as { role: string; data: Uint8Array }[]).map((item) =>
      item.role === 'tcbInfo' || item.role === 'qeIdentity' ? { ...item, data: utf8(prettyPrint(Buffer.from(item.data).toString('utf8'))) } : item,
    );
    const pretty = await verifyEvidence(readVector(entry.evidence), { ...options, collateral: items });
    assert.equal(pretty.verified, true, JSON.stringify(pretty.failure));
    assert.equal(pretty.claims?.tcbStatus, served.claims?.tcbStatus);
  });
});
