import { bytesEqual } from '../../../common/bytes.js';
import { parseCertificate } from '../../pki/chain.js';
import type { EvidenceVerifier, NormalizedClaims, Tee, VerifierContext, VerifierOutput } from '../../types.js';
import { certificateKey } from '../anchors.js';
import { AppraisalBuilder, CheckList, errorMessage, unreadable } from '../check-list.js';
import { checkBinding } from './binding.js';
import { extractRaTlsEvidence, RA_TLS_OIDS, type RaTlsCertificate } from './extract.js';
import { certificateParts } from '../../pki/extensions.js';
import { derChildren, derValue, readDer } from '../../pki/der.js';

/**
 * RA-TLS certificate verifier: extracts every piece of evidence the certificate carries,
 * verifies each through the registered verifier of its format, and checks that each vouches
 * for the certificate's public key. The certificate itself must be valid at `now`; its
 * signature is checked when its issuer is at hand (self-signed, or the next certificate of a
 * PEM bundle). The TLS handshake proves possession of the key; the evidence proves where it lives.
 */

/** Whether the certificate says it is self-signed: same names, or its authority key id is its own key id. */
function claimsSelfSigned(der: Uint8Array, subject: string, issuer: string): boolean {
  if (subject === issuer) return true;
  let ski: Uint8Array | null = null;
  let aki: Uint8Array | null = null;
  for (const ext of certificateParts(der).extensions) {
    try {
      if (ext.oid === '2.5.29.14') ski = derValue(readDer(ext.value));
      if (ext.oid === '2.5.29.35') {
        const keyId = derChildren(readDer(ext.value)).find((n) => n.tag === 0x80); // [0] keyIdentifier
        aki = keyId ? derValue(keyId) : null;
      }
    } catch {
      // a malformed key identifier says nothing
    }
  }
  return ski !== null && aki !== null && bytesEqual(ski, aki);
}

function certificateChecks(cert: RaTlsCertificate, context: VerifierContext, checks: CheckList): void {
  const x509 = parseCertificate(cert.der);
  const at = context.now.getTime();
  const from = Date.parse(x509.validFrom);
  const to = Date.parse(x509.validTo);
  checks.record(
    'certificate.validity',
    at < from || at > to ? `the certificate is not valid at ${context.now.toISOString()} (valid ${x509.validFrom} to ${x509.validTo})` : null,
  );
  let selfVerifies = false;
  try {
    selfVerifies = x509.verify(certificateKey(cert.der));
  } catch {
    // checked below
  }
  if (selfVerifies) {
    checks.pass('certificate.signature', 'self-signed');
    return;
  }
  if (claimsSelfSigned(cert.der, x509.subject, x509.issuer)) {
    checks.fail('certificate.signature', 'the certificate is self-signed but its signature does not verify with its own key (altered)');
    return;
  }
  const issuerDer = cert.bundle.find((der) => x509.checkIssued(parseCertificate(der)));
  if (!issuerDer) {
    checks.pass('certificate.signature', 'issuer certificate not supplied, signature not checked (the evidence binds the key)');
    return;
  }
  checks.record('certificate.signature', x509.verify(certificateKey(issuerDer)) ? null : 'the certificate signature does not verify with its issuer key', 'issued by the next certificate');
}

export async function verifyRaTlsCertificate(data: Uint8Array, context: VerifierContext): Promise<VerifierOutput> {
  const checks = new CheckList();
  let cert: RaTlsCertificate;
  try {
    cert = extractRaTlsEvidence(data);
    parseCertificate(cert.der);
  } catch (error) {
    return unreadable(null, 'certificate.parse', error);
  }
  checks.pass('certificate.parse');
  certificateChecks(cert, context, checks);
  if (cert.evidence.length === 0) checks.fail('evidence.extract', 'the certificate carries no TEE evidence (no RA-TLS extension and no Nitro document)');

  const inner: VerifierContext = { ...context, nonce: undefined };
  const appraisal = new AppraisalBuilder();
  const evidence: Record<string, unknown>[] = [];
  let primary: { tee: Tee | null; claims: NormalizedClaims | null } | null = null;
  const seen: { data: Uint8Array; output: VerifierOutput }[] = [];
  const freshness: Uint8Array[] = [];
  for (const item of cert.evidence) {
    const name = item.source;
    let output: VerifierOutput;
    try {
      // identical quotes in two extensions are verified once
      output = seen.find((s) => bytesEqual(s.data, item.data))?.output ?? (await context.verifiers.get(item.format).verify(item.data, inner));
    } catch (error) {
      checks.fail(`${name}.verify`, `the embedded ${item.format} evidence could not be verified: ${errorMessage(error)}`);
      continue;
    }
    seen.push({ data: item.data, output });
    for (const c of output.checks) checks.outcomes.push({ ...c, check: `${name}.${c.check}` });
    const binding = checkBinding(item, output.claims, output.rawClaims, cert.spki, cert.evidence);
    checks.record(`${name}.binding`, binding.failure, binding.how);
    if (!binding.failure) {
      // a nonce counts only where the evidence that carries or binds it also binds the key
      if (binding.boundClaims?.nonce) freshness.push(binding.boundClaims.nonce);
      if (output.claims?.nonce) freshness.push(output.claims.nonce);
    }
    for (const reason of output.appraisal.reasons) appraisal.add(output.appraisal.status, `${name}: ${reason}`);
    if (output.appraisal.reasons.length === 0) appraisal.add(output.appraisal.status, `${name}: ${output.appraisal.status}`);
    primary ??= { tee: output.tee, claims: output.claims };
    evidence.push({ source: name, format: item.format, claims: output.claims, rawClaims: output.rawClaims });
  }
  if (context.nonce) {
    const expected = context.nonce;
    checks.record(
      'nonce.binding',
      freshness.some((n) => bytesEqual(n, expected)) ? null : 'no evidence bound to the certificate key carries the expected nonce (a stale or replayed certificate)',
    );
  }
  const x509 = parseCertificate(cert.der);
  return {
    tee: primary?.tee ?? null,
    claims: primary?.claims ?? null,
    rawClaims: {
      certificate: { subject: x509.subject, issuer: x509.issuer, validFrom: x509.validFrom, validTo: x509.validTo, subjectPublicKeyInfo: cert.spki },
      evidence,
    },
    checks: checks.outcomes,
    appraisal: appraisal.build(),
  };
}

const EVIDENCE_OIDS = new Set<string>([RA_TLS_OIDS.gramineLegacy, RA_TLS_OIDS.gramineLegacyMisencoded, RA_TLS_OIDS.intelSgxSdk, RA_TLS_OIDS.tcgTaggedEvidence, RA_TLS_OIDS.secGearEvidence]);

export const raTlsCertVerifier: EvidenceVerifier = {
  format: 'ra-tls-cert',
  detect(data) {
    const pem = data.byteLength > 27 && Buffer.from(data.subarray(0, 64)).toString('latin1').includes('-----BEGIN CERTIFICATE-----');
    if (!pem && !(data[0] === 0x30 && (data[1] & 0x80) !== 0)) return false;
    try {
      const cert = extractRaTlsEvidence(data);
      return cert.evidence.length > 0 || certificateParts(cert.der).extensions.some((e) => EVIDENCE_OIDS.has(e.oid));
    } catch {
      return false;
    }
  },
  verify: verifyRaTlsCertificate,
  // the nonce is a claim inside the certificate (TCG `nonce`), bound through the key's binding
  checksNonce: true,
};
