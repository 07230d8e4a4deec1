import { ErrorCode, SecGearError } from '../../../common/errors.js';

/**
 * The SEV-SNP `ATTESTATION_REPORT` (AMD SEV-SNP ABI specification, "ATTESTATION_REPORT
 * Structure"), versions 2 to 5. Layout and field meanings: docs/formats/sev-snp-report.md.
 */

/** Size of an `ATTESTATION_REPORT` in bytes, every version. */
export const SNP_REPORT_SIZE = 1184;
/** The signature covers bytes 0x000–0x29F. */
export const SNP_SIGNED_LENGTH = 0x2a0;
/** Where the 144-byte signature (R, S little-endian, 72 bytes each) starts. */
export const SNP_SIGNATURE_OFFSET = 0x2a0;

/** The EPYC generations whose ARKs are built in. */
export type SnpProduct = 'Milan' | 'Genoa' | 'Turin';
/** Which key signed the report (SIGNING_KEY field): chip key, cloud provider key, or none. */
export type SnpSigningKey = 'vcek' | 'vlek' | 'none';

/** A TCB_VERSION: security patch levels of each firmware component. */
export interface SnpTcb {
  /** Turin and later only (null before). */
  fmc: number | null;
  bootloader: number;
  tee: number;
  snp: number;
  microcode: number;
  /** The 8 bytes as a little-endian integer, as firmware compares them. */
  raw: bigint;
}

/** The guest policy the guest was launched with (POLICY field, bit layout in docs/formats/sev-snp-report.md). */
export interface SnpPolicy {
  abiMinor: number;
  abiMajor: number;
  smt: boolean;
  migrateMa: boolean;
  debug: boolean;
  singleSocket: boolean;
  cxlAllow: boolean;
  memAes256Xts: boolean;
  raplDis: boolean;
  ciphertextHiding: boolean;
  pageSwapDisable: boolean;
  raw: bigint;
}

/** A parsed report: integers decoded, byte fields as views into the input (nothing copied). */
export interface SnpReport {
  version: number;
  guestSvn: number;
  policy: SnpPolicy;
  familyId: Uint8Array;
  imageId: Uint8Array;
  vmpl: number;
  signatureAlgo: number;
  currentTcbBytes: Uint8Array;
  platformInfo: { smtEnabled: boolean; tsmeEnabled: boolean; eccEnabled: boolean; raplDisabled: boolean; ciphertextHidingEnabled: boolean; aliasCheckComplete: boolean; raw: bigint };
  authorKeyEn: boolean;
  maskChipKey: boolean;
  signingKey: SnpSigningKey;
  reportData: Uint8Array;
  measurement: Uint8Array;
  hostData: Uint8Array;
  idKeyDigest: Uint8Array;
  authorKeyDigest: Uint8Array;
  reportId: Uint8Array;
  reportIdMa: Uint8Array;
  reportedTcbBytes: Uint8Array;
  /** CPUID family/model/stepping (version 3 and later; null before). */
  cpuid: { family: number; model: number; stepping: number } | null;
  chipId: Uint8Array;
  committedTcbBytes: Uint8Array;
  currentVersion: string;
  committedVersion: string;
  launchTcbBytes: Uint8Array;
  /** Version 5 and later; null before. */
  launchMitVector: bigint | null;
  currentMitVector: bigint | null;
  /** The signed bytes 0x000–0x29F. */
  signedBytes: Uint8Array;
  /** r ‖ s, each 48 bytes big-endian (converted from the report's little-endian 72-byte fields). */
  signature: Uint8Array;
}

function bad(message: string): never {
  throw new SecGearError(ErrorCode.INVALID_EVIDENCE, `SEV-SNP report: ${message}`);
}

function u32(b: Uint8Array, o: number): number {
  return (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16)) + b[o + 3] * 0x1000000;
}

function u64(b: Uint8Array, o: number): bigint {
  return BigInt(u32(b, o)) | (BigInt(u32(b, o + 4)) << 32n);
}

function bit(value: bigint, index: number): boolean {
  return ((value >> BigInt(index)) & 1n) === 1n;
}

/** A 72-byte little-endian signature component to 48 big-endian bytes; the top 24 bytes must be zero. */
function componentP384(le: Uint8Array, name: string): Uint8Array {
  for (let i = 48; i < 72; i++) if (le[i] !== 0) bad(`signature ${name} does not fit P-384 (byte ${i} is not zero)`);
  const be = new Uint8Array(48);
  for (let i = 0; i < 48; i++) be[i] = le[47 - i];
  return be;
}

/**
 * Parses an `ATTESTATION_REPORT` (versions 2 to 5, exactly 1184 bytes); the signature is not
 * checked (that is `verifyEvidence`). Throws `CC_ERROR_INVALID_EVIDENCE` with the reason.
 */
export function parseSnpReport(bytes: Uint8Array): SnpReport {
  if (bytes.byteLength !== SNP_REPORT_SIZE) bad(`expected ${SNP_REPORT_SIZE} bytes, got ${bytes.byteLength}`);
  const version = u32(bytes, 0x00);
  if (version < 2 || version > 5) bad(`version ${version} is not supported (2 to 5 are)`);
  const signatureAlgo = u32(bytes, 0x34);
  if (signatureAlgo !== 1) bad(`signature algorithm ${signatureAlgo} is not ECDSA P-384 with SHA-384 (1)`);
  const policyRaw = u64(bytes, 0x08);
  const platformRaw = u64(bytes, 0x40);
  const flags = u32(bytes, 0x48);
  const keySelect = (flags >> 2) & 0x7;
  const signingKey: SnpSigningKey = keySelect === 0 ? 'vcek' : keySelect === 1 ? 'vlek' : keySelect === 7 ? 'none' : bad(`SIGNING_KEY value ${keySelect} is reserved`);
  const view = (offset: number, length: number) => bytes.subarray(offset, offset + length);
  const version3 = version >= 3;
  const version5 = version >= 5;
  const sig = view(SNP_SIGNATURE_OFFSET, 144);
  return {
    version,
    guestSvn: u32(bytes, 0x04),
    policy: {
      abiMinor: Number(policyRaw & 0xffn),
      abiMajor: Number((policyRaw >> 8n) & 0xffn),
      smt: bit(policyRaw, 16),
      migrateMa: bit(policyRaw, 18),
      debug: bit(policyRaw, 19),
      singleSocket: bit(policyRaw, 20),
      cxlAllow: bit(policyRaw, 21),
      memAes256Xts: bit(policyRaw, 22),
      raplDis: bit(policyRaw, 23),
      ciphertextHiding: bit(policyRaw, 24),
      pageSwapDisable: bit(policyRaw, 25),
      raw: policyRaw,
    },
    familyId: view(0x10, 16),
    imageId: view(0x20, 16),
    vmpl: u32(bytes, 0x30),
    signatureAlgo,
    currentTcbBytes: view(0x38, 8),
    platformInfo: {
      smtEnabled: bit(platformRaw, 0),
      tsmeEnabled: bit(platformRaw, 1),
      eccEnabled: bit(platformRaw, 2),
      raplDisabled: bit(platformRaw, 3),
      ciphertextHidingEnabled: bit(platformRaw, 4),
      aliasCheckComplete: bit(platformRaw, 5),
      raw: platformRaw,
    },
    authorKeyEn: (flags & 1) === 1,
    maskChipKey: (flags & 2) === 2,
    signingKey,
    reportData: view(0x50, 64),
    measurement: view(0x90, 48),
    hostData: view(0xc0, 32),
    idKeyDigest: view(0xe0, 48),
    authorKeyDigest: view(0x110, 48),
    reportId: view(0x140, 32),
    reportIdMa: view(0x160, 32),
    reportedTcbBytes: view(0x180, 8),
    cpuid: version3 ? { family: bytes[0x188], model: bytes[0x189], stepping: bytes[0x18a] } : null,
    chipId: view(0x1a0, 64),
    committedTcbBytes: view(0x1e0, 8),
    currentVersion: `${bytes[0x1ea]}.${bytes[0x1e9]}.${bytes[0x1e8]}`,
    committedVersion: `${bytes[0x1ee]}.${bytes[0x1ed]}.${bytes[0x1ec]}`,
    launchTcbBytes: view(0x1f0, 8),
    launchMitVector: version5 ? u64(bytes, 0x1f8) : null,
    currentMitVector: version5 ? u64(bytes, 0x200) : null,
    signedBytes: view(0, SNP_SIGNED_LENGTH),
    signature: new Uint8Array([...componentP384(sig.subarray(0, 72), 'R'), ...componentP384(sig.subarray(72, 144), 'S')]),
  };
}

/** Decodes a TCB_VERSION for a product (Turin added FMC and moved the fields). */
export function decodeTcb(bytes: Uint8Array, product: SnpProduct): SnpTcb {
  const raw = u64(bytes, 0);
  if (product === 'Turin') return { fmc: bytes[0], bootloader: bytes[1], tee: bytes[2], snp: bytes[3], microcode: bytes[7], raw };
  return { fmc: null, bootloader: bytes[0], tee: bytes[1], snp: bytes[6], microcode: bytes[7], raw };
}

/** The product a CPUID family/model belongs to, or null when unknown. */
export function productFromCpuid(family: number, model: number): SnpProduct | null {
  if (family === 0x19 && model <= 0x0f) return 'Milan';
  if (family === 0x19 && ((model >= 0x10 && model <= 0x1f) || (model >= 0xa0 && model <= 0xaf))) return 'Genoa';
  if (family === 0x1a && model <= 0x11) return 'Turin';
  return null;
}

/** "bl=3 tee=0 snp=8 ucode=115" (with fmc for Turin). */
export function formatTcb(tcb: SnpTcb): string {
  return `${tcb.fmc === null ? '' : `fmc=${tcb.fmc} `}bl=${tcb.bootloader} tee=${tcb.tee} snp=${tcb.snp} ucode=${tcb.microcode}`;
}

/** Whether every component of `a` is at least that of `b`. */
export function tcbAtLeast(a: SnpTcb, b: SnpTcb): boolean {
  return a.bootloader >= b.bootloader && a.tee >= b.tee && a.snp >= b.snp && a.microcode >= b.microcode && (a.fmc ?? 0) >= (b.fmc ?? 0);
}
