import { lifecycleName, type CcaCollection, type PlatformClaims, type RealmClaims, type SignedToken } from './token.js';

/**
 * The tokens' claims under the names the CCA token specification uses, with each token's COSE
 * algorithm. virtCCA names the realm token `cvm`.
 */
export function ccaRawClaims(token: CcaCollection, realmName: 'realm' | 'cvm' = 'realm'): Record<string, unknown> {
  const platform = token.platform ? signed(token.platform, platformClaims) : null;
  const realm = signed(token.realm, realmClaims);
  return realmName === 'realm' ? { platform, realm } : { cvm: realm, platform };
}

function signed<T>(token: SignedToken<T>, claims: (value: T) => Record<string, unknown>): Record<string, unknown> {
  return { ...claims(token.claims), signature_algorithm: token.cose.alg };
}

export function platformClaims(p: PlatformClaims): Record<string, unknown> {
  return {
    profile: p.profile,
    challenge: p.challenge,
    implementation_id: p.implementationId,
    instance_id: p.instanceId,
    config: p.config,
    security_lifecycle: p.lifecycle,
    security_lifecycle_name: lifecycleName(p.lifecycle),
    sw_components: p.swComponents.map((c) => ({
      component_type: c.type,
      measurement_value: c.measurement,
      version: c.version,
      signer_id: c.signerId,
      hash_algo_id: c.hashAlgId,
    })),
    verification_service: p.verificationService,
    hash_algo_id: p.hashAlgId,
  };
}

export function realmClaims(r: RealmClaims): Record<string, unknown> {
  return {
    profile: r.profile,
    challenge: r.challenge,
    personalization_value: r.personalizationValue,
    hash_algo_id: r.hashAlgId,
    public_key: r.publicKey,
    initial_measurement: r.initialMeasurement,
    extensible_measurements: r.extensibleMeasurements,
    public_key_hash_algo_id: r.publicKeyHashAlgId,
  };
}
