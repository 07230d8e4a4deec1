/**
 * `connect(options)`: a TLS 1.3 client (node:tls) for an enclave's RA-TLS server. The server's
 * certificate is judged by its evidence under the policy (not by a CA), before the socket is
 * handed to the application; with `sessionEvidence`, evidence bound to this very session is
 * fetched and checked too.
 */
import * as tls from 'node:tls';
import { ErrorCode, SecGearError } from '../common/errors.js';
import { peerCertificateBytes, requestSessionEvidence, verifySessionEvidence, type SessionAttestation, type TlsSocketLike } from './client-session.js';
import { verifyPeer, type PeerCertificate, type RaTlsPeer, type RaTlsPolicy } from './verify-peer.js';

export interface RaTlsConnectOptions {
  port: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** SNI name. Default `localhost`. */
  servername?: string;
  /** What the server enclave must prove. */
  policy: RaTlsPolicy;
  /** A verifier to use instead of `verifyPeer` with `policy` (for example `createPeerVerifier`, which caches). */
  verifier?: (certificate: PeerCertificate) => Promise<RaTlsPeer>;
  /** Also fetch and check evidence bound to this session (the server must answer it). */
  sessionEvidence?: boolean;
  /** A client certificate and key (PEM) for servers that ask for one. */
  cert?: string;
  key?: string;
  ALPNProtocols?: string[];
  /** Default 30 000 ms for handshake and verification. */
  timeoutMs?: number;
}

export interface RaTlsConnection {
  socket: tls.TLSSocket;
  peer: RaTlsPeer;
  session: SessionAttestation | null;
}

export async function connect(options: RaTlsConnectOptions): Promise<RaTlsConnection> {
  if (!options || !Number.isInteger(options.port) || typeof options.policy !== 'object') {
    throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'connect({ port, policy }): a port and an attestation policy');
  }
  const socket = tls.connect({
    port: options.port,
    host: options.host ?? '127.0.0.1',
    servername: options.servername ?? 'localhost',
    minVersion: 'TLSv1.3',
    // a self-signed RA-TLS certificate has no CA: it is judged by its evidence below
    rejectUnauthorized: false,
    ...(options.cert && options.key ? { cert: options.cert, key: options.key } : {}),
    ...(options.ALPNProtocols ? { ALPNProtocols: options.ALPNProtocols } : {}),
  });
  const timeoutMs = options.timeoutMs ?? 30_000;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      new Promise<void>((resolve, reject) => {
        socket.once('secureConnect', resolve);
        socket.once('error', reject);
      }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new SecGearError(ErrorCode.TIMEOUT, `the RA-TLS handshake took longer than ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    const certificate = peerCertificateBytes(socket as unknown as TlsSocketLike);
    const peer = await (options.verifier ? options.verifier(certificate) : verifyPeer(certificate, options.policy));
    let session: SessionAttestation | null = null;
    if (options.sessionEvidence) {
      const like = socket as unknown as TlsSocketLike;
      session = await verifySessionEvidence(like, await requestSessionEvidence(like, timeoutMs), options.policy, peer);
    }
    return { socket, peer, session };
  } catch (error) {
    socket.destroy();
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
