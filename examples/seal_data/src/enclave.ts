// Trusted side. Like secGear's seal_data example, the enclave seals data and unseals it
// again; here the blob is kept by the host between two enclave instances, and the secret
// itself never leaves the enclave: a later instance unseals it and uses it as an HMAC key.
import { createHmac } from 'node:crypto';
import { defineEnclave, seal, unseal } from 'secgear/enclave';

const label = (name: string) => new TextEncoder().encode(`seal_data/v1 ${name}`);

export const ecalls = {
  /**
   * Seals `secret` with the signer policy (later versions of this enclave, signed by the same
   * key, can unseal it) and the key name as authenticated additional data.
   */
  async storeSecret(name: string, secret: Uint8Array): Promise<Uint8Array> {
    const blob = await seal(secret, { policy: 'signer', aad: label(name) });
    secret.fill(0);
    return blob;
  },

  /** Unseals the named secret and returns HMAC-SHA-256(secret, message); the secret stays here. */
  async signWithSecret(name: string, blob: Uint8Array, message: string): Promise<Uint8Array> {
    const { data } = await unseal(blob, { aad: label(name) });
    try {
      return new Uint8Array(createHmac('sha256', data).update(message).digest());
    } finally {
      data.fill(0);
    }
  },
};

defineEnclave({ ecalls });
