import type { JsonWebKey, KeyObject } from 'node:crypto';
import { verifyCoseSign1 } from '../../cose/sign1.js';
import { publicKeyFromJwk, publicKeyFromText } from '../../cose/keys.js';
import { certificateKey } from '../anchors.js';
import type { EvidenceVerifier, NormalizedClaims, TrustAnchor, VerifierContext, VerifierOutput } from '../../types.js';
import { AppraisalBuilder, CheckList, errorMessage, unreadable } from '../check-list.js';
import { realmTokenClaims } from './claims.js';
import { keyBindingFailure, realmPublicKey } from './binding.js';
import { ccaRawClaims } from './raw-claims.js';
import { CCA_COLLECTION_TAG, lifecycleName, parseCcaCollection, type CcaCollection, type PlatformClaims } from './token.js';

/**
 * Arm CCA verifier: the realm token's signature by its RAK, the RAK's binding to the platform
 * token (platform challenge = hash of the RAK), and the platform token's signature by a CPAK
 * the caller trusts. No CPAK is built in: Arm publishes no production root, so the CPAK must be
 * passed as a trust anchor (a JWK, a PEM public key, or a certificate holding it).
 */

/** The public TF-M/TF-A test CPAK (its private key is published), recognised so we can say so. */
const TEST_CPAK_X = 'IShnxS4rlQiwpCCpBWDzlNLfqiG911FP8akBr-fh94uxHU5m-Kijivp2r2oxxN6M';
const PLATFORM_PROFILES = ['http://arm.com/CCA-SSD/1.0.0', 'tag:arm.com,2023:cca_platform#1.0.0'];

interface Cpak {
  key: KeyObject;
  source: string;
}

const jwkKeys = new WeakMap<JsonWebKey, KeyObject>();

/** The key of a JWK anchor, imported once per anchor object. */
function jwkKey(jwk: JsonWebKey): KeyObject {
  let key = jwkKeys.get(jwk);
  if (!key) {
    key = publicKeyFromJwk(jwk);
    jwkKeys.set(jwk, key);
  }
  return key;
}

function cpakCandidates(context: VerifierContext): Cpak[] {
  const out: Cpak[] = [];
  for (const anchor of context.trustAnchors) {
    try {
      if (anchor.kind === 'jwk') out.push({ key: jwkKey(anchor.jwk), source: anchor.source ?? 'JWK anchor' });
      else out.push({ key: certificateKey(anchor.der), source: anchor.source ?? 'certificate anchor' });
    } catch {
      // an anchor that holds no usable key cannot be the CPAK
    }
  }
  return out.filter((c) => c.key.asymmetricKeyType === 'ec');
}

const testCpak = new WeakMap<KeyObject, boolean>();

function isTestCpak(key: KeyObject): boolean {
  let is = testCpak.get(key);
  if (is === undefined) {
    is = key.export({ format: 'jwk' }).x === TEST_CPAK_X;
    testCpak.set(key, is);
  }
  return is;
}

export async function verifyCcaToken(data: Uint8Array, context: VerifierContext): Promise<VerifierOutput> {
  const checks = new CheckList();
  let token: CcaCollection;
  try {
    token = parseCcaCollection(data);
  } catch (error) {
    return unreadable('cca', 'token.parse', error);
  }
  checks.pass('token.parse');
  const platform = token.platform!;
  const realm = token.realm;
  checks.record('platform.profile', PLATFORM_PROFILES.includes(platform.claims.profile) ? null : `unknown platform profile "${platform.claims.profile}"`, platform.claims.profile);

  try {
    checks.record('realm.signature', verifyCoseSign1(realm.cose, realmPublicKey(realm.claims.publicKey)));
  } catch (error) {
    checks.fail('realm.signature', `the realm attestation key (RAK) is unusable: ${errorMessage(error)}`);
  }
  checks.record('realm.rak-binding', keyBindingFailure(platform.claims.challenge, realm.claims.publicKey, realm.claims.publicKeyHashAlgId, 'realm attestation'));

  const candidates = cpakCandidates(context);
  let cpak: Cpak | null = null;
  if (candidates.length === 0) {
    checks.fail('platform.cpak', 'no CPAK trust anchor given; pass the platform attestation key (JWK or PEM public key) with --anchors');
  } else {
    let firstFailure = '';
    for (const candidate of candidates) {
      const failure = verifyCoseSign1(platform.cose, candidate.key);
      if (failure === null) {
        cpak = candidate;
        break;
      }
      firstFailure ||= failure;
    }
    checks.record('platform.signature', cpak ? null : `the platform token is not signed by any given CPAK (${firstFailure})`, cpak?.source);
  }

  const claims = normalize(token);
  const appraisal = new AppraisalBuilder();
  appraiseLifecycle(appraisal, platform.claims);
  if (cpak && isTestCpak(cpak.key)) appraisal.add('warning', 'platform: the token is signed with the public TF-M/TF-A test CPAK, whose private key is published; it proves nothing about hardware');
  else appraisal.add('affirming', 'platform: the platform token is signed by the CPAK you trust (no vendor endorsement of that key is checked here)');
  return { tee: 'cca', claims, rawClaims: ccaRawClaims(token), checks: checks.outcomes, appraisal: appraisal.build() };
}

export function appraiseLifecycle(appraisal: AppraisalBuilder, platform: PlatformClaims): void {
  const name = lifecycleName(platform.lifecycle);
  if (name === 'secured') return;
  if (name === 'non-psa-rot-debug' || name === 'recoverable-psa-rot-debug') {
    appraisal.add('warning', `debug: the platform security lifecycle is ${name} (0x${platform.lifecycle.toString(16)})`);
  } else appraisal.add('contraindicated', `platform: the security lifecycle is ${name} (0x${platform.lifecycle.toString(16)}), not secured`);
}

/** The realm claims, plus the platform software components as `platform/<i>/<type>` measurements. */
function normalize(token: CcaCollection): NormalizedClaims {
  const claims = realmTokenClaims(token, 'cca');
  token.platform?.claims.swComponents.forEach((c, i) => (claims.measurements[`platform/${i}/${c.type ?? 'component'}`] = c.measurement));
  return claims;
}

/** A JWK (JSON) or PEM public key file is a CPAK anchor; private key files are refused. */
function classifyAnchor(data: Uint8Array): TrustAnchor | null {
  if (data.byteLength > 16384) return null;
  const key = publicKeyFromText(Buffer.from(data).toString('utf8'));
  if (!key || key.asymmetricKeyType !== 'ec') return null;
  return { kind: 'jwk', jwk: key.export({ format: 'jwk' }) };
}

function classifyCollateral(data: Uint8Array): string | null {
  return classifyAnchor(data) ? 'cpak' : null;
}

/** Whether the bytes start like a tag-399 collection that holds a platform and a realm token. */
export function looksLikeCcaCollection(data: Uint8Array): boolean {
  // d9 018f = tag 399
  return data.byteLength > 8 && data[0] === 0xd9 && data[1] === (CCA_COLLECTION_TAG >> 8) && data[2] === (CCA_COLLECTION_TAG & 0xff);
}

export const ccaVerifier: EvidenceVerifier = {
  format: 'cca',
  detect(data) {
    if (!looksLikeCcaCollection(data)) return false;
    try {
      const token = parseCcaCollection(data);
      // a realm token with a singly wrapped payload; virtCCA CVM tokens wrap twice
      return token.realm.payloadWrapping === 1;
    } catch {
      return false;
    }
  },
  verify: verifyCcaToken,
  classifyAnchor,
  classifyCollateral,
};
