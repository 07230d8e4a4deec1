import { ErrorCode, SecGearError } from '../../../common/errors.js';
import { CborTag, decodeCbor, type CborMap, type CborValue } from '../../cose/cbor.js';
import { parseCoseSign1, type CoseSign1 } from '../../cose/sign1.js';

/**
 * Arm CCA attestation token (Arm "Realm Management Monitor specification", attestation token
 * format; draft-ffm-rats-cca-token): CBOR tag 399 wrapping a map from 44234 (CCA platform
 * token) and 44241 (realm delegated token) to byte strings, each holding a COSE_Sign1.
 * Huawei virtCCA uses the same collection. Layout: docs/formats/cca-token.md.
 */
export const CCA_COLLECTION_TAG = 399;
export const PLATFORM_TOKEN_KEY = 44234;
export const REALM_TOKEN_KEY = 44241;

export const PLATFORM_LABELS = {
  profile: 265,
  challenge: 10,
  implementationId: 2396,
  instanceId: 256,
  config: 2401,
  lifecycle: 2395,
  swComponents: 2399,
  verificationService: 2400,
  hashAlgId: 2402,
} as const;

export const REALM_LABELS = {
  profile: 265,
  challenge: 10,
  personalizationValue: 44235,
  hashAlgId: 44236,
  publicKey: 44237,
  initialMeasurement: 44238,
  extensibleMeasurements: 44239,
  publicKeyHashAlgId: 44240,
} as const;

/** One measured platform software component (claim 2399 entry). */
export interface SwComponent {
  type: string | null;
  measurement: Uint8Array;
  version: string | null;
  signerId: Uint8Array;
  hashAlgId: string | null;
}

/** The CCA platform token's claims (labels in `PLATFORM_LABELS`). */
export interface PlatformClaims {
  profile: string;
  challenge: Uint8Array;
  implementationId: Uint8Array;
  instanceId: Uint8Array;
  config: Uint8Array;
  lifecycle: number;
  swComponents: SwComponent[];
  verificationService: string | null;
  hashAlgId: string;
}

/** The realm token's claims (virtCCA: the CVM token's), labels in `REALM_LABELS`. */
export interface RealmClaims {
  profile: string | null;
  challenge: Uint8Array;
  personalizationValue: Uint8Array;
  hashAlgId: string;
  /** The RAK (or virtCCA CVM key) exactly as carried: a raw EC point, a COSE_Key or an SPKI. */
  publicKey: Uint8Array;
  initialMeasurement: Uint8Array;
  extensibleMeasurements: Uint8Array[];
  publicKeyHashAlgId: string;
}

/** A token of the collection: its COSE_Sign1 (signature unchecked) and its parsed claims. */
export interface SignedToken<T> {
  cose: CoseSign1;
  claims: T;
  /** How many byte-string layers wrapped the claims map in the payload (1 for CCA, 2 for virtCCA CVM tokens). */
  payloadWrapping: number;
}

/** A parsed CCA (or virtCCA) token collection. */
export interface CcaCollection {
  platform: SignedToken<PlatformClaims> | null;
  realm: SignedToken<RealmClaims>;
}

function bad(message: string): never {
  throw new SecGearError(ErrorCode.INVALID_EVIDENCE, `CCA token: ${message}`);
}

function bytes(map: CborMap, label: number, name: string, sizes?: number[]): Uint8Array {
  const v = map.get(label);
  if (!(v instanceof Uint8Array)) bad(`${name} (${label}) is missing or not a byte string`);
  if (sizes && !sizes.includes(v.byteLength)) bad(`${name} (${label}) is ${v.byteLength} bytes, expected ${sizes.join(' or ')}`);
  return v;
}

function text(map: CborMap, label: number, name: string): string {
  const v = map.get(label);
  if (typeof v !== 'string') bad(`${name} (${label}) is missing or not a text string`);
  return v;
}

function optionalText(map: CborMap, label: number, name: string): string | null {
  return map.has(label) ? text(map, label, name) : null;
}

/** The claims map of a token payload, unwrapping nested byte strings (virtCCA wraps twice). */
function claimsMap(payload: Uint8Array | null, what: string): { map: CborMap; wrapping: number } {
  if (!payload) bad(`${what} payload is detached`);
  let value: CborValue = decodeCbor(payload);
  let wrapping = 1;
  while (value instanceof Uint8Array && wrapping < 3) {
    value = decodeCbor(value);
    wrapping++;
  }
  if (!(value instanceof Map)) bad(`${what} payload is not a claims map`);
  return { map: value, wrapping };
}

function parseSwComponent(value: CborValue, index: number): SwComponent {
  if (!(value instanceof Map)) bad(`software component ${index} is not a map`);
  const t = (label: number) => (value.has(label) ? text(value, label, `software component ${index} field`) : null);
  return { type: t(1), measurement: bytes(value, 2, `software component ${index} measurement`), version: t(4), signerId: bytes(value, 5, `software component ${index} signer-id`), hashAlgId: t(6) };
}

export function parsePlatformClaims(map: CborMap): PlatformClaims {
  const L = PLATFORM_LABELS;
  const lifecycle = map.get(L.lifecycle);
  if (typeof lifecycle !== 'number' || lifecycle < 0 || lifecycle > 0xffff) bad('platform security lifecycle (2395) is missing or out of range');
  const sw = map.get(L.swComponents);
  if (!Array.isArray(sw)) bad('platform software components (2399) are missing');
  return {
    profile: text(map, L.profile, 'platform profile'),
    challenge: bytes(map, L.challenge, 'platform challenge', [32, 48, 64]),
    implementationId: bytes(map, L.implementationId, 'implementation id', [32]),
    instanceId: bytes(map, L.instanceId, 'instance id', [33]),
    config: bytes(map, L.config, 'platform config'),
    lifecycle,
    swComponents: sw.map(parseSwComponent),
    verificationService: optionalText(map, L.verificationService, 'verification service'),
    hashAlgId: text(map, L.hashAlgId, 'platform hash algorithm'),
  };
}

export function parseRealmClaims(map: CborMap): RealmClaims {
  const L = REALM_LABELS;
  const rems = map.get(L.extensibleMeasurements);
  if (!Array.isArray(rems) || rems.length !== 4) bad('extensible measurements (44239) must be an array of four');
  return {
    profile: optionalText(map, L.profile, 'realm profile'),
    challenge: bytes(map, L.challenge, 'realm challenge', [64]),
    personalizationValue: bytes(map, L.personalizationValue, 'personalization value', [64]),
    hashAlgId: text(map, L.hashAlgId, 'realm hash algorithm'),
    publicKey: bytes(map, L.publicKey, 'realm public key'),
    initialMeasurement: bytes(map, L.initialMeasurement, 'realm initial measurement', [32, 48, 64]),
    extensibleMeasurements: rems.map((r, i) => {
      if (!(r instanceof Uint8Array) || ![32, 48, 64].includes(r.byteLength)) bad(`REM${i} is not 32, 48 or 64 bytes`);
      return r;
    }),
    publicKeyHashAlgId: text(map, L.publicKeyHashAlgId, 'realm public key hash algorithm'),
  };
}

function signedToken<T>(value: CborValue | undefined, what: string, parse: (map: CborMap) => T): SignedToken<T> {
  if (!(value instanceof Uint8Array)) bad(`${what} token is not a byte string`);
  const cose = parseCoseSign1(value);
  if (!cose.tagged) bad(`${what} token is not a tagged COSE_Sign1 (tag 18)`);
  const { map, wrapping } = claimsMap(cose.payload, what);
  return { cose, claims: parse(map), payloadWrapping: wrapping };
}

export interface CcaParseOptions {
  /** Reject a collection without a platform token (default true; false for virtCCA, whose older tokens have none). */
  requirePlatform?: boolean;
}

/**
 * Parses the tag-399 collection and both tokens' claims; signatures are not checked (that is
 * `verifyEvidence`). Throws `CC_ERROR_INVALID_EVIDENCE` naming the claim or layer that is wrong.
 */
export function parseCcaCollection(data: Uint8Array, options: CcaParseOptions = {}): CcaCollection {
  const requirePlatform = options.requirePlatform ?? true;
  const top = decodeCbor(data);
  if (!(top instanceof CborTag) || top.tag !== CCA_COLLECTION_TAG) bad('not a CBOR tag 399 collection');
  if (!(top.value instanceof Map)) bad('the collection is not a map');
  for (const key of top.value.keys()) {
    if (key !== PLATFORM_TOKEN_KEY && key !== REALM_TOKEN_KEY) bad(`unknown collection entry ${String(key)}`);
  }
  const hasPlatform = top.value.has(PLATFORM_TOKEN_KEY);
  if (requirePlatform && !hasPlatform) bad('the platform token (44234) is missing');
  return {
    platform: hasPlatform ? signedToken(top.value.get(PLATFORM_TOKEN_KEY), 'platform', parsePlatformClaims) : null,
    realm: signedToken(top.value.get(REALM_TOKEN_KEY), 'realm', parseRealmClaims),
  };
}

/** Security lifecycle ranges (PSA / CCA platform token). */
export function lifecycleName(value: number): string {
  const names: Record<number, string> = {
    0x0: 'unknown',
    0x1: 'assembly-and-test',
    0x2: 'psa-rot-provisioning',
    0x3: 'secured',
    0x4: 'non-psa-rot-debug',
    0x5: 'recoverable-psa-rot-debug',
    0x6: 'decommissioned',
  };
  // each state owns x000..x0FF; the rest of the space is invalid
  return (value & 0x0f00) === 0 ? (names[value >> 12] ?? 'invalid') : 'invalid';
}
