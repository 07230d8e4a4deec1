import type { NormalizedClaims } from '../../types.js';
import { lifecycleName, type CcaCollection } from './token.js';

/**
 * Normalized claims of a CCA or virtCCA token, from its realm (virtCCA: CVM) token: RIM as the
 * measurement, REM0..3, the challenge as nonce and report data; debug from the platform
 * lifecycle when there is a platform token, else unknown.
 */
export function realmTokenClaims(token: CcaCollection, tee: 'cca' | 'virtcca'): NormalizedClaims {
  const realm = token.realm.claims;
  const measurements: Record<string, Uint8Array> = { RIM: realm.initialMeasurement };
  realm.extensibleMeasurements.forEach((rem, i) => (measurements[`REM${i}`] = rem));
  return {
    tee,
    measurement: realm.initialMeasurement,
    measurements,
    signer: null,
    prodId: null,
    svn: null,
    debug: token.platform ? lifecycleName(token.platform.claims.lifecycle).includes('debug') : null,
    reportData: realm.challenge,
    nonce: realm.challenge,
    tcbStatus: null,
    advisoryIds: [],
  };
}
