/**
 * Trusted implementations of the standard library's ecalls (`stdlib.ts`), emitted into the
 * generated enclave file when the EDL imports them (the trusted code may override them), and
 * the host-side reader of what they return.
 *
 * `qt_enclave_att_report` (sg_ra_report.edl, after secGear's) answers with this enclave's
 * evidence as a CBOR CMW record `[media type, evidence]` (docs/formats/sg-ra-report.md). The
 * host chooses only the nonce: the report data stays empty, so a host can never make a
 * genuine enclave vouch for data of the host's choosing.
 */
import type { FunctionModel } from '../model.js';
import { STD_PREFIX } from '../stdlib.js';

/** secGear's CC_ERROR_SHORT_BUFFER (0xFFFF0010) as C stores it in an `int` retval. */
export const SHORT_BUFFER_RETVAL = 0xffff0010 | 0;

export const STD_ECALL_IMPLS: Readonly<Record<string, { code: string }>> = {
  qt_enclave_att_report: {
    code: `async qt_enclave_att_report(nonce: Uint8Array, _nonce_len: number, report: Uint8Array, _report_len: number, real_len: EdlRef<number>): Promise<number> {
      // only the nonce comes from the host; the report data stays empty
      const evidence = await $getEvidence({ nonce });
      const record = $cmwRecord(evidence.mediaType, evidence.data);
      real_len.value = record.length;
      // too small: nothing written, real_len says what is needed (CC_ERROR_SHORT_BUFFER)
      if (record.length > report.length) return ${SHORT_BUFFER_RETVAL};
      report.set(record);
      return 0;
    }`,
  },
};

/** The standard library's ecalls among `ecalls` that the generated enclave code implements. */
export function stdEcalls<T extends FunctionModel>(ecalls: readonly T[]): T[] {
  return ecalls.filter((e) => e.file.startsWith(STD_PREFIX) && Object.hasOwn(STD_ECALL_IMPLS, e.name));
}

/** Trusted support: the CBOR CMW record encoder (shortest-form heads, as the reader demands). */
export const CMW_ENCODER = `/** A CBOR CMW record [media type, value] (draft-ietf-rats-msg-wrap), in CBOR's shortest form. */
function $cmwRecord(mediaType: string, value: Uint8Array): Uint8Array {
  const type = new TextEncoder().encode(mediaType);
  const parts = [Uint8Array.of(0x82), $cborHead(3, type.length), type, $cborHead(2, value.length), value];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function $cborHead(major: number, n: number): Uint8Array {
  const m = major << 5;
  if (n < 24) return Uint8Array.of(m | n);
  if (n < 0x100) return Uint8Array.of(m | 24, n);
  if (n < 0x10000) return Uint8Array.of(m | 25, n >>> 8, n & 0xff);
  if (n <= 0xffffffff) return Uint8Array.of(m | 26, n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
  throw new SecGearError(ErrorCode.BAD_PARAMETERS, \`evidence of \${n} bytes is too large for a report\`);
}`;

/** Host support: reads a qt_enclave_att_report result back into an evidence envelope. */
export const RA_REPORT_DECODER = `/**
 * The evidence in a qt_enclave_att_report result (sg_ra_report.edl), for
 * \`verifyEvidence(evidence, { nonce, ... })\`, which checks the nonce. Its report data is
 * empty: the host chooses only the nonce. Throws CC_ERROR_BAD_PARAMETERS when report_len was
 * too small (call again with report_len of at least real_len) and CC_ERROR_INVALID_EVIDENCE
 * when the report is not one CBOR CMW record [media type, evidence].
 */
export function decodeRaReport(result: { retval: number; report: Uint8Array; real_len: number }): { mediaType: string; data: Uint8Array } {
  const { retval, report, real_len } = result;
  const bad = (what: string): never => {
    throw new SecGearError(ErrorCode.INVALID_EVIDENCE, \`qt_enclave_att_report: \${what}; the report is not a CMW record [media type, evidence]\`);
  };
  if (retval === ${SHORT_BUFFER_RETVAL}) {
    throw new SecGearError(ErrorCode.BAD_PARAMETERS, \`qt_enclave_att_report: the report needs \${real_len} bytes, report_len was \${report.length}; call again with report_len of at least \${real_len}\`);
  }
  if (retval !== 0) throw new SecGearError(ErrorCode.GENERIC, \`qt_enclave_att_report failed with retval \${retval}\`);
  if (!(report instanceof Uint8Array) || !Number.isSafeInteger(real_len) || real_len < 0 || real_len > report.length) {
    bad(\`real_len \${String(real_len)} is outside the report buffer\`);
  }
  const b = report.subarray(0, real_len);
  let at = 0;
  const head = (major: number, what: string): number => {
    const first = b[at++];
    if (first === undefined || first >> 5 !== major) return bad(\`expected \${what} at byte \${at - 1}\`);
    const info = first & 31;
    if (info < 24) return info;
    const size = info === 24 ? 1 : info === 25 ? 2 : info === 26 ? 4 : 0;
    if (size === 0) return bad(\`unsupported length encoding at byte \${at - 1}\`);
    let n = 0;
    for (let i = 0; i < size; i++) {
      const byte = b[at++];
      if (byte === undefined) return bad('truncated');
      n = n * 256 + byte;
    }
    // the writer uses the shortest form; anything else is not what it wrote
    if (n < (size === 1 ? 24 : size === 2 ? 0x100 : 0x10000)) return bad(\`a length at byte \${at - 1 - size} is not in shortest form\`);
    return n;
  };
  if (head(4, 'an array') !== 2) bad('expected an array of 2 items');
  const typeLength = head(3, 'a text string (the media type)');
  if (typeLength === 0 || typeLength > b.length - at) bad(typeLength === 0 ? 'empty media type' : 'truncated');
  let mediaType = '';
  try {
    mediaType = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(b.subarray(at, at + typeLength));
  } catch {
    bad('the media type is not UTF-8');
  }
  at += typeLength;
  const dataLength = head(2, 'a byte string (the evidence)');
  if (dataLength !== b.length - at) bad(dataLength > b.length - at ? 'truncated' : \`\${b.length - at - dataLength} bytes after the record\`);
  return { mediaType, data: b.slice(at) };
}`;
