/**
 * Verifier plug-in for simulated evidence (sim and process backends; docs/formats/sim-evidence.md).
 * It checks everything a hardware verifier would (attestation-key chain to a sim root, signature,
 * nonce via verifyEvidence) and then refuses the result unless the caller allows simulation:
 * simulated evidence proves which code ran, never that anything protected it.
 */
import { verify as verifySignature } from 'node:crypto';
import { looksLikeSimEvidence, parseSimEvidence } from '../../../backends/sim-platform/sim-evidence.js';
import { SIM_ORGANIZATION } from '../../../backends/sim-platform/sim-certificates.js';
import { localSimRoot } from './local-root.js';
import { certificatesFrom, parseCertificate, verifyCertificateChain } from '../../pki/chain.js';
import type { CheckOutcome, EvidenceVerifier, NormalizedClaims, TrustAnchor, VerifierContext, VerifierOutput } from '../../types.js';

export const SIM_NOT_PROTECTED =
  'simulated evidence (tee "sim") offers no hardware protection: the enclave ran in a sim or process backend whose memory the host can read and change';

function anchorsFor(context: VerifierContext): Uint8Array[] {
  const anchors = context.trustAnchors.flatMap((a) => (a.kind === 'x509' ? [a.der] : []));
  // this machine's sim root counts as a built-in anchor; it never makes evidence acceptable by
  // itself (sim.simulationAllowed does that), it lets every other check run and report
  if (!context.replaceBuiltInAnchors && context.trustLocalSimRoot !== false) {
    const local = localSimRoot();
    if (local) anchors.push(local);
  }
  return anchors;
}

function isSimCertificate(der: Uint8Array): boolean {
  try {
    return parseCertificate(der).subject.split('\n').includes(`O=${SIM_ORGANIZATION}`);
  } catch {
    return false;
  }
}

function profileCheck(der: Uint8Array): CheckOutcome {
  const check = 'sim.attestationKey.profile';
  try {
    const cert = parseCertificate(der);
    if (cert.ca) return { check, ok: false, detail: 'the attestation key certificate is a CA certificate' };
    if (cert.publicKey.asymmetricKeyDetails?.namedCurve !== 'secp384r1') return { check, ok: false, detail: 'the attestation key is not ECDSA P-384' };
    if (!isSimCertificate(der)) return { check, ok: false, detail: 'the attestation key certificate is not a secGear simulation certificate' };
    return { check, ok: true };
  } catch (error) {
    return { check, ok: false, detail: `certificate could not be parsed: ${error instanceof Error ? error.message : String(error)}` };
  }
}

function signatureCheck(signed: Uint8Array, signature: Uint8Array, certificate: Uint8Array): CheckOutcome {
  const check = 'sim.signature';
  try {
    const key = parseCertificate(certificate).publicKey;
    const ok = verifySignature('sha384', signed, { key, dsaEncoding: 'ieee-p1363' }, signature);
    return ok ? { check, ok } : { check, ok, detail: 'the evidence signature does not verify with the attestation key (the evidence was altered)' };
  } catch (error) {
    return { check, ok: false, detail: `the signature could not be checked: ${error instanceof Error ? error.message : String(error)}` };
  }
}

export const simVerifier: EvidenceVerifier = {
  format: 'sim',
  detect: looksLikeSimEvidence,

  async verify(data: Uint8Array, context: VerifierContext): Promise<VerifierOutput> {
    const evidence = parseSimEvidence(data);
    const anchors = anchorsFor(context);
    const checks: CheckOutcome[] = [
      // first, so that without allowSimulation the reason given is the one that matters
      context.allowSimulation
        ? { check: 'sim.simulationAllowed', ok: true }
        : { check: 'sim.simulationAllowed', ok: false, detail: `${SIM_NOT_PROTECTED}; it is accepted only when simulation is allowed (allowSimulation, --allow-sim)` },
      anchors.length === 0
        ? {
            check: 'sim.attestationKey.chain',
            ok: false,
            detail:
              context.trustLocalSimRoot === false
                ? 'no sim root is configured: pass the sim-root.pem of the machine that produced the evidence as a trust anchor (this verifier does not trust its own machine\'s sim root)'
                : 'no sim root to check against: verify on the machine that produced the evidence (its root is read from ' +
                  '$SECGEAR_SIM_DIR or ~/.secgear/sim), or pass that machine\'s sim-root.pem as a trust anchor',
          }
        : verifyCertificateChain([evidence.attestationCertificate], { name: 'sim.attestationKey', now: context.now, anchors }),
      profileCheck(evidence.attestationCertificate),
      signatureCheck(evidence.signed, evidence.signature, evidence.attestationCertificate),
    ];
    const { identity } = evidence;
    const claims: NormalizedClaims = {
      tee: 'sim',
      measurement: identity.measurement,
      measurements: {},
      signer: identity.signer,
      prodId: identity.prodId,
      svn: identity.svn,
      debug: identity.debug,
      reportData: evidence.reportData,
      nonce: evidence.nonce.byteLength > 0 ? evidence.nonce : null,
      tcbStatus: null,
      advisoryIds: [],
    };
    return {
      tee: 'sim',
      claims,
      rawClaims: {
        version: evidence.version,
        tee: 'sim',
        measurement: identity.measurement,
        signer: identity.signer,
        prodId: identity.prodId,
        svn: identity.svn,
        debug: identity.debug,
        reportData: evidence.reportData,
        nonce: evidence.nonce,
        issuedAt: new Date(evidence.issuedAt).toISOString(),
        attestationKeyCertificate: evidence.attestationCertificate,
      },
      checks,
      appraisal: {
        status: 'affirming',
        reasons: [`simulation allowed by the caller; ${SIM_NOT_PROTECTED}`],
      },
    };
  },

  classifyAnchor(data: Uint8Array): TrustAnchor | null {
    const [der] = certificatesFrom(data);
    if (!der || !isSimCertificate(der)) return null;
    try {
      return parseCertificate(der).ca ? { kind: 'x509', der, source: 'sim root' } : null;
    } catch {
      return null;
    }
  },
};
