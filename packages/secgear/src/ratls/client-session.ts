/**
 * What an RA-TLS client does once the TLS handshake is done, wherever TLS runs (node:tls on a
 * host, the facade inside an enclave): judge the server's certificate by its evidence, and, when
 * asked, get evidence bound to this very session (exporter) and check it.
 */
import { reportDataBinds } from '../attest/evidence-binding.js';
import { appraisePeer, type PeerAttestation } from '../attest/peer-appraisal.js';
import { bytesEqual, concatBytes, isBytes } from '../common/bytes.js';
import { ErrorCode, SecGearError } from '../common/errors.js';
import { decodeSessionEvidence, sessionExporter, sessionReportData, SESSION_EVIDENCE_REQUEST } from './session-evidence.js';
import type { RaTlsPeer, RaTlsPolicy } from './verify-peer.js';

/** The parts of a TLS socket this needs (node:tls TLSSocket and the enclave facade both have them). */
export interface TlsSocketLike {
  getPeerCertificate(detailed?: boolean): object;
  exportKeyingMaterial(length: number, label: string, context?: Buffer): Uint8Array;
  write(data: Uint8Array): boolean;
  read(): Buffer | null;
  unshift(chunk: Buffer): void;
  on(event: 'readable' | 'end' | 'error' | 'close', listener: (...args: unknown[]) => void): unknown;
  off(event: 'readable' | 'end' | 'error' | 'close', listener: (...args: unknown[]) => void): unknown;
}

export function peerCertificateBytes(socket: TlsSocketLike): Uint8Array {
  const raw = (socket.getPeerCertificate(false) as { raw?: unknown }).raw;
  if (!isBytes(raw) || raw.byteLength === 0) throw new SecGearError(ErrorCode.ATTESTATION_REJECTED, 'the peer presented no certificate');
  return new Uint8Array(raw);
}

/** Evidence the peer sent for this session, with what verifying it showed. */
export interface SessionAttestation extends PeerAttestation {
  evidence: { mediaType: string; data: Uint8Array };
}

/**
 * Checks evidence claimed to belong to this session: it verifies under the policy, its report
 * data is bound to this session's exporter, and it comes from the same code as the certificate.
 * Evidence of any other session fails (`CC_ERROR_INVALID_EVIDENCE`).
 */
export async function verifySessionEvidence(socket: TlsSocketLike, evidence: { mediaType: string; data: Uint8Array }, policy: RaTlsPolicy, certificatePeer?: RaTlsPeer): Promise<SessionAttestation> {
  const { result, peer } = await appraisePeer(evidence, { ...policy, nonce: undefined }, { what: 'RA-TLS session evidence' });
  const expected = sessionReportData(sessionExporter(socket));
  // the enclave asked for getEvidence({ reportData: expected }): the platform wrote secGear's binding of it
  if (!reportDataBinds(result.claims?.reportData, { reportData: expected })) {
    throw new SecGearError(ErrorCode.INVALID_EVIDENCE, 'the session evidence is not bound to this TLS session (its report data is for another exporter secret): replayed or relayed evidence');
  }
  const m = certificatePeer?.claims.measurement;
  if (m && (!peer.claims.measurement || !bytesEqual(peer.claims.measurement, m))) {
    throw new SecGearError(ErrorCode.ATTESTATION_REJECTED, 'the session evidence comes from other code than the certificate');
  }
  return { ...peer, evidence };
}

/** Sends the session evidence request and reads the answer (paused mode: nothing else is consumed). */
export function requestSessionEvidence(socket: TlsSocketLike, timeoutMs = 10_000): Promise<{ mediaType: string; data: Uint8Array }> {
  return new Promise((resolve, reject) => {
    let seen: Uint8Array = new Uint8Array(0);
    const timer = setTimeout(() => finish(new SecGearError(ErrorCode.TIMEOUT, `no session evidence within ${timeoutMs} ms`)), timeoutMs);
    const finish = (error: Error | null, value?: { mediaType: string; data: Uint8Array }) => {
      clearTimeout(timer);
      socket.off('readable', onReadable);
      socket.off('end', onEnd);
      socket.off('error', onEnd);
      if (error) reject(error);
      else resolve(value as { mediaType: string; data: Uint8Array });
    };
    const onEnd = () => finish(new SecGearError(ErrorCode.PROTOCOL_STATE, 'the connection ended before the session evidence arrived'));
    const onReadable = () => {
      try {
        for (let chunk = socket.read(); chunk !== null; chunk = socket.read()) {
          seen = concatBytes(seen, new Uint8Array(chunk));
          const decoded = decodeSessionEvidence(seen);
          if (decoded) {
            if (decoded.length < seen.byteLength) socket.unshift(Buffer.from(seen.subarray(decoded.length)));
            return finish(null, { mediaType: decoded.mediaType, data: decoded.evidence });
          }
        }
      } catch (error) {
        finish(error as Error);
      }
    };
    socket.on('readable', onReadable);
    socket.on('end', onEnd);
    socket.on('error', onEnd);
    socket.write(SESSION_EVIDENCE_REQUEST);
  });
}
