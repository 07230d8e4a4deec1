import { verifyCoseSign1 } from '../../cose/sign1.js';
import { parseCertificate, verifyCertificateChain } from '../../pki/chain.js';
import type { EvidenceVerifier, TrustAnchor, VerifierContext, VerifierOutput } from '../../types.js';
import { buildChain, certificateKey, certificatesIn, collateralCertificates, x509Anchors } from '../anchors.js';
import { AppraisalBuilder, CheckList, errorMessage, unreadable } from '../check-list.js';
import { realmTokenClaims } from '../cca/claims.js';
import { keyBindingFailure, realmPublicKey } from '../cca/binding.js';
import { ccaRawClaims } from '../cca/raw-claims.js';
import { appraiseLifecycle, looksLikeCcaCollection } from '../cca/verifier.js';
import { parseCcaCollection, type CcaCollection } from '../cca/token.js';

/**
 * Huawei virtCCA verifier. The token is the CCA collection with a CVM token (44241, signed by
 * the CVM key it carries in claim 44237) and, on newer firmware, a platform token (44234)
 * signed by the device's AIK, whose challenge is the hash of the CVM key. The AIK certificate
 * must chain to the Huawei roots the caller passes as anchors (none are built in).
 *
 * Without a platform token nothing ties the CVM key to the AIK: every signature can check out
 * (secGear's own verifier accepts such tokens), yet anyone can make one with a key of their own.
 * Such a token is rejected (`platform.binding`), never merely warned about.
 */
const HUAWEI = /(^|\n)O=Huawei($|\n)/;

/**
 * The device AIK certificate among the collateral certificates: a leaf (not a CA), Huawei's
 * first (a collateral folder may hold other TEEs' leaves, such as a VCEK), and with a platform
 * token the one whose key signs it.
 */
function aikCertificate(context: VerifierContext, token: CcaCollection): { leaf: Uint8Array | null; pool: Uint8Array[] } {
  const pool = collateralCertificates(context);
  const leaves = pool.filter((der) => {
    try {
      return !parseCertificate(der).ca;
    } catch {
      return false;
    }
  });
  const huawei = leaves.filter((der) => HUAWEI.test(parseCertificate(der).subject));
  const candidates = huawei.length > 0 ? huawei : leaves;
  const platform = token.platform;
  const signer = platform
    ? candidates.find((der) => {
        try {
          return verifyCoseSign1(platform.cose, certificateKey(der)) === null;
        } catch {
          return false;
        }
      })
    : undefined;
  return { leaf: signer ?? candidates[0] ?? null, pool };
}

export async function verifyVirtCcaToken(data: Uint8Array, context: VerifierContext): Promise<VerifierOutput> {
  const checks = new CheckList();
  let token: CcaCollection;
  try {
    token = parseCcaCollection(data, { requirePlatform: false });
  } catch (error) {
    return unreadable('virtcca', 'token.parse', error);
  }
  checks.pass('token.parse', token.platform ? 'CVM token and platform token' : 'CVM token only (no platform token)');
  const cvm = token.realm;
  try {
    checks.record('cvm.signature', verifyCoseSign1(cvm.cose, realmPublicKey(cvm.claims.publicKey)));
  } catch (error) {
    checks.fail('cvm.signature', `the CVM public key (claim 44237) is unusable: ${errorMessage(error)}`);
  }

  const { leaf, pool } = aikCertificate(context, token);
  if (!leaf) checks.fail('aik.present', 'no AIK certificate in the collateral; pass the device AIK certificate with --collateral');
  else {
    checks.pass('aik.present', parseCertificate(leaf).subject.replace(/\n/g, ', '));
    const chain = buildChain(leaf, pool);
    checks.outcomes.push(verifyCertificateChain(chain, { name: 'aik', now: context.now, anchors: x509Anchors(context, []) }));
    if (token.platform) {
      try {
        checks.record('platform.signature', verifyCoseSign1(token.platform.cose, certificateKey(leaf)));
      } catch (error) {
        checks.fail('platform.signature', errorMessage(error));
      }
    }
  }
  const appraisal = new AppraisalBuilder();
  if (token.platform) {
    checks.record('platform.cvm-binding', keyBindingFailure(token.platform.claims.challenge, cvm.claims.publicKey, cvm.claims.publicKeyHashAlgId, 'CVM'));
    appraiseLifecycle(appraisal, token.platform.claims);
    appraisal.add('affirming', 'platform: the platform token is signed by the device AIK and vouches for the CVM key');
  } else {
    checks.fail(
      'platform.binding',
      'the token has no platform token, so nothing binds the CVM signing key to the AIK; such a token can be made without the hardware (ask for a token from firmware that includes the platform token)',
    );
  }
  return { tee: 'virtcca', claims: realmTokenClaims(token, 'virtcca'), rawClaims: ccaRawClaims(token, 'cvm'), checks: checks.outcomes, appraisal: appraisal.build() };
}

function huaweiCertificates(data: Uint8Array): Uint8Array[] {
  try {
    return certificatesIn(data).filter((der) => HUAWEI.test(parseCertificate(der).subject));
  } catch {
    return [];
  }
}

export const virtCcaVerifier: EvidenceVerifier = {
  format: 'virtcca',
  detect(data) {
    if (!looksLikeCcaCollection(data)) return false;
    try {
      const token = parseCcaCollection(data, { requirePlatform: false });
      return token.platform === null || token.realm.payloadWrapping === 2;
    } catch {
      return false;
    }
  },
  verify: verifyVirtCcaToken,
  classifyCollateral(data) {
    const certs = huaweiCertificates(data);
    if (certs.some((der) => !parseCertificate(der).ca)) return 'aikCert';
    return certs.length > 0 ? 'aikChain' : null;
  },
  classifyAnchor(data): TrustAnchor | null {
    const ca = huaweiCertificates(data).find((der) => parseCertificate(der).ca);
    return ca ? { kind: 'x509', der: ca } : null;
  },
};
