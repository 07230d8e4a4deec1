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

function signedTcbInfo(body: Uint8Array, signature: Uint8Array, source: string): Signed<TcbInfo> {
  const key = digest(body);
  return tcbInfoCache.getOrCompute(`${key}|${Buffer.from(signature).toString('hex')}|${source}`, () => ({ value: parseTcbInfo(body), body, signature, digest: key, source }));
}

function signedIdentity(body: Uint8Array, signature: Uint8Array, source: string): Signed<EnclaveIdentity> {
  const key = digest(body);
  return identityCache.getOrCompute(`${key}|${Buffer.from(signature).toString('hex')}|${source}`, () => ({ value: parseEnclaveIdentity(body), body, signature, digest: key, source }));
}

const CERT_ROLES = new Set(['pckCert', 'pckCertChain', 'pckCrlIssuerChain', 'tcbInfoIssuerChain', 'qeIdentityIssuerChain', 'tcbSigningChain', 'intelCertificates']);

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** What one collateral item contributes, parsed once per (role, source, content). */
interface Fragment {
  role: string | null;
  tcbInfos: Signed<TcbInfo>[];
  qeIdentities: Signed<EnclaveIdentity>[];
  crls: Crl[];
  certs: CertInfo[];
}

const fragments = registerCache(new BoundedCache<Fragment>(512));

function certsOf(data: Uint8Array): CertInfo[] {
  const ders = certificatesFrom(data);
  if (ders.length === 0) throw new Error('no certificate found');
  return ders.map(certInfo);
}

function crlOf(data: Uint8Array): Crl {
  const parsed = intelCrl(data);
  if (!parsed) throw new Error('not an Intel SGX CRL (DER, PEM or hex)');
  return parsed;
}

/** Parses one item by its role (classifying it by content when the role is not an Intel one). Throws on bad content. */
function readFragment(item: CollateralItem, source: string): Fragment {
  const known = item.role === 'tcbInfo' || item.role === 'qeIdentity' || item.role === 'bundle' || item.role === 'pckCrl' || item.role === 'rootCrl' || CERT_ROLES.has(item.role);
  const role = known ? item.role : classifyIntelCollateral(item.data);
  const f: Fragment = { role, tcbInfos: [], qeIdentities: [], crls: [], certs: [] };
  if (!role || role === 'qveIdentity' || role === 'tcbEvaluationDataNumbers') return { ...f, role: null };
  if (role === 'tcbInfo') {
    const s = readSignedJson(item.data, 'tcbInfo');
    f.tcbInfos.push(signedTcbInfo(s.body, s.signature, source));
  } else if (role === 'qeIdentity') {
    const s = readSignedJson(item.data, 'enclaveIdentity');
    f.qeIdentities.push(signedIdentity(s.body, s.signature, source));
  } else if (role === 'pckCrl' || role === 'rootCrl') {
    f.crls.push(crlOf(item.data));
  } else if (role === 'bundle') {
    const b = readDcapBundle(item.data);
    f.tcbInfos.push(signedTcbInfo(b.tcbInfo.body, b.tcbInfo.signature, `${source} (tcb_info)`));
    f.qeIdentities.push(signedIdentity(b.qeIdentity.body, b.qeIdentity.signature, `${source} (qe_identity)`));
    f.crls.push(...b.crls.map(crlOf));
    for (const chain of b.chains) f.certs.push(...certsOf(chain));
  } else {
    f.certs.push(...certsOf(item.data));
  }
  return f;
}

/**
 * Sorts collateral items into Intel collateral. Items with Intel roles that cannot be read are
 * reported (never silently dropped); items of other TEEs are ignored. Each item is parsed once
 * per content (SHA-256); a failure is not remembered.
 */
export function assembleIntelCollateral(items: CollateralItem[]): IntelCollateral {
  const out: IntelCollateral = { tcbInfos: [], qeIdentities: [], crls: [], certs: [], certSources: new Map(), errors: [], empty: true };
  for (const item of items) {
    const source = item.source ?? item.role;
    let fragment: Fragment;
    try {
      fragment = fragments.getOrCompute(`${item.role}|${source}|${digest(item.data)}`, () => readFragment(item, source));
    } catch (error) {
      out.errors.push({ check: `collateral.${item.role}`, detail: `${source}: ${message(error)}` });
      out.empty = false;
      continue;
    }
    if (!fragment.role) continue;
    out.empty = false;
    out.tcbInfos.push(...fragment.tcbInfos);
    out.qeIdentities.push(...fragment.qeIdentities);
    for (const crl of fragment.crls) if (!out.crls.some((c) => c.digest === crl.digest)) out.crls.push(crl);
    for (const cert of fragment.certs) {
      if (out.certSources.has(cert.digest)) continue;
      out.certs.push(cert);
      out.certSources.set(cert.digest, source);
    }
  }
  return out;
}
