/**
 * The SEV-SNP certificate table the host hands the guest (GHCB specification, "SNP Extended
 * Guest Request"), which configfs-tsm serves as `auxblob` for `sev_guest`: entries of
 * { GUID (16 bytes, little-endian fields), offset (u32 LE), length (u32 LE) } ending with an
 * all-zero entry, offsets counted from the start of the table. Only the certificates we know
 * are returned, each with the collateral role the SEV-SNP verifier expects.
 */
import { ErrorCode, SecGearError } from '../../common/errors.js';

/** GUIDs of the GHCB certificate table, in their canonical text form. */
export const SNP_CERT_GUIDS: Record<string, 'vcek' | 'vlek' | 'ask' | 'ark'> = {
  '63da758d-e664-4564-adc5-f4b93be8accd': 'vcek',
  'a8074bc2-a25a-483e-aae6-39c045a0b8a1': 'vlek',
  '4ab7b379-bbac-4fe4-a02f-05aef327c782': 'ask',
  'c0b406a4-a803-4952-9743-3fb6014cd0ae': 'ark',
};

export interface SnpCertificate {
  role: 'vcek' | 'vlek' | 'ask' | 'ark';
  der: Uint8Array;
}

const ENTRY = 24;
const MAX_ENTRIES = 64;

/** Text form of a GUID stored with its first three fields little-endian (as UEFI/GHCB do). */
export function guidText(bytes: Uint8Array): string {
  const h = (a: number, b: number, reverse: boolean) => {
    const part = [...bytes.subarray(a, b)];
    return (reverse ? part.reverse() : part).map((x) => x.toString(16).padStart(2, '0')).join('');
  };
  return `${h(0, 4, true)}-${h(4, 6, true)}-${h(6, 8, true)}-${h(8, 10, false)}-${h(10, 16, false)}`;
}

export function guidBytes(text: string): Uint8Array {
  const hex = (s: string) => Uint8Array.from(s.match(/../g)!.map((x) => parseInt(x, 16)));
  const [a, b, c, d, e] = text.split('-');
  return Uint8Array.from([...hex(a).reverse(), ...hex(b).reverse(), ...hex(c).reverse(), ...hex(d), ...hex(e)]);
}

/** Parses a certificate table; an empty table (or empty auxblob) gives no certificates. */
export function parseSnpCertTable(table: Uint8Array): SnpCertificate[] {
  if (table.byteLength === 0) return [];
  const bad = (why: string): never => {
    throw new SecGearError(ErrorCode.INVALID_EVIDENCE, `SEV-SNP certificate table (auxblob): ${why}`);
  };
  const view = new DataView(table.buffer, table.byteOffset, table.byteLength);
  const out: SnpCertificate[] = [];
  for (let i = 0; ; i++) {
    const at = i * ENTRY;
    if (i >= MAX_ENTRIES) bad(`more than ${MAX_ENTRIES} entries`);
    if (at + ENTRY > table.byteLength) bad('the table does not end with an all-zero entry');
    const entry = table.subarray(at, at + ENTRY);
    if (entry.every((b) => b === 0)) break;
    const offset = view.getUint32(at + 16, true);
    const length = view.getUint32(at + 20, true);
    if (offset < at + ENTRY || offset + length > table.byteLength) bad(`entry ${i} points outside the table (offset ${offset}, length ${length})`);
    const role = SNP_CERT_GUIDS[guidText(entry.subarray(0, 16))];
    if (role) out.push({ role, der: table.slice(offset, offset + length) });
  }
  return out;
}

/** Builds a table (for fixtures and tests). */
export function encodeSnpCertTable(certs: SnpCertificate[]): Uint8Array {
  const byRole = Object.fromEntries(Object.entries(SNP_CERT_GUIDS).map(([guid, role]) => [role, guid]));
  const header = (certs.length + 1) * ENTRY;
  const total = header + certs.reduce((n, c) => n + c.der.byteLength, 0);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  let offset = header;
  certs.forEach((cert, i) => {
    out.set(guidBytes(byRole[cert.role]), i * ENTRY);
    view.setUint32(i * ENTRY + 16, offset, true);
    view.setUint32(i * ENTRY + 20, cert.der.byteLength, true);
    out.set(cert.der, offset);
    offset += cert.der.byteLength;
  });
  return out;
}
