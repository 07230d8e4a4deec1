/**
 * A throw-away PKI for tests of the SEV-SNP, Nitro, CCA, virtCCA and RA-TLS verifiers: CA and
 * leaf certificates with chosen names, keys, validity, serial and raw extensions, built with the
 * SDK's DER writer and node:crypto. Nothing made here is trusted by the verifiers unless a test
 * passes it as an anchor.
 */
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import {
  derBitString,
  derBoolean,
  derContext,
  derOctetString,
  derOid,
  derSequence,
  derSet,
  derSmallInteger,
  derTime,
  derTlv,
  derUnsignedInteger,
  derUtf8String,
} from '../../src/common/der-writer.js';

/** The DER writer, under the short names these tests use. */
export const der = {
  tlv: derTlv,
  sequence: derSequence,
  set: derSet,
  integer: derSmallInteger,
  unsigned: derUnsignedInteger,
  oid: derOid,
  ia5: (text: string) => derTlv(0x16, new TextEncoder().encode(text)),
  utf8: derUtf8String,
  octets: derOctetString,
  bitString: (bytes: Uint8Array) => derBitString(bytes),
  boolean: derBoolean,
  context: (n: number, value: Uint8Array) => derContext(n, value, true),
  time: derTime,
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
