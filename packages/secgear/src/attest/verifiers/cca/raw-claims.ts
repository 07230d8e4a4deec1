import { lifecycleName, type CcaCollection, type PlatformClaims, type RealmClaims } from './token.js';

/** The token's claims under the names the CCA token specification uses. */
export function ccaRawClaims(token: CcaCollection): Record<string, unknown> {
  return {
    platform: token.platform ? { ...platformClaims(token.platform.claims), signature_algorithm: token.platform.cose.alg } : null,
    realm: { ...realmClaims(token.realm.claims), signature_algorithm: token.realm.cose.alg },
  };
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
