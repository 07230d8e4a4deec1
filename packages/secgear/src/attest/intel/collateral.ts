import { certificatesFrom } from '../pki/chain.js';
import type { Crl } from '../pki/crl.js';
import type { CollateralItem } from '../types.js';
import { certInfo, type CertInfo } from './cert-chain.js';
import { classifyIntelCollateral, intelCrl } from './classify.js';
import { readDcapBundle } from './dcap-bundle.js';
import { parseEnclaveIdentity, type EnclaveIdentity } from './enclave-identity.js';
import { readSignedJson } from './signed-json.js';
import { parseTcbInfo, type TcbInfo } from './tcb-info.js';
import { BoundedCache, digest, registerCache } from './verdict-cache.js';

/** A signed JSON collateral item: the parsed value, the exact signed bytes and the signature. */
export interface Signed<T> {
  value: T;
  body: Uint8Array;
  signature: Uint8Array;
  /** SHA-256 of the signed bytes (cache key). */
  digest: string;
  source: string;
}

/** Intel collateral sorted by kind, parsed once per content. */
export interface IntelCollateral {
  tcbInfos: Signed<TcbInfo>[];
  qeIdentities: Signed<EnclaveIdentity>[];
  crls: Crl[];
  /** Every certificate given (issuer chains, PCK certificates), deduplicated. */
  certs: CertInfo[];
  /** Where each certificate came from, by digest (for messages). */
  certSources: Map<string, string>;
  /** Items that claimed an Intel role but could not be read: each becomes a failed check. */
  errors: Array<{ check: string; detail: string }>;
  /** True when the caller gave no Intel collateral at all. */
  empty: boolean;
}

const tcbInfoCache = registerCache(new BoundedCache<Signed<TcbInfo>>(256));
const identityCache = registerCache(new BoundedCache<Signed<EnclaveIdentity>>(256));
const crlCache = registerCache(new BoundedCache<Crl>(256));

function signedTcbInfo(body: Uint8Array, signature: Uint8Array, source: string): Signed<TcbInfo> {
  const key = digest(body);
  return tcbInfoCache.getOrCompute(`${key}|${Buffer.from(signature).toString('hex')}`, () => ({ value: parseTcbInfo(body), body, signature, digest: key, source }));
}

function signedIdentity(body: Uint8Array, signature: Uint8Array, source: string): Signed<EnclaveIdentity> {
  const key = digest(body);
  return identityCache.getOrCompute(`${key}|${Buffer.from(signature).toString('hex')}`, () => ({ value: parseEnclaveIdentity(body), body, signature, digest: key, source }));
}

const CERT_ROLES = new Set(['pckCert', 'pckCertChain', 'pckCrlIssuerChain', 'tcbInfoIssuerChain', 'qeIdentityIssuerChain', 'tcbSigningChain', 'intelCertificates']);

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Sorts collateral items into Intel collateral. Items with Intel roles that cannot be read are
 * reported (never silently dropped); items of other TEEs are ignored.
 */
export function assembleIntelCollateral(items: CollateralItem[]): IntelCollateral {
  const out: IntelCollateral = { tcbInfos: [], qeIdentities: [], crls: [], certs: [], certSources: new Map(), errors: [], empty: true };
  const seen = new Set<string>();
  const addCerts = (data: Uint8Array, source: string) => {
    const ders = certificatesFrom(data);
    if (ders.length === 0) throw new Error('no certificate found');
    for (const der of ders) {
      const info = certInfo(der);
      if (!seen.has(info.digest)) {
        seen.add(info.digest);
        out.certs.push(info);
        out.certSources.set(info.digest, source);
      }
    }
  };
  const addCrl = (data: Uint8Array) => {
    const crl = crlCache.getOrCompute(digest(data), () => {
      const parsed = intelCrl(data);
      if (!parsed) throw new Error('not an Intel SGX CRL (DER, PEM or hex)');
      return parsed;
    });
    if (!out.crls.some((c) => c.digest === crl.digest)) out.crls.push(crl);
  };
  for (const item of items) {
    const source = item.source ?? item.role;
    let role: string | null = item.role;
    const known = role === 'tcbInfo' || role === 'qeIdentity' || role === 'bundle' || role === 'pckCrl' || role === 'rootCrl' || CERT_ROLES.has(role);
    if (!known) role = classifyIntelCollateral(item.data);
    if (!role || role === 'qveIdentity' || role === 'tcbEvaluationDataNumbers') continue;
    out.empty = false;
    try {
      if (role === 'tcbInfo') {
        const s = readSignedJson(item.data, 'tcbInfo');
        out.tcbInfos.push(signedTcbInfo(s.body, s.signature, source));
      } else if (role === 'qeIdentity') {
        const s = readSignedJson(item.data, 'enclaveIdentity');
        out.qeIdentities.push(signedIdentity(s.body, s.signature, source));
      } else if (role === 'pckCrl' || role === 'rootCrl') {
        addCrl(item.data);
      } else if (role === 'bundle') {
        const b = readDcapBundle(item.data);
        out.tcbInfos.push(signedTcbInfo(b.tcbInfo.body, b.tcbInfo.signature, `${source} (tcb_info)`));
        out.qeIdentities.push(signedIdentity(b.qeIdentity.body, b.qeIdentity.signature, `${source} (qe_identity)`));
        for (const crl of b.crls) addCrl(crl);
        for (const chain of b.chains) addCerts(chain, source);
      } else {
        addCerts(item.data, source);
      }
    } catch (error) {
      out.errors.push({ check: `collateral.${role}`, detail: `${source}: ${message(error)}` });
    }
  }
  return out;
}
