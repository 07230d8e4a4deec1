import type { Crl } from '../pki/crl.js';
import { verifyCrlSignature } from '../pki/crl.js';
import type { CheckOutcome } from '../types.js';
import { buildChain, isRevoked, type CertInfo } from './cert-chain.js';
import type { Signed } from './collateral.js';
import { verifyP256 } from './ecdsa.js';
import { verifiedOnce } from './verdict-cache.js';

/** The parts of the trust decision every collateral check needs. */
export interface TrustContext {
  anchors: CertInfo[];
  certs: CertInfo[];
  now: Date;
  /** The root CA CRL when given (already signature- and window-checked). */
  rootCrl: Crl | null;
}

const iso = (d: Date) => d.toISOString();

/**
 * issueDate <= now < nextUpdate, the window every piece of Intel collateral is valid in
 * (half-open, as dcap-qvl reads it: at nextUpdate the next issue is due and this one is stale).
 */
export function windowCheck(name: string, issue: Date, next: Date | null, now: Date, what: string): CheckOutcome {
  const check = `${name}.validity`;
  if (now.getTime() < issue.getTime()) return { check, ok: false, detail: `${what} is not valid before ${iso(issue)} (now ${iso(now)})` };
  if (next && now.getTime() >= next.getTime()) return { check, ok: false, detail: `${what} expired at ${iso(next)} (now ${iso(now)}); fetch current collateral` };
  return { check, ok: true };
}

/** The certificates in the path strictly between leaf and anchor, plus the leaf when asked. */
function revocationCheck(name: string, path: CertInfo[], crl: Crl | null, includeLeaf: boolean): CheckOutcome | null {
  if (!crl) return null;
  const subjects = path.slice(includeLeaf ? 0 : 1, -1);
  const revoked = subjects.find((c) => isRevoked(c, crl));
  return revoked
    ? { check: `${name}.revocation`, ok: false, detail: `${revoked.subject} (serial ${revoked.serial}) is revoked by the root CA CRL` }
    : { check: `${name}.revocation`, ok: true };
}

/** The TCB signing certificate (among those given) whose key verifies the item, if any. */
export function tcbSignerOf(item: Signed<{ issueDate: Date; nextUpdate: Date }>, trust: TrustContext): CertInfo | null {
  const sigHex = Buffer.from(item.signature).toString('hex');
  const signers = trust.certs.filter((c) => !c.ca && c.subject.includes('TCB Signing'));
  return signers.find((s) => verifiedOnce(`json|${item.digest}|${sigHex}|${s.digest}`, () => verifyP256(s.publicKey, item.body, item.signature))) ?? null;
}

/** Signature only (for items given but not used; used items get the full check). */
export function signedByTcbSigner(item: Signed<{ issueDate: Date; nextUpdate: Date }>, trust: TrustContext): boolean {
  return tcbSignerOf(item, trust) !== null;
}

/**
 * Of several versions of the same collateral, the one to use at `now`: the newest that is
 * current, else the newest (which then fails its validity check by name).
 */
export function pickCurrent<T extends { value: { issueDate: Date; nextUpdate: Date } }>(items: T[], now: Date): T | null {
  const at = now.getTime();
  const newest = (list: T[]) => [...list].sort((a, b) => b.value.issueDate.getTime() - a.value.issueDate.getTime())[0] ?? null;
  return newest(items.filter((i) => i.value.issueDate.getTime() <= at && at < i.value.nextUpdate.getTime())) ?? newest(items);
}

/**
 * Verifies a TCB Info or QE Identity: its signature over the exact signed bytes by a TCB
 * signing certificate, that certificate's chain to a trust anchor (and the root CRL), and its
 * issueDate/nextUpdate window at `now`.
 */
export function checkSignedCollateral(name: 'tcbInfo' | 'qeIdentity', item: Signed<{ issueDate: Date; nextUpdate: Date }>, trust: TrustContext): CheckOutcome[] {
  const signers = trust.certs.filter((c) => !c.ca && c.subject.includes('TCB Signing'));
  if (signers.length === 0) {
    return [{ check: `${name}.chain`, ok: false, detail: `no Intel SGX TCB Signing certificate was given to check ${item.source} (add its issuer chain as collateral)` }];
  }
  const signer = tcbSignerOf(item, trust);
  if (!signer) return [{ check: `${name}.signature`, ok: false, detail: `the signature of ${item.source} does not verify with the TCB signing certificate over the served bytes` }];
  const out: CheckOutcome[] = [{ check: `${name}.signature`, ok: true }];
  const chain = buildChain(signer, trust.certs, trust.anchors, trust.now);
  if (!chain.ok) return [...out, { check: `${name}.chain`, ok: false, detail: `TCB signing certificate: ${chain.detail}` }];
  out.push({ check: `${name}.chain`, ok: true });
  const revocation = revocationCheck(name, chain.path, trust.rootCrl, true);
  if (revocation) {
    out.push(revocation);
    if (!revocation.ok) return out;
  }
  out.push(windowCheck(name, item.value.issueDate, item.value.nextUpdate, trust.now, item.source));
  return out;
}

/** Whether `issuer` signed the CRL (a success is cached by content). */
export function crlSignedBy(crl: Crl, issuer: CertInfo): boolean {
  return verifiedOnce(`crl|${crl.digest}|${issuer.digest}`, () => verifyCrlSignature(crl, issuer.publicKey));
}

/** Checks a CRL: issued and signed by `issuer`, inside its thisUpdate/nextUpdate window. */
export function checkCrl(name: 'crl.root' | 'crl.pck', crl: Crl, issuer: CertInfo, now: Date): CheckOutcome[] {
  const ok = crlSignedBy(crl, issuer);
  if (!ok) return [{ check: `${name}.signature`, ok: false, detail: `the CRL signature does not verify with ${issuer.subject}` }];
  return [{ check: `${name}.signature`, ok: true }, windowCheck(name, crl.thisUpdate, crl.nextUpdate, now, `the CRL of ${issuer.subject}`)];
}

/** PCK chain revocation: intermediates against the root CRL, the leaf against the PCK CRL. */
export function checkPckRevocation(path: CertInfo[], rootCrl: Crl | null, pckCrl: Crl | null): CheckOutcome | null {
  if (!rootCrl && !pckCrl) return null;
  const byRoot = revocationCheck('pck', path, rootCrl, false);
  if (byRoot && !byRoot.ok) return byRoot;
  if (pckCrl && isRevoked(path[0], pckCrl)) {
    return { check: 'pck.revocation', ok: false, detail: `the PCK certificate (serial ${path[0].serial}) is revoked by the PCK CRL` };
  }
  return { check: 'pck.revocation', ok: true };
}
