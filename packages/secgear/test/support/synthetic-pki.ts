/**
 * A throw-away PKI for tests of the SEV-SNP, Nitro, CCA, virtCCA and RA-TLS verifiers: CA and
 * leaf certificates with chosen names, keys, validity, serial and raw extensions, built with a
 * small DER writer and node:crypto. Nothing made here is trusted by the verifiers unless a test
 * passes it as an anchor.
 */
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';

// --- minimal DER writer ---
function tlv(tag: number, body: Uint8Array): Uint8Array {
  const n = body.byteLength;
  const len = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : n < 0x10000 ? [0x82, n >> 8, n & 0xff] : [0x83, n >> 16, (n >> 8) & 0xff, n & 0xff];
  const out = new Uint8Array(1 + len.length + n);
  out[0] = tag;
  out.set(len, 1);
  out.set(body, 1 + len.length);
  return out;
}

function cat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.byteLength;
  }
  return out;
}

export const der = {
  tlv,
  sequence: (...items: Uint8Array[]) => tlv(0x30, cat(...items)),
  set: (...items: Uint8Array[]) => tlv(0x31, cat(...items)),
  integer(n: number): Uint8Array {
    const bytes: number[] = [];
    do {
      bytes.unshift(n & 0xff);
      n = Math.floor(n / 256);
    } while (n > 0);
    if (bytes[0] & 0x80) bytes.unshift(0);
    return tlv(0x02, new Uint8Array(bytes));
  },
  unsigned(magnitude: Uint8Array): Uint8Array {
    let i = 0;
    while (i < magnitude.byteLength - 1 && magnitude[i] === 0) i++;
    const trimmed = magnitude.subarray(i);
    return tlv(0x02, trimmed[0] & 0x80 ? cat(new Uint8Array([0]), trimmed) : trimmed);
  },
  oid(dotted: string): Uint8Array {
    const [a, b, ...rest] = dotted.split('.').map(Number);
    const out = [a * 40 + b];
    for (const n of rest) {
      const chunk = [n & 0x7f];
      for (let v = Math.floor(n / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift((v & 0x7f) | 0x80);
      out.push(...chunk);
    }
    return tlv(0x06, new Uint8Array(out));
  },
  ia5: (text: string) => tlv(0x16, new TextEncoder().encode(text)),
  utf8: (text: string) => tlv(0x0c, new TextEncoder().encode(text)),
  octets: (bytes: Uint8Array) => tlv(0x04, bytes),
  bitString: (bytes: Uint8Array) => tlv(0x03, cat(new Uint8Array([0]), bytes)),
  boolean: (value: boolean) => new Uint8Array([0x01, 0x01, value ? 0xff : 0x00]),
  context: (n: number, value: Uint8Array) => tlv(0xa0 + n, value),
  time(date: Date): Uint8Array {
    const iso = date.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';
    return date.getUTCFullYear() < 2050 ? tlv(0x17, new TextEncoder().encode(iso.slice(2))) : tlv(0x18, new TextEncoder().encode(iso));
  },
};

const ATTRIBUTES: Record<string, string> = { CN: '2.5.4.3', O: '2.5.4.10', OU: '2.5.4.11', C: '2.5.4.6', L: '2.5.4.7', ST: '2.5.4.8' };

/** "CN=ARK-Milan, O=Test" to a DER Name, attributes in the order written. */
function encodeName(name: string): Uint8Array {
  const rdns = name.split(/,\s*/).map((part) => {
    const [key, ...value] = part.split('=');
    const oid = ATTRIBUTES[key.trim()];
    if (!oid) throw new Error(`unknown name attribute ${key}`);
    return der.set(der.sequence(der.oid(oid), der.utf8(value.join('='))));
  });
  return der.sequence(...rdns);
}

export type KeySpec = { type: 'ec'; curve: 'P-256' | 'P-384' | 'P-521' } | { type: 'rsa'; bits: number };

export interface TestKeys {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export function generateKeys(spec: KeySpec = { type: 'ec', curve: 'P-384' }): TestKeys {
  return spec.type === 'ec' ? generateKeyPairSync('ec', { namedCurve: spec.curve }) : generateKeyPairSync('rsa', { modulusLength: spec.bits });
}

export interface TestIdentity extends TestKeys {
  der: Uint8Array;
  name: string;
}

function signatureAlgorithm(key: KeyObject): { oid: Uint8Array; hash: string } {
  if (key.asymmetricKeyType === 'rsa') return { oid: der.sequence(der.oid('1.2.840.113549.1.1.11'), new Uint8Array([0x05, 0x00])), hash: 'sha256' };
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (curve === 'prime256v1') return { oid: der.sequence(der.oid('1.2.840.10045.4.3.2')), hash: 'sha256' };
  if (curve === 'secp384r1') return { oid: der.sequence(der.oid('1.2.840.10045.4.3.3')), hash: 'sha384' };
  return { oid: der.sequence(der.oid('1.2.840.10045.4.3.4')), hash: 'sha512' };
}

export interface IssueOptions {
  /** Distinguished name, e.g. "CN=ARK-Milan, O=Test". */
  name: string;
  /** The issuer; self-signed when omitted. */
  issuer?: TestIdentity;
  keys?: TestKeys;
  keySpec?: KeySpec;
  ca?: boolean;
  notBefore?: Date;
  notAfter?: Date;
  /** Raw extensions: OID and the contents of extnValue. */
  extensions?: { oid: string; value: Uint8Array; critical?: boolean }[];
  serial?: number;
}

export function issueCertificate(options: IssueOptions): TestIdentity {
  const keys = options.keys ?? generateKeys(options.keySpec);
  const signer = options.issuer?.privateKey ?? keys.privateKey;
  const alg = signatureAlgorithm(signer);
  const extensions = [...(options.extensions ?? [])];
  if (options.ca !== undefined) extensions.unshift({ oid: '2.5.29.19', value: options.ca ? der.sequence(der.boolean(true)) : der.sequence(), critical: true });
  const tbs = der.sequence(
    der.context(0, der.integer(2)),
    der.integer(options.serial ?? 1),
    alg.oid,
    encodeName(options.issuer?.name ?? options.name),
    der.sequence(der.time(options.notBefore ?? new Date('2020-01-01T00:00:00Z')), der.time(options.notAfter ?? new Date('2040-01-01T00:00:00Z'))),
    encodeName(options.name),
    new Uint8Array(keys.publicKey.export({ type: 'spki', format: 'der' })),
    ...(extensions.length
      ? [der.context(3, der.sequence(...extensions.map((e) => der.sequence(der.oid(e.oid), ...(e.critical ? [der.boolean(true)] : []), der.octets(e.value)))))]
      : []),
  );
  const signature = new Uint8Array(sign(alg.hash, tbs, signer));
  return { der: der.sequence(tbs, alg.oid, der.bitString(signature)), name: options.name, ...keys };
}
