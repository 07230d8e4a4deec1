import { ErrorCode, SecGearError } from '../../../common/errors.js';
import { decodeCbor, type CborMap } from '../../cose/cbor.js';
import { parseCoseSign1, type CoseSign1 } from '../../cose/sign1.js';

/**
 * The AWS Nitro Enclaves attestation document: a COSE_Sign1 (ES384) whose payload is a CBOR
 * map (AWS "Verifying the root of trust" / nsm-api `attestation_process.md`). Field limits
 * follow that document's CDDL. Layout: docs/formats/nitro.md.
 */
export interface NitroDocument {
  cose: CoseSign1;
  moduleId: string;
  /** Milliseconds since the UNIX epoch, as the NSM stamped it. */
  timestamp: number;
  digest: 'SHA384';
  /** PCR index to value (32, 48 or 64 bytes). */
  pcrs: Map<number, Uint8Array>;
  /** The leaf (instance) certificate, DER. */
  certificate: Uint8Array;
  /** Root first, then the intermediates down to the leaf's issuer. */
  cabundle: Uint8Array[];
  publicKey: Uint8Array | null;
  userData: Uint8Array | null;
  nonce: Uint8Array | null;
}

function bad(message: string): never {
  throw new SecGearError(ErrorCode.INVALID_EVIDENCE, `Nitro attestation document: ${message}`);
}

function optionalBytes(map: CborMap, name: string, max: number): Uint8Array | null {
  const value = map.get(name);
  if (value === undefined || value === null) return null;
  if (!(value instanceof Uint8Array)) bad(`${name} is not a byte string`);
  if (value.byteLength > max) bad(`${name} is ${value.byteLength} bytes (at most ${max})`);
  return value;
}

function certificateBytes(value: unknown, name: string): Uint8Array {
  if (!(value instanceof Uint8Array)) bad(`${name} is not a byte string`);
  if (value.byteLength < 1 || value.byteLength > 1024) bad(`${name} is ${value.byteLength} bytes (1 to 1024 allowed)`);
  return value;
}

/** Parses a document (tagged or untagged COSE_Sign1). Throws CC_ERROR_INVALID_EVIDENCE. */
export function parseNitroDocument(bytes: Uint8Array): NitroDocument {
  const cose = parseCoseSign1(bytes);
  if (!cose.payload) bad('the COSE_Sign1 payload is detached');
  const map = decodeCbor(cose.payload);
  if (!(map instanceof Map)) bad('the payload is not a CBOR map');
  const moduleId = map.get('module_id');
  if (typeof moduleId !== 'string' || moduleId.length === 0) bad('module_id is missing or empty');
  const digest = map.get('digest');
  if (digest !== 'SHA384') bad(`digest is ${JSON.stringify(digest)}, expected "SHA384"`);
  const timestamp = map.get('timestamp');
  if (typeof timestamp !== 'number' || !Number.isInteger(timestamp) || timestamp <= 0) bad('timestamp is missing or not a positive integer');
  const pcrMap = map.get('pcrs');
  if (!(pcrMap instanceof Map) || pcrMap.size === 0 || pcrMap.size > 32) bad('pcrs must map 1 to 32 indexes to values');
  const pcrs = new Map<number, Uint8Array>();
  for (const [index, value] of pcrMap) {
    if (typeof index !== 'number' || index < 0 || index > 31) bad(`PCR index ${String(index)} is out of range 0..31`);
    if (!(value instanceof Uint8Array) || ![32, 48, 64].includes(value.byteLength)) bad(`PCR${index} is not 32, 48 or 64 bytes`);
    pcrs.set(index, value);
  }
  const certificate = certificateBytes(map.get('certificate'), 'certificate');
  const bundle = map.get('cabundle');
  if (!Array.isArray(bundle) || bundle.length === 0) bad('cabundle must hold at least the root certificate');
  const cabundle = bundle.map((c, i) => certificateBytes(c, `cabundle[${i}]`));
  return {
    cose,
    moduleId,
    timestamp,
    digest,
    pcrs,
    certificate,
    cabundle,
    publicKey: optionalBytes(map, 'public_key', 1024),
    userData: optionalBytes(map, 'user_data', 1024),
    nonce: optionalBytes(map, 'nonce', 1024),
  };
}
