// Trusted side of the application enclave: it proves who it is to the service enclave on the
// same machine (a local report) and to a remote verifier (evidence).
import { createHash, generateKeyPairSync } from 'node:crypto';
import { defineEnclave, getEvidence, getReport, getTargetInfo } from 'secgear/enclave';

// A key pair made inside the enclave; its private half never leaves.
const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const publicKeyDer = new Uint8Array(publicKey.export({ type: 'spki', format: 'der' }));

export const ecalls = {
  targetInfo: () => getTargetInfo(),
  /** A report for the enclave named by `targetInfo`, binding SHA-256(message) as report data. */
  reportFor: (targetInfo: Uint8Array, message: string) => getReport(targetInfo, new Uint8Array(createHash('sha256').update(message).digest())),
  /**
   * Remote-attestation evidence for a verifier's nonce that binds this enclave's public key
   * (SPKI DER) as its data; the platform hashes both into the TEE's report data. The enclave
   * picks the data, never the host.
   */
  evidenceForKey: async (nonce: Uint8Array) => ({
    evidence: await getEvidence({ nonce, reportData: publicKeyDer }),
    publicKey: publicKeyDer,
  }),
};

defineEnclave({ ecalls });
