import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ErrorCode, SecGearError } from '../../../src/common/errors.js';
import { parseCertificateChainData } from '../../../src/attest/intel/certification-data.js';
import { looksLikeQuote, parseQuote } from '../../../src/attest/intel/quote.js';
import { encodeQuote, encodeSgxReport, encodeTdReport, type QuoteParts } from '../../support/intel-fixture.js';
import { readVector } from '../../support/paths.js';
import { assertParsesOrRejects } from '../parser-properties.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function isParseError(error: unknown): boolean {
  return error instanceof SecGearError && error.code === ErrorCode.INVALID_EVIDENCE;
}

describe('DCAP quote parser: real quotes', () => {
  const cases: Array<[string, number, 'sgx' | 'td', number, number]> = [
    // file, version, body kind, body type, trailing bytes
    ['sgx-dcap/dcap-qvl/sgx_quote.bin', 3, 'sgx', 1, 0],
    ['sgx-dcap/automata/sgx_v3_quote_0825.bin', 3, 'sgx', 1, 0],
    ['sgx-dcap/intel-qvl-sampledata-SYNTHETIC/quote.dat', 3, 'sgx', 1, 0],
    ['tdx/dcap-qvl/tdx_quote.bin', 4, 'td', 2, 70],
    ['tdx/dcap-qvl/tdx_quote_outdated.bin', 5, 'td', 3, 0],
    ['tdx/go-tdx-guest/tdx_prod_quote_SPR_E4.dat', 4, 'td', 2, 39],
    ['tdx/automata/tdx_v4_quote_0625.bin', 4, 'td', 2, 3065],
    ['tdx/automata/quotes/alibaba_quote_5.dat', 5, 'td', 3, 0],
    ['tdx/intel-qvl-sampledata-SYNTHETIC/quote.dat', 4, 'td', 2, 0],
  ];
  for (const [file, version, kind, bodyType, trailing] of cases) {
    it(`${file}: v${version}, ${kind} body type ${bodyType}, ${trailing} trailing bytes`, () => {
      const quote = parseQuote(readVector(file));
      assert.equal(quote.header.version, version);
      assert.equal(quote.body.kind, kind);
      assert.equal(quote.bodyType, bodyType);
      assert.equal(quote.trailingBytes, trailing);
      assert.equal(quote.header.attestationKeyType, 2);
      assert.equal(hex(quote.header.qeVendorId), '939a7233f79c4ca9940a0db3957f0607');
      assert.equal(looksLikeQuote(readVector(file), kind === 'sgx' ? 'sgx' : 'tdx'), true);
      assert.equal(looksLikeQuote(readVector(file), kind === 'sgx' ? 'tdx' : 'sgx'), false);
    });
  }

  it('reads the SGX report fields of the dcap-qvl quote (MRENCLAVE, MRSIGNER, product, SVN, debug bit)', () => {
    const quote = parseQuote(readVector('sgx-dcap/dcap-qvl/sgx_quote.bin'));
    assert.equal(quote.body.kind, 'sgx');
    if (quote.body.kind !== 'sgx') return;
    assert.equal(hex(quote.body.report.mrEnclave), '33d8736db756ed4997e04ba358d27833188f1932ff7b1d156904d3f560452fbb');
    assert.equal(quote.body.report.mrEnclave.byteLength, 32);
    assert.equal(quote.body.report.reportData.byteLength, 64);
    assert.equal(quote.certification.type, 5);
    assert.equal(quote.qeAuthData.byteLength, 32);
    assert.equal(parseCertificateChainData(quote.certification.data).length, 3);
  });

  it('reads TD report 1.5 fields (TEE_TCB_SVN2, MRSERVICETD) of a v5 quote', () => {
    const quote = parseQuote(readVector('tdx/dcap-qvl/tdx_quote_outdated.bin'));
    assert.equal(quote.body.kind, 'td');
    if (quote.body.kind !== 'td') return;
    assert.equal(quote.body.report.version, '1.5');
    assert.equal(quote.body.report.mrTd.byteLength, 48);
    assert.equal(quote.body.report.teeTcbSvn2?.byteLength, 16);
    assert.equal(quote.body.report.mrServiceTd?.byteLength, 48);
    // the signed region of v5 includes the 6-byte body descriptor
    assert.equal(quote.signedData.byteLength, 48 + 6 + 648);
  });

  it('reads the synthetic TDX chain stored as DER certificates (root first)', () => {
    const quote = parseQuote(readVector('tdx/intel-qvl-sampledata-SYNTHETIC/quote.dat'));
    assert.equal(parseCertificateChainData(quote.certification.data).length, 3);
  });
});

describe('DCAP quote parser: malformed input', () => {
  const base = readVector('sgx-dcap/dcap-qvl/sgx_quote.bin');
  const mutate = (f: (b: Uint8Array) => void) => {
    const b = new Uint8Array(base);
    f(b);
    return b;
  };
  const rejects = (bytes: Uint8Array, pattern: RegExp) =>
    assert.throws(() => parseQuote(bytes), (e: unknown) => isParseError(e) && pattern.test((e as Error).message));

  it('rejects unsupported versions', () => rejects(mutate((b) => (b[0] = 2)), /unsupported quote version 2/));
  it('rejects attestation key types other than ECDSA P-256', () => rejects(mutate((b) => (b[2] = 3)), /attestation key type 3/));
  it('rejects a v3 quote with a TEE type', () => rejects(mutate((b) => (b[4] = 0x81)), /reserved field/));
  it('rejects unknown TEE types', () => rejects(mutate((b) => ((b[0] = 4), (b[4] = 0x42))), /unknown TEE type/));
  it('rejects a signature data length past the end', () => rejects(mutate((b) => (b[432 + 2] = 0xff)), /truncated/));
  it('rejects a short signature data length that leaves fields unread', () => rejects(mutate((b) => (b[432] -= 1)), /truncated|declares/));
  it('rejects an empty input', () => rejects(new Uint8Array(0), /truncated/));
  it('rejects bytes after the certification data inside the signature data', () => {
    const quote = parseQuote(base);
    const parts: QuoteParts = {
      version: 3,
      tee: 'sgx',
      body: encodeSgxReport({}),
      signature: quote.signature,
      attestationKey: quote.attestationKey,
      qeReport: quote.qeReport.raw,
      qeReportSignature: quote.qeReportSignature,
      qeAuthData: quote.qeAuthData,
      certType: 5,
      certData: quote.certification.data,
    };
    const good = encodeQuote(parts);
    assert.doesNotThrow(() => parseQuote(good));
    // grow the declared signature data by 3 bytes and append them: they are inside, not trailing
    const bad = new Uint8Array(good.byteLength + 3);
    bad.set(good);
    const view = new DataView(bad.buffer);
    view.setUint32(432, view.getUint32(432, true) + 3, true);
    rejects(bad, /declares/);
  });
  it('rejects a v5 body type that does not match the TEE', () => {
    const parts = tdParts(5);
    const bytes = encodeQuote({ ...parts, bodyType: 1 });
    rejects(bytes, /body type 1|must be 384/);
  });
  it('rejects a v4 quote whose outer certification data is not type 6', () => {
    const bytes = encodeQuote(tdParts(4));
    const i = 48 + 584 + 4 + 128;
    bytes[i] = 5;
    rejects(bytes, /must be type 6/);
  });
  it('reads PEM chains strictly: a non-base64 byte, non-canonical base64 or stray text is rejected', () => {
    const data = parseQuote(base).certification.data;
    const text = Buffer.from(data).toString('latin1');
    const at = text.indexOf('MII') + 10;
    const flip = (i: number, c: string) => new Uint8Array(Buffer.from(text.slice(0, i) + c + text.slice(i + 1), 'latin1'));
    assert.throws(() => parseCertificateChainData(flip(at, '\u000b')), isParseError);
    assert.throws(() => parseCertificateChainData(flip(at, '*')), isParseError);
    assert.throws(() => parseCertificateChainData(flip(0, 'X')), isParseError);
    assert.throws(() => parseCertificateChainData(new Uint8Array(Buffer.from(`${text}garbage`, 'latin1'))), isParseError);
    // a padding-adjacent character whose unused bits differ decodes to the same DER: rejected as non-canonical
    const end = text.indexOf('=\n-----END');
    if (end > 0) {
      const last = text[end - 1];
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
      const twin = alphabet[(alphabet.indexOf(last) & ~3) | ((alphabet.indexOf(last) + 1) & 3)];
      assert.throws(() => parseCertificateChainData(flip(end - 1, twin)), isParseError);
    }
  });
});

function tdParts(version: 4 | 5): QuoteParts {
  return {
    version,
    tee: 'tdx',
    body: encodeTdReport({ v15: version === 5 }),
    signature: new Uint8Array(64),
    attestationKey: new Uint8Array(64),
    qeReport: encodeSgxReport({}),
    qeReportSignature: new Uint8Array(64),
    qeAuthData: new Uint8Array(32),
    certType: 5,
    certData: new Uint8Array(Buffer.from('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n')),
  };
}

describe('DCAP quote parser: properties', () => {
  it('never throws anything but CC_ERROR_INVALID_EVIDENCE on arbitrary bytes', () => {
    assertParsesOrRejects(parseQuote, fc.uint8Array({ maxLength: 2048 }), { numRuns: 500, seed: 0x5ec9 });
  });

  it('never throws anything but CC_ERROR_INVALID_EVIDENCE on a real quote with random byte edits', () => {
    const base = readVector('tdx/dcap-qvl/tdx_quote.bin');
    const edited = fc.array(fc.tuple(fc.nat(base.byteLength - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }).map((edits) => {
      const bytes = new Uint8Array(base);
      for (const [i, v] of edits) bytes[i] = v;
      return bytes;
    });
    assertParsesOrRejects(parseQuote, edited, { numRuns: 500, seed: 0x5ec9 });
  });

  it('round-trips every field of generated quotes (v3, v4, v5; SGX and TDX; any trailing bytes)', () => {
    const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });
    const arbitrary = fc.record({
      variant: fc.constantFrom<['sgx' | 'tdx', 3 | 4 | 5]>(['sgx', 3], ['sgx', 4], ['sgx', 5], ['tdx', 4], ['tdx', 5]),
      v15: fc.boolean(),
      mrEnclave: bytes(32),
      reportData: bytes(64),
      isvProdId: fc.integer({ min: 0, max: 0xffff }),
      isvSvn: fc.integer({ min: 0, max: 0xffff }),
      teeTcbSvn: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 16, maxLength: 16 }),
      mrTd: bytes(48),
      signature: bytes(64),
      attestationKey: bytes(64),
      qeAuthData: fc.uint8Array({ maxLength: 300 }),
      certType: fc.integer({ min: 0, max: 0xffff }),
      certData: fc.uint8Array({ maxLength: 600 }),
      trailing: fc.uint8Array({ maxLength: 100 }),
    });
    fc.assert(
      fc.property(arbitrary, (a) => {
        const [tee, version] = a.variant;
        const body = tee === 'sgx' ? encodeSgxReport({ mrEnclave: a.mrEnclave, reportData: a.reportData, isvProdId: a.isvProdId, isvSvn: a.isvSvn }) : encodeTdReport({ v15: version === 5 && a.v15, teeTcbSvn: a.teeTcbSvn, mrTd: a.mrTd, reportData: a.reportData });
        const qeReport = encodeSgxReport({ isvSvn: a.isvSvn });
        const q = parseQuote(encodeQuote({ version, tee, body, signature: a.signature, attestationKey: a.attestationKey, qeReport, qeReportSignature: a.signature, qeAuthData: a.qeAuthData, certType: a.certType, certData: a.certData, trailing: a.trailing }));
        assert.equal(q.header.version, version);
        assert.equal(q.trailingBytes, a.trailing.byteLength);
        assert.deepEqual(q.signature, a.signature);
        assert.deepEqual(q.attestationKey, a.attestationKey);
        assert.deepEqual(q.qeAuthData, a.qeAuthData);
        assert.deepEqual(q.qeReport.raw, qeReport);
        assert.equal(q.qeReport.isvSvn, a.isvSvn);
        assert.equal(q.certification.type, a.certType);
        assert.deepEqual(q.certification.data, a.certData);
        if (q.body.kind === 'sgx') {
          assert.deepEqual(q.body.report.mrEnclave, a.mrEnclave);
          assert.deepEqual(q.body.report.reportData, a.reportData);
          assert.equal(q.body.report.isvProdId, a.isvProdId);
        } else {
          assert.deepEqual(q.body.report.mrTd, a.mrTd);
          assert.deepEqual([...q.body.report.teeTcbSvn], a.teeTcbSvn);
          assert.deepEqual(q.body.report.reportData, a.reportData);
        }
      }),
      { numRuns: 300, seed: 0x5ec9 },
    );
  });
});
