import { invalidEvidence } from './byte-reader.js';
import { readDer } from '../pki/der.js';

const BEGIN = '-----BEGIN CERTIFICATE-----';
const END = '-----END CERTIFICATE-----';
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function isWhitespace(c: number): boolean {
  return c === 0x0a || c === 0x0d || c === 0x20 || c === 0x09;
}

/**
 * Reads certification data type 5 (the PCK certificate chain) strictly: PEM blocks with
 * canonical base64 separated by whitespace, or concatenated DER certificates, optionally padded
 * with NUL bytes. Any other byte is an error, so that no byte of the chain can change without
 * changing a certificate. Returns the DER certificates in the order they appear.
 */
export function parseCertificateChainData(data: Uint8Array): Uint8Array[] {
  let end = data.byteLength;
  while (end > 0 && data[end - 1] === 0) end--;
  if (end === 0) invalidEvidence('certification data (PCK chain) is empty');
  return data[0] === 0x30 ? readDerSequence(data.subarray(0, end)) : readPemBlocks(data.subarray(0, end));
}

function readDerSequence(data: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let offset = 0;
  while (offset < data.byteLength) {
    const node = readDer(data, offset);
    if (node.tag !== 0x30) invalidEvidence(`certification data: expected a DER certificate at offset ${offset}`);
    out.push(data.subarray(offset, node.end));
    offset = node.end;
  }
  return out;
}

function readPemBlocks(data: Uint8Array): Uint8Array[] {
  const text = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('latin1');
  const out: Uint8Array[] = [];
  let i = 0;
  const skipSpace = () => {
    while (i < text.length && isWhitespace(text.charCodeAt(i))) i++;
  };
  skipSpace();
  while (i < text.length) {
    if (!text.startsWith(BEGIN, i)) invalidEvidence(`certification data: expected "${BEGIN}" at offset ${i}`);
    i += BEGIN.length;
    const stop = text.indexOf(END, i);
    if (stop < 0) invalidEvidence('certification data: a PEM block has no END line');
    let body = '';
    for (const line of text.slice(i, stop).split(/[\r\n]+/)) {
      const trimmed = line.replace(/[ \t]+$/, '').replace(/^[ \t]+/, '');
      if (!BASE64.test(trimmed)) invalidEvidence('certification data: a PEM block holds characters outside base64');
      body += trimmed;
    }
    const der = Buffer.from(body, 'base64');
    // canonical base64 only: unused low bits or missing padding would let bytes change silently
    if (der.toString('base64') !== body) invalidEvidence('certification data: a PEM block is not canonical base64');
    out.push(new Uint8Array(der.buffer, der.byteOffset, der.byteLength));
    i = stop + END.length;
    skipSpace();
  }
  if (out.length === 0) invalidEvidence('certification data holds no certificate');
  return out;
}
