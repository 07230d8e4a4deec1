import { fail, JsonFields, parseJsonText } from './json-fields.js';
import { compactJson, decodeSignatureHex } from './signed-json.js';

/**
 * A dcap-qvl collateral bundle (`QuoteCollateralV3` as JSON): TCB Info and QE Identity as the
 * exact signed strings with hex signatures, PEM issuer chains, and hex (or byte-array) CRLs.
 */
export interface DcapBundle {
  tcbInfo: { body: Uint8Array; signature: Uint8Array };
  qeIdentity: { body: Uint8Array; signature: Uint8Array };
  /** DER CRLs (root CA CRL and PCK CRL). */
  crls: Uint8Array[];
  /** PEM chains: TCB Info, QE Identity and PCK CRL issuers, and the PCK chain when present. */
  chains: Uint8Array[];
}

const utf8 = (text: string) => new Uint8Array(Buffer.from(text, 'utf8'));

function bytesField(b: JsonFields, key: string): Uint8Array {
  const v = b.raw(key);
  if (typeof v === 'string') {
    const clean = v.replace(/^0x/, '');
    if (clean.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(clean)) fail(`collateral bundle: ${key} must be hex`);
    return new Uint8Array(Buffer.from(clean, 'hex'));
  }
  if (Array.isArray(v) && v.every((x) => Number.isInteger(x) && x >= 0 && x <= 255)) return new Uint8Array(v as number[]);
  return fail(`collateral bundle: ${key} must be hex or a byte array`);
}

function signatureField(b: JsonFields, key: string): Uint8Array {
  const v = b.raw(key);
  if (Array.isArray(v)) {
    const bytes = bytesField(b, key);
    if (bytes.byteLength !== 64) fail(`collateral bundle: ${key} must be 64 bytes (r ‖ s)`);
    return bytes;
  }
  return decodeSignatureHex(v, `collateral bundle ${key}`);
}

export function readDcapBundle(data: Uint8Array): DcapBundle {
  const b = JsonFields.of(parseJsonText(data, 'collateral bundle'), 'collateral bundle');
  const chains = ['tcb_info_issuer_chain', 'qe_identity_issuer_chain', 'pck_crl_issuer_chain', 'pck_certificate_chain']
    .filter((k) => b.has(k))
    .map((k) => utf8(b.string(k)));
  return {
    tcbInfo: { body: compactJson(utf8(b.string('tcb_info'))), signature: signatureField(b, 'tcb_info_signature') },
    qeIdentity: { body: compactJson(utf8(b.string('qe_identity'))), signature: signatureField(b, 'qe_identity_signature') },
    crls: ['root_ca_crl', 'pck_crl'].filter((k) => b.has(k)).map((k) => bytesField(b, k)),
    chains,
  };
}
