/**
 * CK_MECHANISM on the wire. The type is a u32 (0xffffffff: no mechanism, which cancels an
 * operation). The parameter encoding changed with protocol version 2 (p11-kit 0.25.6):
 * - versions 0 and 1: the parameter always follows, through the type's serializer; mechanisms
 *   without a parameter send a null byte array;
 * - version 2: mechanisms p11-kit lists as parameterless send nothing more; the others send a
 *   presence byte (0: no parameter) and then the parameter through the type's serializer.
 * Types without a serializer carry their parameter as a plain byte array in every version.
 */
import { CKM } from '../constants.js';
import { RpcDecodeError, type WireReader, type WireWriter } from './wire.js';

export const NO_MECHANISM = 0xffffffff;

export type MechanismParam =
  | { kind: 'bytes'; bytes: Uint8Array | null }
  | { kind: 'pss'; hashAlg: number; mgf: number; sLen: number }
  | { kind: 'oaep'; hashAlg: number; mgf: number; source: number; sourceData: Uint8Array | null }
  | { kind: 'gcm'; iv: Uint8Array | null; ivBits: number; aad: Uint8Array | null; tagBits: number }
  | { kind: 'ecdh1'; kdf: number; sharedData: Uint8Array | null; publicData: Uint8Array | null }
  | { kind: 'iv'; iv: Uint8Array }
  | { kind: 'ctr'; counterBits: number; cb: Uint8Array }
  | { kind: 'ulong'; value: number };

export interface Mechanism {
  type: number;
  param: MechanismParam | null;
}

type Serializer = 'pss' | 'oaep' | 'gcm' | 'ecdh1' | 'aes-iv' | 'des-iv' | 'ctr' | 'ulong' | 'dh';

// p11-kit's serializer table (rpc-message.c), standard mechanisms only
const SERIALIZERS = new Map<number, Serializer>([
  ...[0xd, 0xe, 0x47, 0x43, 0x44, 0x45].map((t) => [t, 'pss'] as const),
  [CKM.RSA_PKCS_OAEP, 'oaep'],
  [CKM.ECDH1_DERIVE, 'ecdh1'],
  ...[0x1082, 0x1085, 0x2104, 0x2108, 0x2106, 0x2105, 0x2107, 0x1089].map((t) => [t, 'aes-iv'] as const),
  [CKM.AES_CTR, 'ctr'],
  [CKM.AES_GCM, 'gcm'],
  ...[0x122, 0x125, 0x133, 0x136, 0x153, 0x152, 0x150].map((t) => [t, 'des-iv'] as const),
  ...[0x222, 0x257, 0x252, 0x262, 0x272, 0x4a, 0x4e, 0x1084, 0x108b, 0x135, 0x137].map((t) => [t, 'ulong'] as const),
  [0x21, 'dh'],
]);

// mechanisms p11-kit (0.25.6+) sends without any parameter bytes in protocol version 2
const NO_PARAMETERS = new Set<number>([
  0x0, 0xa, 0x1, 0x2, 0x3, 0xb, 0x4, 0x5, 0x6, 0x46, 0x40, 0x41, 0x42, 0x7, 0x8, 0xc, 0x10, 0x2000, 0x11, 0x12,
  0x1020, 0x1040, 0x1041, 0x1042, 0x1043, 0x1044, 0x1045, 0x1046, 0x20, 0x2001, 0x30, 0x2002, 0x1010, 0x350, 0x100,
  0x110, 0x111, 0x330, 0x1080, 0x1081, 0x1083, 0x108a, 0x120, 0x130, 0x131, 0x140, 0x300, 0x310, 0x320, 0x340, 0x370,
  0x374, 0x1000, 0x1030, 0x1060, 0x101, 0x121, 0x132, 0x141, 0x301, 0x311, 0x321, 0x331, 0x341, 0x103, 0x123, 0x134,
  0x138, 0x143, 0x303, 0x313, 0x333, 0x343, 0x380, 0x381, 0x1008, 0x1036, 0x1065, 0x200, 0x201, 0x210, 0x211, 0x220,
  0x221, 0x392, 0x255, 0x256, 0x396, 0x250, 0x251, 0x393, 0x260, 0x261, 0x394, 0x270, 0x271, 0x395, 0x50, 0x51, 0x53,
  0x48, 0x49, 0x4b, 0x4c, 0x4d, 0x4f, 0x1070, 0x230, 0x231, 0x240, 0x241, 0x400,
]);

/** Whether p11-kit's client forwards this mechanism at all (it refuses types it cannot encode). */
export function clientCanEncode(type: number): boolean {
  return NO_PARAMETERS.has(type) || SERIALIZERS.has(type);
}

function readParam(r: WireReader, type: number): MechanismParam {
  switch (SERIALIZERS.get(type)) {
    case 'pss': return { kind: 'pss', hashAlg: r.u64(), mgf: r.u64(), sLen: r.u64() };
    case 'oaep': return { kind: 'oaep', hashAlg: r.u64(), mgf: r.u64(), source: r.u64(), sourceData: r.byteArray() };
    case 'gcm': return { kind: 'gcm', iv: r.byteArray(), ivBits: r.u64(), aad: r.byteArray(), tagBits: r.u64() };
    case 'ecdh1': return { kind: 'ecdh1', kdf: r.u64(), sharedData: r.byteArray(), publicData: r.byteArray() };
    case 'aes-iv':
    case 'des-iv': {
      const iv = r.byteArray();
      const want = SERIALIZERS.get(type) === 'aes-iv' ? 16 : 8;
      if (!iv || iv.byteLength !== want) throw new RpcDecodeError(`mechanism 0x${type.toString(16)} needs a ${want}-byte IV`);
      return { kind: 'iv', iv: iv.slice() };
    }
    case 'ctr': {
      const counterBits = r.u64();
      const cb = r.byteArray();
      if (!cb || cb.byteLength !== 16) throw new RpcDecodeError('CKM_AES_CTR needs a 16-byte counter block');
      return { kind: 'ctr', counterBits, cb: cb.slice() };
    }
    case 'ulong': return { kind: 'ulong', value: r.u64() };
    default: {
      const bytes = r.byteArray();
      return { kind: 'bytes', bytes: bytes ? bytes.slice() : null };
    }
  }
}

function writeParam(w: WireWriter, type: number, p: MechanismParam): void {
  const s = SERIALIZERS.get(type);
  const mismatch = () => new TypeError(`mechanism 0x${type.toString(16)} cannot carry a ${p.kind} parameter`);
  switch (p.kind) {
    case 'pss': if (s !== 'pss') throw mismatch(); w.u64(p.hashAlg).u64(p.mgf).u64(p.sLen); return;
    case 'oaep': if (s !== 'oaep') throw mismatch(); w.u64(p.hashAlg).u64(p.mgf).u64(p.source).byteArray(p.sourceData); return;
    case 'gcm': if (s !== 'gcm') throw mismatch(); w.byteArray(p.iv).u64(p.ivBits).byteArray(p.aad).u64(p.tagBits); return;
    case 'ecdh1': if (s !== 'ecdh1') throw mismatch(); w.u64(p.kdf).byteArray(p.sharedData).byteArray(p.publicData); return;
    case 'iv': if (s !== 'aes-iv' && s !== 'des-iv') throw mismatch(); w.byteArray(p.iv); return;
    case 'ctr': if (s !== 'ctr') throw mismatch(); w.u64(p.counterBits).byteArray(p.cb); return;
    case 'ulong': if (s !== 'ulong') throw mismatch(); w.u64(p.value); return;
    case 'bytes': if (s !== undefined && s !== 'dh') throw mismatch(); w.byteArray(p.bytes); return;
  }
}

/** Reads "M"; null is the "no mechanism" marker (cancel the operation). */
export function readMechanism(r: WireReader, version: number): Mechanism | null {
  const type = r.u32();
  if (type === NO_MECHANISM) return null;
  if (version >= 2) {
    if (NO_PARAMETERS.has(type)) return { type, param: null };
    if (r.byte() === 0) return { type, param: null };
    return { type, param: readParam(r, type) };
  }
  const param = readParam(r, type);
  return { type, param: param.kind === 'bytes' && param.bytes === null ? null : param };
}

export function writeMechanism(w: WireWriter, mechanism: Mechanism | null, version: number): void {
  if (mechanism === null) {
    w.u32(NO_MECHANISM);
    return;
  }
  const { type, param } = mechanism;
  w.u32(type);
  if (version >= 2) {
    if (NO_PARAMETERS.has(type)) return;
    if (param === null) {
      w.byte(0);
      return;
    }
    w.byte(1);
    writeParam(w, type, param);
    return;
  }
  if (param === null) {
    if (SERIALIZERS.has(type) && SERIALIZERS.get(type) !== 'dh') throw new TypeError(`mechanism 0x${type.toString(16)} needs its parameter in protocol version ${version}`);
    w.byteArray(null);
    return;
  }
  writeParam(w, type, param);
}
