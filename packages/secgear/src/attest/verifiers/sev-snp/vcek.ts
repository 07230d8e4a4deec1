import { ErrorCode, SecGearError } from '../../../common/errors.js';
import { decodeSmallInt, derValue, readDer } from '../../pki/der.js';
import { certificateParts } from '../../pki/extensions.js';
import type { SnpProduct, SnpTcb } from './report.js';

/**
 * The AMD extensions of a VCEK or VLEK certificate (AMD "Versioned Chip Endorsement Key (VCEK)
 * Certificate and KDS Interface Specification"): the TCB the key was derived for, the chip it
 * belongs to (VCEK) or the cloud provider it was issued to (VLEK).
 */
const AMD = '1.3.6.1.4.1.3704.1';
/** OIDs of the AMD VCEK/VLEK certificate extensions. */
export const VCEK_OIDS = {
  structVersion: `${AMD}.1`,
  productName: `${AMD}.2`,
  blSpl: `${AMD}.3.1`,
  teeSpl: `${AMD}.3.2`,
  snpSpl: `${AMD}.3.3`,
  ucodeSpl: `${AMD}.3.8`,
  fmcSpl: `${AMD}.3.9`,
  hwId: `${AMD}.4`,
  cspId: `${AMD}.5`,
} as const;

/** What a VCEK or VLEK certificate says about the key: the TCB and chip (or provider) it was issued for. */
export interface EndorsementKeyInfo {
  kind: 'vcek' | 'vlek';
  /** "Milan-B0", "Genoa", "Turin", ... as the certificate states it. */
  productName: string | null;
  tcb: Omit<SnpTcb, 'raw'>;
  /** VCEK: the chip id the key belongs to (64 bytes; 8 on Turin). */
  hwId: Uint8Array | null;
  /** VLEK: the cloud service provider it was issued to. */
  cspId: string | null;
}

function bad(message: string): never {
  throw new SecGearError(ErrorCode.INVALID_COLLATERAL, `VCEK/VLEK certificate: ${message}`);
}

function integerExtension(value: Uint8Array | undefined, name: string): number {
  if (!value) bad(`the ${name} extension is missing`);
  const node = readDer(value);
  if (node.tag !== 0x02 || node.end !== value.byteLength) bad(`the ${name} extension is not a DER INTEGER`);
  const n = decodeSmallInt(derValue(node));
  if (n > 255) bad(`the ${name} extension value ${n} does not fit a byte`);
  return n;
}

function stringExtension(value: Uint8Array | undefined): string | null {
  if (!value) return null;
  const node = readDer(value);
  if (node.tag !== 0x16 && node.tag !== 0x0c) return null;
  return Buffer.from(derValue(node)).toString('latin1');
}

/** hwID is the raw chip id in older certificates and a DER OCTET STRING wrapping it in newer ones. */
function hwIdExtension(value: Uint8Array | undefined): Uint8Array | null {
  if (!value) return null;
  if (value.byteLength === 66 && value[0] === 0x04 && value[1] === 0x40) return value.subarray(2);
  if (value.byteLength === 10 && value[0] === 0x04 && value[1] === 0x08) return value.subarray(2);
  if (value.byteLength === 64 || value.byteLength === 8) return value;
  return bad(`the hwID extension has an unexpected length ${value.byteLength}`);
}

/**
 * Reads the AMD extensions of a VCEK or VLEK certificate (DER); `kind` comes from the subject
 * (SEV-VCEK or SEV-VLEK), `product` from the issuer. Throws `CC_ERROR_INVALID_COLLATERAL`.
 */
export function readEndorsementKeyInfo(certificateDer: Uint8Array, kind: 'vcek' | 'vlek', product: SnpProduct): EndorsementKeyInfo {
  const ext = new Map<string, Uint8Array>();
  for (const e of certificateParts(certificateDer).extensions) ext.set(e.oid, e.value);
  return {
    kind,
    productName: stringExtension(ext.get(VCEK_OIDS.productName)),
    tcb: {
      fmc: product === 'Turin' ? integerExtension(ext.get(VCEK_OIDS.fmcSpl), 'fmcSPL') : null,
      bootloader: integerExtension(ext.get(VCEK_OIDS.blSpl), 'blSPL'),
      tee: integerExtension(ext.get(VCEK_OIDS.teeSpl), 'teeSPL'),
      snp: integerExtension(ext.get(VCEK_OIDS.snpSpl), 'snpSPL'),
      microcode: integerExtension(ext.get(VCEK_OIDS.ucodeSpl), 'ucodeSPL'),
    },
    hwId: hwIdExtension(ext.get(VCEK_OIDS.hwId)),
    cspId: stringExtension(ext.get(VCEK_OIDS.cspId)),
  };
}

/** The product named by an AMD signing-key or root CN ("SEV-Milan", "SEV-VLEK-Genoa", "ARK-Turin"). */
export function productFromAmdName(commonName: string): SnpProduct | null {
  const m = /^(?:SEV-VLEK-|SEV-|ARK-)(Milan|Genoa|Turin)$/.exec(commonName);
  return m ? (m[1] as SnpProduct) : null;
}

/** The CN of an X509Certificate subject/issuer string as node prints it. */
export function commonName(name: string): string {
  const line = name.split('\n').find((l) => l.startsWith('CN='));
  return line ? line.slice(3) : '';
}
