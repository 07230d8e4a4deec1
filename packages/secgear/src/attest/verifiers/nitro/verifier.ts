import { parseCertificate, verifyCertificateChain } from '../../pki/chain.js';
import { verifyCoseSign1, coseAlgorithmName } from '../../cose/sign1.js';
import type { EvidenceVerifier, NormalizedClaims, TrustAnchor, VerifierContext, VerifierOutput } from '../../types.js';
import { certificateKey, certificatesIn, x509Anchors } from '../anchors.js';
import { AppraisalBuilder, CheckList, errorMessage, unreadable } from '../check-list.js';
import { AWS_NITRO_ROOT_G1 } from './aws-root.js';
import { parseNitroDocument, type NitroDocument } from './document.js';

/**
 * AWS Nitro Enclaves verifier: the COSE_Sign1 ES384 signature by the document's leaf
 * certificate, the chain leaf → cabundle → AWS Nitro Root G1 at `now` (leaf certificates live
 * about three hours, so an old document fails here), and the document's structure.
 */
const ES384 = -35;

export async function verifyNitroDocument(data: Uint8Array, context: VerifierContext): Promise<VerifierOutput> {
  const checks = new CheckList();
  let doc: NitroDocument;
  try {
    doc = parseNitroDocument(data);
  } catch (error) {
    return unreadable('nitro', 'document.parse', error);
  }
  checks.pass('document.parse', `module ${doc.moduleId}`);
  checks.record('cose.algorithm', doc.cose.alg === ES384 ? null : `the document is signed with ${coseAlgorithmName(doc.cose.alg)}; Nitro documents use ES384`);

  // leaf first, then the bundle from the leaf's issuer up to the root (cabundle[0])
  const chain = [doc.certificate, ...[...doc.cabundle].reverse()];
  checks.outcomes.push(verifyCertificateChain(chain, { name: 'nitro', now: context.now, anchors: x509Anchors(context, [AWS_NITRO_ROOT_G1]) }));

  let leafValidity: { from: number; to: number } | null = null;
  try {
    const leaf = parseCertificate(doc.certificate);
    leafValidity = { from: Date.parse(leaf.validFrom), to: Date.parse(leaf.validTo) };
    checks.record('cose.signature', verifyCoseSign1(doc.cose, certificateKey(doc.certificate), { allowedAlgs: [ES384] }));
  } catch (error) {
    checks.fail('cose.signature', `the leaf certificate key is unusable: ${errorMessage(error)}`);
  }
  if (leafValidity) {
    // the NSM stamps the document when the leaf is fresh; a stamp outside the leaf's life is inconsistent
    const inside = doc.timestamp >= leafValidity.from - 1000 && doc.timestamp <= leafValidity.to;
    checks.record('document.timestamp', inside ? null : `the document timestamp ${new Date(doc.timestamp).toISOString()} lies outside its certificate's validity`);
  }

  const claims = normalize(doc);
  const appraisal = new AppraisalBuilder();
  if (claims.debug) appraisal.add('warning', 'debug: PCR0-2 are all zero, the enclave runs in debug mode and its memory is readable by the parent instance');
  appraisal.add('affirming', 'platform: the document is signed by an AWS Nitro hypervisor key that chains to the AWS Nitro root');
  return { tee: 'nitro', claims, rawClaims: rawClaims(doc), checks: checks.outcomes, appraisal: appraisal.build() };
}

function isZero(bytes: Uint8Array | undefined): boolean {
  return bytes !== undefined && bytes.every((b) => b === 0);
}

function normalize(doc: NitroDocument): NormalizedClaims {
  const measurements: Record<string, Uint8Array> = {};
  for (const [index, value] of [...doc.pcrs].sort((a, b) => a[0] - b[0])) measurements[`PCR${index}`] = value;
  const pcr8 = doc.pcrs.get(8);
  return {
    tee: 'nitro',
    measurement: doc.pcrs.get(0) ?? null,
    measurements,
    // PCR8 is the hash of the enclave image's signing certificate, when the image is signed
    signer: pcr8 && !isZero(pcr8) ? pcr8 : null,
    prodId: null,
    svn: null,
    debug: isZero(doc.pcrs.get(0)) && isZero(doc.pcrs.get(1)) && isZero(doc.pcrs.get(2)),
    reportData: doc.userData,
    nonce: doc.nonce,
    tcbStatus: null,
    advisoryIds: [],
  };
}

function rawClaims(doc: NitroDocument): Record<string, unknown> {
  const pcrs: Record<string, Uint8Array> = {};
  for (const [index, value] of doc.pcrs) pcrs[String(index)] = value;
  return {
    module_id: doc.moduleId,
    digest: doc.digest,
    timestamp: doc.timestamp,
    time: new Date(doc.timestamp).toISOString(),
    pcrs,
    certificate: doc.certificate,
    cabundle: doc.cabundle,
    public_key: doc.publicKey,
    user_data: doc.userData,
    nonce: doc.nonce,
  };
}

function classifyAnchor(data: Uint8Array): TrustAnchor | null {
  try {
    for (const der of certificatesIn(data)) {
      const cert = parseCertificate(der);
      if (cert.subject === cert.issuer && /(^|\n)CN=aws\.nitro-enclaves($|\n)/.test(cert.subject)) return { kind: 'x509', der };
    }
  } catch {
    // not the Nitro root
  }
  return null;
}

export const nitroVerifier: EvidenceVerifier = {
  format: 'nitro',
  detect(data) {
    if (!(data[0] === 0x84 || (data[0] === 0xd2 && data[1] === 0x84))) return false;
    try {
      parseNitroDocument(data);
      return true;
    } catch {
      return false;
    }
  },
  verify: verifyNitroDocument,
  classifyAnchor,
};
