/**
 * The secure channel's transcript, evidence binding and key schedule
 * (docs/formats/secure-channel.md, "Handshake").
 */
import { createHash, createHmac, hkdfSync } from 'node:crypto';
import { concatBytes, fromHex, zeroize } from '../common/bytes.js';
import { AeadRecordLayer } from '../records/record-layer.js';
import { GROUP_CODES, type GroupName } from './messages.js';

const text = (s: string) => new TextEncoder().encode(s);
const DOMAIN = text('secgear secure channel v1\0');
const LABELS = {
  clientConfirm: text('secgear secure channel v1 client confirm'),
  enclaveConfirm: text('secgear secure channel v1 enclave confirm'),
  recordSecret: text('secgear secure channel v1 record secret'),
  clientToEnclave: text('secgear secure channel v1 client to enclave'),
  enclaveToClient: text('secgear secure channel v1 enclave to client'),
};

/** The 64 bytes of report data the enclave's evidence carries in SERVER_HELLO. */
export function helloReportData(clientNonce: Uint8Array, sessionId: string, group: GroupName, enclaveShare: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha512').update(DOMAIN).update(clientNonce).update(fromHex(sessionId)).update(Uint8Array.of(GROUP_CODES[group])).update(enclaveShare).digest());
}

/** SHA-256 over the handshake messages (CLIENT_FINISH without its confirm). */
export function transcriptHash(clientHello: Uint8Array, serverHello: Uint8Array, clientFinishBody: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(clientHello).update(serverHello).update(clientFinishBody).digest());
}

export interface SessionKeys {
  clientConfirm: Uint8Array;
  enclaveConfirm: Uint8Array;
  recordSecret: Uint8Array;
}

export function deriveSessionKeys(z: Uint8Array, th: Uint8Array): SessionKeys {
  const expand = (label: Uint8Array) => new Uint8Array(hkdfSync('sha256', z, th, label, 32));
  const clientKey = expand(LABELS.clientConfirm);
  const enclaveKey = expand(LABELS.enclaveConfirm);
  const clientConfirm = new Uint8Array(createHmac('sha256', clientKey).update(th).digest());
  const enclaveConfirm = new Uint8Array(createHmac('sha256', enclaveKey).update(concatBytes(th, clientConfirm)).digest());
  zeroize(clientKey);
  zeroize(enclaveKey);
  return { clientConfirm, enclaveConfirm, recordSecret: expand(LABELS.recordSecret) };
}

/** The record layer of one side; zeroizes the record secret. */
export function channelRecords(keys: SessionKeys, side: 'client' | 'enclave'): AeadRecordLayer {
  const client = side === 'client';
  const layer = new AeadRecordLayer({
    secret: keys.recordSecret,
    sendLabel: client ? LABELS.clientToEnclave : LABELS.enclaveToClient,
    receiveLabel: client ? LABELS.enclaveToClient : LABELS.clientToEnclave,
    closeRecords: true,
  });
  zeroize(keys.recordSecret);
  return layer;
}
