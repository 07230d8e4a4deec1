/**
 * The answering side of session evidence (docs/formats/ra-tls-session-evidence.md), for the
 * in-enclave server and the in-enclave client alike: looks at the first bytes the peer sends; a
 * request is answered with evidence bound to this TLS session and consumed, anything else is
 * handed back to the application untouched.
 */
import type * as tls from 'node:tls';
import { bytesEqual } from '../../common/bytes.js';
import { getEvidence } from '../../enclave/evidence.js';
import { encodeSessionEvidence, sessionExporter, sessionReportData, SESSION_EVIDENCE_REQUEST } from '../session-evidence.js';

export async function answerSessionEvidenceRequest(socket: tls.TLSSocket): Promise<tls.TLSSocket> {
  const magic = SESSION_EVIDENCE_REQUEST;
  // paused mode (a 'readable' listener), so nothing flows before the application listens
  const first = await new Promise<Uint8Array>((resolve) => {
    let seen = new Uint8Array(0);
    const done = () => {
      socket.off('readable', onReadable);
      socket.off('end', done);
      resolve(seen);
    };
    const onReadable = () => {
      for (let chunk = socket.read() as Buffer | null; chunk !== null; chunk = socket.read() as Buffer | null) {
        const next = new Uint8Array(seen.byteLength + chunk.byteLength);
        next.set(seen);
        next.set(chunk, seen.byteLength);
        seen = next;
        const prefix = seen.subarray(0, Math.min(seen.byteLength, magic.byteLength));
        if (seen.byteLength >= magic.byteLength || !bytesEqual(prefix, magic.subarray(0, prefix.byteLength))) return done();
      }
    };
    socket.on('readable', onReadable);
    socket.once('end', done);
  });
  let rest = first;
  if (first.byteLength >= magic.byteLength && bytesEqual(first.subarray(0, magic.byteLength), magic)) {
    const evidence = await getEvidence({ reportData: sessionReportData(sessionExporter(socket as never)) });
    socket.write(encodeSessionEvidence(evidence.mediaType, evidence.data));
    rest = first.subarray(magic.byteLength);
  }
  if (rest.byteLength > 0) socket.unshift(Buffer.from(rest));
  return socket;
}
