/** Arm CCA attestation tokens (platform + realm), verified against a CPAK the caller trusts. */
export { ccaVerifier, verifyCcaToken } from './verifier.js';
export { parseCcaCollection, parsePlatformClaims, parseRealmClaims, lifecycleName, CCA_COLLECTION_TAG, PLATFORM_TOKEN_KEY, REALM_TOKEN_KEY } from './token.js';
export type { CcaCollection, CcaParseOptions, PlatformClaims, RealmClaims, SwComponent, SignedToken } from './token.js';
export { namedDigest, realmPublicKey } from './binding.js';
