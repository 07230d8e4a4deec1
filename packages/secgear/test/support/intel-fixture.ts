/**
 * Builds Intel DCAP quotes and collateral under a throw-away test PKI, so that tests can drive
 * every branch of the verifier end to end (revocation, TCB levels, QE and TDX module identities)
 * that the real vectors do not reach. Nothing here is trusted unless passed as an anchor.
 */
import { createHash, generateKeyPairSync, sign as nodeSign, type KeyObject } from 'node:crypto';
import type { CollateralItem, TcbStatus, TrustAnchor } from '../../src/attest/types.js';
import { derOctetString as octets, derOid as oid, derSequence as seq, derSmallInteger as int, derTlv as tlv } from '../../src/common/der-writer.js';

const SGX = '1.2.840.113741.1.13.1';

function sgxExtension(o: { components: number[]; pceSvn: number; fmspc: Uint8Array; pceId: Uint8Array }): Uint8Array {
  const tcb = [...o.components.map((svn, i) => seq(oid(`${SGX}.2.${i + 1}`), int(svn))), seq(oid(`${SGX}.2.17`), int(o.pceSvn)), seq(oid(`${SGX}.2.18`), octets(Uint8Array.from(o.components)))];
  return seq(
    seq(oid(`${SGX}.1`), octets(new Uint8Array(16).fill(0x11))),
    seq(oid(`${SGX}.2`), seq(...tcb)),
    seq(oid(`${SGX}.3`), octets(o.pceId)),
    seq(oid(`${SGX}.4`), octets(o.fmspc)),
    seq(oid(`${SGX}.5`), tlv(0x0a, Uint8Array.from([0]))),
  );
}

// --- quote encoding ---
const u16 = (n: number) => Uint8Array.from([n & 0xff, n >> 8]);
const u32 = (n: number) => Uint8Array.from([n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >>> 24]);
const cat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));

export interface SgxReportFields {
  attributes?: Uint8Array;
  miscSelect?: number;
  mrEnclave?: Uint8Array;
  mrSigner?: Uint8Array;
  isvProdId?: number;
  isvSvn?: number;
  reportData?: Uint8Array;
}

export function encodeSgxReport(f: SgxReportFields): Uint8Array {
  const r = new Uint8Array(384);
  r.set(u32(f.miscSelect ?? 0), 16);
  r.set(f.attributes ?? Uint8Array.from([0x05, 0, 0, 0, 0, 0, 0, 0, 0x07]), 48);
  r.set(f.mrEnclave ?? new Uint8Array(32).fill(0xe1), 64);
  r.set(f.mrSigner ?? new Uint8Array(32).fill(0x51), 128);
  r.set(u16(f.isvProdId ?? 1), 256);
  r.set(u16(f.isvSvn ?? 1), 258);
  r.set(f.reportData ?? new Uint8Array(64), 320);
  return r;
}

export interface TdReportFields {
  teeTcbSvn?: number[];
  mrSignerSeam?: Uint8Array;
  seamAttributes?: Uint8Array;
  tdAttributes?: Uint8Array;
  mrTd?: Uint8Array;
  reportData?: Uint8Array;
  v15?: boolean;
}

export function encodeTdReport(f: TdReportFields): Uint8Array {
  const r = new Uint8Array(f.v15 ? 648 : 584);
  r.set(Uint8Array.from(f.teeTcbSvn ?? [3, 0, 2]), 0);
  r.set(f.mrSignerSeam ?? new Uint8Array(48), 64);
  r.set(f.seamAttributes ?? new Uint8Array(8), 112);
  r.set(f.tdAttributes ?? Uint8Array.from([0, 0, 0, 0x10]), 120);
  r.set(f.mrTd ?? new Uint8Array(48).fill(0x7d), 136);
  for (let i = 0; i < 4; i++) r.set(new Uint8Array(48).fill(0xa0 + i), 328 + i * 48);
  r.set(f.reportData ?? new Uint8Array(64), 520);
  return r;
}

export interface QuoteParts {
  version: 3 | 4 | 5;
  tee: 'sgx' | 'tdx';
  body: Uint8Array;
  /** v5 body type; derived when omitted. */
  bodyType?: number;
  signature: Uint8Array;
  attestationKey: Uint8Array;
  qeReport: Uint8Array;
  qeReportSignature: Uint8Array;
  qeAuthData: Uint8Array;
  certType: number;
  certData: Uint8Array;
  trailing?: Uint8Array;
}

/** The signed part: header and body (with the v5 body descriptor). */
export function encodeSignedPart(p: Pick<QuoteParts, 'version' | 'tee' | 'body' | 'bodyType'>): Uint8Array {
  const teeType = p.tee === 'sgx' ? 0 : 0x81;
  const header = cat(u16(p.version), u16(2), u32(p.version === 3 ? 0 : teeType), new Uint8Array(4), Buffer.from('939a7233f79c4ca9940a0db3957f0607', 'hex'), new Uint8Array(20));
  if (p.version !== 5) return cat(header, p.body);
  const bodyType = p.bodyType ?? (p.tee === 'sgx' ? 1 : p.body.length === 648 ? 3 : 2);
  return cat(header, u16(bodyType), u32(p.body.length), p.body);
}

export function encodeQuote(p: QuoteParts): Uint8Array {
  const inner = cat(p.qeReport, p.qeReportSignature, u16(p.qeAuthData.length), p.qeAuthData, u16(p.certType), u32(p.certData.length), p.certData);
  const sigData = p.version === 3 ? cat(p.signature, p.attestationKey, inner) : cat(p.signature, p.attestationKey, u16(6), u32(inner.length), inner);
  return cat(encodeSignedPart(p), u32(sigData.length), sigData, p.trailing ?? new Uint8Array(0));
}

// --- test PKI and collateral (certificates and CRLs written with the DER writer above) ---
const ECDSA_SHA256 = seq(oid('1.2.840.10045.4.3.2'));
const TRUE = tlv(0x01, Uint8Array.from([0xff]));
const intHex = (h: string) => tlv(0x02, Uint8Array.from(Buffer.from(h.length % 2 ? `0${h}` : h, 'hex')));
const utf8 = (t: string) => tlv(0x0c, new Uint8Array(Buffer.from(t)));
const dn = (cn: string) => seq(tlv(0x31, seq(oid('2.5.4.3'), utf8(cn))), tlv(0x31, seq(oid('2.5.4.10'), utf8('secGear test PKI'))));
function utc(d: Date): Uint8Array {
  const iso = d.toISOString();
  return tlv(0x17, new Uint8Array(Buffer.from(`${iso.slice(2, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`)));
}
const bits = (b: Uint8Array) => tlv(0x03, cat(Uint8Array.from([0]), b));
const extension = (id: string, critical: boolean, value: Uint8Array) => seq(oid(id), ...(critical ? [TRUE] : []), octets(value));
const basicConstraints = (ca: boolean) => extension('2.5.29.19', true, ca ? seq(TRUE) : seq());

function signed(tbs: Uint8Array, signer: KeyObject): Uint8Array {
  return seq(tbs, ECDSA_SHA256, bits(new Uint8Array(nodeSign('sha256', tbs, signer))));
}

function certificate(o: { serial: string; issuer: string; subject: string; notBefore: Date; notAfter: Date; publicKey: KeyObject; signer: KeyObject; extensions: Uint8Array[] }): Uint8Array {
  const spki = new Uint8Array(o.publicKey.export({ type: 'spki', format: 'der' }));
  const tbs = seq(tlv(0xa0, int(2)), intHex(o.serial), ECDSA_SHA256, dn(o.issuer), seq(utc(o.notBefore), utc(o.notAfter)), dn(o.subject), spki, tlv(0xa3, seq(...o.extensions)));
  return signed(tbs, o.signer);
}

function crl(o: { issuer: string; signer: KeyObject; thisUpdate: Date; nextUpdate: Date; revoked: string[] }): Uint8Array {
  const entries = o.revoked.length ? [seq(...o.revoked.map((serial) => seq(intHex(serial), utc(o.thisUpdate))))] : [];
  return signed(seq(int(1), ECDSA_SHA256, dn(o.issuer), utc(o.thisUpdate), utc(o.nextUpdate), ...entries), o.signer);
}

const pem = (der: Uint8Array) => `-----BEGIN CERTIFICATE-----\n${Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`;

function keyPair(): { publicKey: KeyObject; privateKey: KeyObject } {
  return generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
}
function sign(key: KeyObject, data: Uint8Array): Uint8Array {
  return new Uint8Array(nodeSign('sha256', data, { key, dsaEncoding: 'ieee-p1363' }));
}
function rawPublic(key: KeyObject): Uint8Array {
  const jwk = key.export({ format: 'jwk' });
  return cat(new Uint8Array(Buffer.from(jwk.x!, 'base64url')), new Uint8Array(Buffer.from(jwk.y!, 'base64url')));
}

const YEAR = 365 * 24 * 3600 * 1000;
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex').toUpperCase();

export interface TestLevel {
  sgx: number[];
  pceSvn: number;
  tdx?: number[];
  status: TcbStatus;
  advisories?: string[];
}

export interface FixtureOptions {
  tee?: 'sgx' | 'tdx';
  version?: 3 | 4 | 5;
  now?: Date;
  pckComponents?: number[];
  pceSvn?: number;
  report?: SgxReportFields;
  td?: TdReportFields;
  qeIsvSvn?: number;
  tcbLevels?: TestLevel[];
  qeLevels?: Array<{ isvSvn: number; status: 'UpToDate' | 'OutOfDate' | 'Revoked'; advisories?: string[] }>;
  moduleIdentities?: Array<{ id: string; mrSigner?: Uint8Array; levels: Array<{ isvSvn: number; status: TcbStatus; advisories?: string[] }> }>;
  revokePck?: boolean;
  revokeCa?: boolean;
  /** Sign the PCK CRL with the wrong key. */
  forgePckCrl?: boolean;
  trailing?: Uint8Array;
  /** Issue the TCB Info and QE identity for this TEE instead of the quote's (same keys). */
  collateralTee?: 'sgx' | 'tdx';
}

export interface IntelFixture {
  quote: Uint8Array;
  collateral: CollateralItem[];
  anchor: TrustAnchor;
  now: Date;
  /** The test root (DER). */
  rootDer: Uint8Array;
  /** Another quote under the same test PKI and collateral, with other report (or TD report) fields. */
  quoteWith(fields: SgxReportFields | TdReportFields): Uint8Array;
}

const QE_MRSIGNER = new Uint8Array(32).fill(0x8c);

export function makeIntelFixture(o: FixtureOptions = {}): IntelFixture {
  const tee = o.tee ?? 'sgx';
  const version = o.version ?? (tee === 'sgx' ? 3 : 4);
  const now = o.now ?? new Date('2025-07-01T00:00:00Z');
  const notBefore = new Date(now.getTime() - YEAR);
  const notAfter = new Date(now.getTime() + YEAR);
  const fmspc = Uint8Array.from([0x00, 0x90, 0x6e, 0xa1, 0x00, 0x00]);
  const pceId = new Uint8Array(2);
  const components = o.pckComponents ?? [4, 4, 2, 2, 3, 1, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0];
  const pceSvn = o.pceSvn ?? 13;

  const [rootKeys, caKeys, pckKeys, signingKeys, attKeys, otherKeys] = [keyPair(), keyPair(), keyPair(), keyPair(), keyPair(), keyPair()];
  const rootName = 'Intel SGX Root CA';
  const caName = 'Intel SGX PCK Platform CA';
  const root = certificate({ serial: '01', issuer: rootName, subject: rootName, notBefore, notAfter, publicKey: rootKeys.publicKey, signer: rootKeys.privateKey, extensions: [basicConstraints(true)] });
  const caCert = certificate({ serial: '02', issuer: rootName, subject: caName, notBefore, notAfter, publicKey: caKeys.publicKey, signer: rootKeys.privateKey, extensions: [basicConstraints(true)] });
  const pck = certificate({
    serial: '0a0b0c',
    issuer: caName,
    subject: 'Intel SGX PCK Certificate',
    notBefore,
    notAfter,
    publicKey: pckKeys.publicKey,
    signer: caKeys.privateKey,
    extensions: [basicConstraints(false), extension(SGX, false, sgxExtension({ components, pceSvn, fmspc, pceId }))],
  });
  const signing = certificate({ serial: '03', issuer: rootName, subject: 'Intel SGX TCB Signing', notBefore, notAfter, publicKey: signingKeys.publicKey, signer: rootKeys.privateKey, extensions: [basicConstraints(false)] });

  // the quote
  const attestationKey = rawPublic(attKeys.publicKey);
  const qeAuthData = new Uint8Array(32).fill(0xad);
  const binding = createHash('sha256').update(attestationKey).update(qeAuthData).digest();
  const qeReport = encodeSgxReport({ mrSigner: QE_MRSIGNER, isvProdId: tee === 'sgx' ? 1 : 2, isvSvn: o.qeIsvSvn ?? 8, attributes: Uint8Array.from([0x11]), reportData: cat(binding, new Uint8Array(32)) });
  const chainPem = [pck, caCert, root].map(pem).join('') + '\0';
  const quoteWith = (fields: SgxReportFields | TdReportFields) => {
    const body = tee === 'sgx' ? encodeSgxReport(fields as SgxReportFields) : encodeTdReport({ v15: version === 5, ...(fields as TdReportFields) });
    const signedPart = encodeSignedPart({ version, tee, body });
    return encodeQuote({
      version,
      tee,
      body,
      signature: sign(attKeys.privateKey, signedPart),
      attestationKey,
      qeReport,
      qeReportSignature: sign(pckKeys.privateKey, qeReport),
      qeAuthData,
      certType: 5,
      certData: new Uint8Array(Buffer.from(chainPem, 'latin1')),
      trailing: o.trailing,
    });
  };
  const quote = quoteWith(tee === 'sgx' ? (o.report ?? {}) : (o.td ?? {}));

  // collateral
  const ctee = o.collateralTee ?? tee;
  const issueDate = new Date(now.getTime() - 24 * 3600 * 1000).toISOString().replace('.000', '');
  const nextUpdate = new Date(now.getTime() + 29 * 24 * 3600 * 1000).toISOString().replace('.000', '');
  const comps = (svns: number[]) => svns.map((svn) => ({ svn }));
  const levels = (o.tcbLevels ?? [{ sgx: components, pceSvn, tdx: [3, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], status: 'UpToDate' }]).map((l) => ({
    tcb: { sgxtcbcomponents: comps(l.sgx), pcesvn: l.pceSvn, ...(ctee === 'tdx' ? { tdxtcbcomponents: comps(l.tdx ?? new Array(16).fill(0)) } : {}) },
    tcbDate: '2024-03-13T00:00:00Z',
    tcbStatus: l.status,
    ...(l.advisories ? { advisoryIDs: l.advisories } : {}),
  }));
  const tcbInfo: Record<string, unknown> = { id: ctee === 'sgx' ? 'SGX' : 'TDX', version: 3, issueDate, nextUpdate, fmspc: hex(fmspc), pceId: hex(pceId), tcbType: 0, tcbEvaluationDataNumber: 17 };
  if (ctee === 'tdx') {
    tcbInfo.tdxModule = { mrsigner: hex(new Uint8Array(48)), attributes: '0000000000000000', attributesMask: 'FFFFFFFFFFFFFFFF' };
    if (o.moduleIdentities) {
      tcbInfo.tdxModuleIdentities = o.moduleIdentities.map((m) => ({
        id: m.id,
        mrsigner: hex(m.mrSigner ?? new Uint8Array(48)),
        attributes: '0000000000000000',
        attributesMask: 'FFFFFFFFFFFFFFFF',
        tcbLevels: m.levels.map((l) => ({ tcb: { isvsvn: l.isvSvn }, tcbDate: '2024-03-13T00:00:00Z', tcbStatus: l.status, ...(l.advisories ? { advisoryIDs: l.advisories } : {}) })),
      }));
    }
  }
  tcbInfo.tcbLevels = levels;
  const qeIdentity = {
    id: ctee === 'sgx' ? 'QE' : 'TD_QE',
    version: 2,
    issueDate,
    nextUpdate,
    tcbEvaluationDataNumber: 17,
    miscselect: '00000000',
    miscselectMask: 'FFFFFFFF',
    attributes: '11000000000000000000000000000000',
    attributesMask: 'FBFFFFFFFFFFFFFF0000000000000000',
    mrsigner: hex(QE_MRSIGNER),
    isvprodid: ctee === 'sgx' ? 1 : 2,
    tcbLevels: (o.qeLevels ?? [{ isvSvn: 8, status: 'UpToDate' }]).map((l) => ({ tcb: { isvsvn: l.isvSvn }, tcbDate: '2024-03-13T00:00:00Z', tcbStatus: l.status, ...(l.advisories ? { advisoryIDs: l.advisories } : {}) })),
  };
  const served = (key: string, value: object) => {
    const body = JSON.stringify(value);
    const signature = sign(signingKeys.privateKey, new Uint8Array(Buffer.from(body)));
    return new Uint8Array(Buffer.from(`{"${key}":${body},"signature":"${Buffer.from(signature).toString('hex')}"}`));
  };
  const thisUpdate = new Date(now.getTime() - 24 * 3600 * 1000);
  const crlNext = new Date(now.getTime() + 29 * 24 * 3600 * 1000);
  const rootCrl = crl({ issuer: rootName, thisUpdate, nextUpdate: crlNext, signer: rootKeys.privateKey, revoked: o.revokeCa ? ['02'] : [] });
  const pckCrl = crl({ issuer: caName, thisUpdate, nextUpdate: crlNext, signer: o.forgePckCrl ? otherKeys.privateKey : caKeys.privateKey, revoked: o.revokePck ? ['0a0b0c'] : ['77'] });
  const pemOf = (...certs: Uint8Array[]) => new Uint8Array(Buffer.from(certs.map(pem).join('')));
  const collateral: CollateralItem[] = [
    { role: 'tcbInfo', data: served('tcbInfo', tcbInfo), source: 'fixture tcbInfo' },
    { role: 'qeIdentity', data: served('enclaveIdentity', qeIdentity), source: 'fixture qeIdentity' },
    { role: 'rootCrl', data: rootCrl, source: 'fixture root CRL' },
    { role: 'pckCrl', data: pckCrl, source: 'fixture PCK CRL' },
    { role: 'tcbInfoIssuerChain', data: pemOf(signing, root), source: 'fixture TCB signing chain' },
    { role: 'pckCrlIssuerChain', data: pemOf(caCert, root), source: 'fixture PCK CA chain' },
  ];
  return { quote, collateral, anchor: { kind: 'x509', der: root }, now, rootDer: root, quoteWith };
}
