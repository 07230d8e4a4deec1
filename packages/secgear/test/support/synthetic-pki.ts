/**
 * A throw-away PKI for tests of the SEV-SNP, Nitro, CCA, virtCCA and RA-TLS verifiers: CA and
 * leaf certificates with chosen names, keys, validity and raw extensions. Nothing made here is
 * trusted by the verifiers unless a test passes it as an anchor.
 */
import { KeyObject, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

// Node 20's types keep the WebCrypto types under `webcrypto` (there is no DOM lib here).
type CryptoKeyPair = webcrypto.CryptoKeyPair;
type CryptoKey = webcrypto.CryptoKey;
type Algorithm = webcrypto.Algorithm;
type EcdsaParams = webcrypto.EcdsaParams;
type EcKeyAlgorithm = webcrypto.EcKeyAlgorithm;
type RsaHashedKeyAlgorithm = webcrypto.RsaHashedKeyAlgorithm;

x509.cryptoProvider.set(webcrypto as never);

export type KeySpec = { name: 'ECDSA'; namedCurve: 'P-256' | 'P-384' | 'P-521' } | { name: 'RSA-PSS' | 'RSASSA-PKCS1-v1_5'; modulusLength: number };

export interface TestIdentity {
  der: Uint8Array;
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** For issuing further certificates. */
  keys: CryptoKeyPair;
  name: string;
}

const HASH_FOR_CURVE = { 'P-256': 'SHA-256', 'P-384': 'SHA-384', 'P-521': 'SHA-512' } as const;

export async function generateKeys(spec: KeySpec = { name: 'ECDSA', namedCurve: 'P-384' }): Promise<CryptoKeyPair> {
  const algorithm =
    spec.name === 'ECDSA'
      ? { name: 'ECDSA', namedCurve: spec.namedCurve }
      : { name: spec.name, modulusLength: spec.modulusLength, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' };
  return (await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as CryptoKeyPair;
}

function signingAlgorithm(key: CryptoKey): Algorithm | EcdsaParams {
  const alg = key.algorithm as EcKeyAlgorithm & RsaHashedKeyAlgorithm;
  if (alg.name === 'ECDSA') return { name: 'ECDSA', hash: HASH_FOR_CURVE[alg.namedCurve as 'P-256'] } as EcdsaParams;
  if (alg.name === 'RSA-PSS') return { name: 'RSA-PSS', hash: 'SHA-256', saltLength: 32 } as Algorithm;
  return { name: alg.name, hash: 'SHA-256' } as Algorithm;
}

export interface IssueOptions {
  /** Distinguished name, e.g. "CN=ARK-Milan, O=Test". */
  name: string;
  /** The issuer; self-signed when omitted. */
  issuer?: TestIdentity;
  keys?: CryptoKeyPair;
  keySpec?: KeySpec;
  ca?: boolean;
  notBefore?: Date;
  notAfter?: Date;
  /** Raw extensions: OID and the DER of extnValue's contents. */
  extensions?: { oid: string; value: Uint8Array; critical?: boolean }[];
  serialNumber?: string;
}

export async function issueCertificate(options: IssueOptions): Promise<TestIdentity> {
  const keys = options.keys ?? (await generateKeys(options.keySpec));
  const signer = options.issuer?.keys.privateKey ?? keys.privateKey;
  const extensions: x509.Extension[] = [];
  if (options.ca !== undefined) extensions.push(new x509.BasicConstraintsExtension(options.ca, undefined, true));
  for (const e of options.extensions ?? []) extensions.push(new x509.Extension(e.oid, e.critical ?? false, e.value));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: options.serialNumber ?? '01',
    subject: options.name,
    issuer: options.issuer?.name ?? options.name,
    notBefore: options.notBefore ?? new Date('2020-01-01T00:00:00Z'),
    notAfter: options.notAfter ?? new Date('2040-01-01T00:00:00Z'),
    publicKey: keys.publicKey,
    signingKey: signer,
    signingAlgorithm: signingAlgorithm(signer),
    extensions,
  });
  return {
    der: new Uint8Array(cert.rawData),
    privateKey: KeyObject.from(keys.privateKey),
    publicKey: KeyObject.from(keys.publicKey),
    keys,
    name: options.name,
  };
}

// --- minimal DER for extension values ---
function tlv(tag: number, body: Uint8Array): Uint8Array {
  const n = body.byteLength;
  const len = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff];
  return new Uint8Array([tag, ...len, ...body]);
}

export const der = {
  integer(n: number): Uint8Array {
    const bytes: number[] = [];
    do {
      bytes.unshift(n & 0xff);
      n = Math.floor(n / 256);
    } while (n > 0);
    if (bytes[0] & 0x80) bytes.unshift(0);
    return tlv(0x02, new Uint8Array(bytes));
  },
  ia5(text: string): Uint8Array {
    return tlv(0x16, new TextEncoder().encode(text));
  },
  octets(bytes: Uint8Array): Uint8Array {
    return tlv(0x04, bytes);
  },
};
