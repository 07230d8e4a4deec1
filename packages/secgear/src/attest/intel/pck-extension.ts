import { ErrorCode, SecGearError } from '../../common/errors.js';
import { decodeOid, decodeSmallInt, derChildren, derValue, findCertificateExtension, readDer, type DerNode } from '../pki/der.js';

/** The Intel SGX extension of PCK certificates. */
export const SGX_EXTENSION_OID = '1.2.840.113741.1.13.1';

/** What the PCK certificate says about the platform (its TCB at issuance and identity). */
export interface PckExtension {
  ppid: Uint8Array;
  /** SGX TCB component SVNs 1..16 (index 0..15). */
  components: number[];
  pceSvn: number;
  cpuSvn: Uint8Array;
  pceId: Uint8Array;
  fmspc: Uint8Array;
  /** 0 standard, 1 scalable, 2 scalable with integrity; null when absent. */
  sgxType: number | null;
}

function bad(message: string): never {
  throw new SecGearError(ErrorCode.INVALID_EVIDENCE, `PCK certificate SGX extension: ${message}`);
}

function entries(node: DerNode): Map<string, DerNode> {
  const out = new Map<string, DerNode>();
  for (const entry of derChildren(node)) {
    const [oid, value] = derChildren(entry);
    if (!oid || !value || oid.tag !== 0x06) bad('an entry is not { OID, value }');
    out.set(decodeOid(derValue(oid)), value);
  }
  return out;
}

function octets(map: Map<string, DerNode>, oid: string, name: string, size: number): Uint8Array {
  const node = map.get(oid);
  if (!node || node.tag !== 0x04) bad(`${name} (${oid}) is missing`);
  const value = derValue(node);
  if (value.byteLength !== size) bad(`${name} must be ${size} bytes, found ${value.byteLength}`);
  return value;
}

function integer(map: Map<string, DerNode>, oid: string, name: string): number {
  const node = map.get(oid);
  if (!node || (node.tag !== 0x02 && node.tag !== 0x0a)) bad(`${name} (${oid}) is missing`);
  return decodeSmallInt(derValue(node));
}

/** Reads the SGX extension of a PCK certificate (DER). Throws `CC_ERROR_INVALID_EVIDENCE`. */
export function parsePckExtension(certificateDer: Uint8Array): PckExtension {
  const value = findCertificateExtension(certificateDer, SGX_EXTENSION_OID);
  if (!value) bad('not present; this is not a PCK certificate');
  const top = entries(readDer(value));
  const base = SGX_EXTENSION_OID;
  const tcbNode = top.get(`${base}.2`);
  if (!tcbNode || tcbNode.tag !== 0x30) bad('TCB (.2) is missing');
  const tcb = entries(tcbNode);
  const components: number[] = [];
  for (let i = 1; i <= 16; i++) components.push(integer(tcb, `${base}.2.${i}`, `TCB component ${i}`));
  return {
    ppid: octets(top, `${base}.1`, 'PPID', 16),
    components,
    pceSvn: integer(tcb, `${base}.2.17`, 'PCESVN'),
    cpuSvn: octets(tcb, `${base}.2.18`, 'CPUSVN', 16),
    pceId: octets(top, `${base}.3`, 'PCE-ID', 2),
    fmspc: octets(top, `${base}.4`, 'FMSPC', 6),
    sgxType: top.has(`${base}.5`) ? integer(top, `${base}.5`, 'SGX type') : null,
  };
}
