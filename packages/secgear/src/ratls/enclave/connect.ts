/**
 * An RA-TLS client inside the enclave (mutual RA-TLS between two enclaves): the host relay opens
 * the TCP connection (ocall `ratlsConnect`, where its `allowConnect` permits), TLS runs here, and
 * the server's certificate is judged by its evidence here, before the socket is returned.
 */
import * as tls from 'node:tls';
import { ErrorCode, SecGearError } from '../../common/errors.js';
import { peerCertificateBytes, requestSessionEvidence, verifySessionEvidence, type SessionAttestation, type TlsSocketLike } from '../client-session.js';
import type { RaTlsCredentials } from '../issue-credentials.js';
import { verifyPeer, type RaTlsPeer, type RaTlsPolicy } from '../verify-peer.js';
import { answerSessionEvidenceRequest } from './session-answer.js';
import { checkStreamId, streams } from './stream-table.js';

export interface EnclaveConnectOptions {
  host: string;
  port: number;
  /** What the server enclave must prove. Inside an enclave, pass trust anchors explicitly. */
  policy: RaTlsPolicy;
  /** This enclave's own RA-TLS credentials, presented when the server asks (mutual RA-TLS). */
  credentials?: RaTlsCredentials;
  servername?: string;
  sessionEvidence?: boolean;
  /** Answer the server's session evidence request (it asks first, before application data). */
  answerSessionEvidence?: boolean;
  timeoutMs?: number;
}

export async function connectRaTls(options: EnclaveConnectOptions): Promise<{ socket: tls.TLSSocket; peer: RaTlsPeer; session: SessionAttestation | null }> {
  if (!options || typeof options.host !== 'string' || !Number.isInteger(options.port) || typeof options.policy !== 'object') {
    throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'connectRaTls({ host, port, policy })');
  }
  const id = checkStreamId(await streams.ocalls.connect(options.host, options.port));
  const stream = streams.add(id);
  const creds = options.credentials;
  const socket = new tls.TLSSocket(stream, {
    isServer: false,
    servername: options.servername ?? 'localhost',
    minVersion: 'TLSv1.3',
    rejectUnauthorized: false,
    ...(creds ? { secureContext: tls.createSecureContext({ cert: creds.certificatePem, key: creds.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, minVersion: 'TLSv1.3' }) } : {}),
  } as tls.TLSSocketOptions);
  // a TLSSocket made over a stream (not by tls.connect) starts its handshake on its first write
  socket.write(new Uint8Array(0));
  const timeoutMs = options.timeoutMs ?? 30_000;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      new Promise<void>((resolve, reject) => {
        socket.once('secureConnect', () => resolve());
        socket.once('secure', () => resolve());
        socket.once('error', reject);
      }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new SecGearError(ErrorCode.TIMEOUT, `the RA-TLS handshake took longer than ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    const like = socket as unknown as TlsSocketLike;
    const peer = await verifyPeer(peerCertificateBytes(like), options.policy);
    const session = options.sessionEvidence ? await verifySessionEvidence(like, await requestSessionEvidence(like, timeoutMs), options.policy, peer) : null;
    if (options.answerSessionEvidence) await answerSessionEvidenceRequest(socket);
    return { socket, peer, session };
  } catch (error) {
    socket.destroy();
    stream.destroy();
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
