/**
 * The RA-TLS server inside the enclave: TLS 1.3 runs here (`new tls.TLSSocket(stream)` over a
 * byte stream the host relays), so the private key and the plaintext never leave the enclave.
 * The host only accepts TCP connections and carries ciphertext (`RaTlsRelay` in
 * `secgear/ratls/host`).
 */
import * as tls from 'node:tls';
import { isBytes } from '../../common/bytes.js';
import { ErrorCode, SecGearError } from '../../common/errors.js';
import type { RaTlsCredentials } from '../issue-credentials.js';
import { answerSessionEvidenceRequest } from './session-answer.js';
import type { EnclaveStream } from './stream-channel.js';
import { streams, type RaTlsRelayEcalls } from './stream-table.js';

/** What the application's handler gets for each connection. */
export interface RaTlsConnection {
  /** The decrypted TLS stream (a Duplex): read requests, write answers. */
  socket: tls.TLSSocket;
  /** The client's certificate (DER) when it presented one (mutual TLS). */
  peerCertificate: Uint8Array | null;
  /** What `verifyClient` returned for it (for example the client's `RaTlsPeer`). */
  peer: unknown;
  streamId: number;
}

export interface RaTlsServerOptions {
  /** From `createRaTlsCredentials` (made in this enclave). */
  credentials: RaTlsCredentials;
  /** Called for each established connection. */
  onConnection: (connection: RaTlsConnection) => void | Promise<void>;
  /**
   * Ask clients for a certificate (mutual RA-TLS). The certificate is checked by
   * `verifyClient`, which throws to refuse the connection.
   */
  requestCert?: boolean;
  verifyClient?: (certificate: Uint8Array) => Promise<unknown> | unknown;
  /**
   * Answer session evidence requests (`connect({ sessionEvidence: true })`). Default true. When
   * both ends want session evidence, the client asks first and answers second
   * (`connectRaTls({ sessionEvidence, answerSessionEvidence })`), the server answers first (here)
   * and asks second (`requestSessionEvidence` in `onConnection`).
   */
  sessionEvidence?: boolean;
  /** ALPN protocols offered. */
  ALPNProtocols?: string[];
  /** Streams at once. Default 256. */
  maxConnections?: number;
  /** A connection whose TLS handshake has not finished by then is dropped. Default 30 000 ms. */
  handshakeTimeoutMs?: number;
}

function keyPem(credentials: RaTlsCredentials): string {
  return credentials.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
}

export class RaTlsServer {
  readonly #options: RaTlsServerOptions;
  #context: tls.SecureContext;

  constructor(options: RaTlsServerOptions) {
    if (!options?.credentials?.certificatePem || typeof options.onConnection !== 'function') {
      throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'createRaTlsServer needs { credentials, onConnection }');
    }
    if (options.requestCert && typeof options.verifyClient !== 'function') {
      throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'requestCert needs verifyClient: a client certificate nobody checks proves nothing');
    }
    this.#options = options;
    this.#context = tls.createSecureContext({ key: keyPem(options.credentials), cert: options.credentials.certificatePem, minVersion: 'TLSv1.3' });
  }

  /**
   * Serves new connections with other credentials (a renewed certificate before the current
   * one expires); connections already open keep theirs.
   */
  setCredentials(credentials: RaTlsCredentials): void {
    if (!credentials?.certificatePem) throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'setCredentials needs credentials from createRaTlsCredentials');
    this.#context = tls.createSecureContext({ key: keyPem(credentials), cert: credentials.certificatePem, minVersion: 'TLSv1.3' });
  }

  /** The ecalls the host relay calls: spread them into `defineEnclave({ ecalls })`. */
  get ecalls(): RaTlsRelayEcalls {
    return streams.ecalls;
  }

  /** Starts taking connections the host relay accepts. */
  listen(): this {
    streams.onInbound((stream) => this.#accept(stream), this.#options.maxConnections ?? 256);
    return this;
  }

  #accept(stream: EnclaveStream): void {
    const socket = new tls.TLSSocket(stream, {
      isServer: true,
      secureContext: this.#context,
      requestCert: this.#options.requestCert ?? false,
      // the client certificate is self-signed: it is judged by its evidence, in verifyClient
      rejectUnauthorized: false,
      ...(this.#options.ALPNProtocols ? { ALPNProtocols: this.#options.ALPNProtocols } : {}),
    });
    // a client that never finishes its handshake must not hold a stream (and a relay slot) for ever
    const timer = setTimeout(() => socket.destroy(), this.#options.handshakeTimeoutMs ?? 30_000);
    socket.on('close', () => {
      clearTimeout(timer);
      stream.destroy();
    });
    socket.on('error', () => socket.destroy());
    socket.once('secure', () => {
      clearTimeout(timer);
      void this.#established(socket, stream.streamId);
    });
  }

  async #established(socket: tls.TLSSocket, streamId: number): Promise<void> {
    try {
      let peerCertificate: Uint8Array | null = null;
      let peer: unknown = null;
      if (this.#options.requestCert) {
        const raw = (socket.getPeerCertificate(false) as { raw?: Uint8Array }).raw;
        if (!raw || !isBytes(raw) || raw.byteLength === 0) throw new SecGearError(ErrorCode.ATTESTATION_REJECTED, 'the client presented no certificate');
        peerCertificate = new Uint8Array(raw);
        peer = await this.#options.verifyClient?.(peerCertificate);
      }
      const app = this.#options.sessionEvidence === false ? socket : await answerSessionEvidenceRequest(socket);
      await this.#options.onConnection({ socket: app, peerCertificate, peer, streamId });
    } catch {
      socket.destroy();
    }
  }
}

/** Creates the enclave's RA-TLS server and starts taking the relay's connections. */
export function createRaTlsServer(options: RaTlsServerOptions): RaTlsServer {
  return new RaTlsServer(options).listen();
}
