// Trusted side: the key pair, the certificate and the TLS 1.3 session all live here. The server
// answers HTTP over RA-TLS; with `requireClientMeasurements` it also asks the client for an
// RA-TLS certificate and judges it by its evidence (mutual RA-TLS between enclaves).
import { defineEnclave, identity } from 'secgear/enclave';
import {
  connectRaTls,
  createRaTlsCredentials,
  createRaTlsServer,
  raTlsStreams,
  requestSessionEvidence,
  verifyPeer,
  verifySessionEvidence,
  type RaTlsCredentials,
  type RaTlsPeer,
  type RaTlsPolicy,
} from 'secgear/ratls/enclave';

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
let credentials: RaTlsCredentials | null = null;

export interface StartOptions {
  keyType?: 'p256' | 'p384' | 'rsa3072';
  /** Ask clients for an RA-TLS certificate whose measurement is one of these (hex). */
  requireClientMeasurements?: string[];
  /** Trust anchors for simulated evidence (the sim root, DER): inside an enclave nothing is read from files. */
  simRoot?: Uint8Array;
  /** Also ask each client enclave for evidence bound to the TLS session (freshness, both ways). */
  clientSessionEvidence?: boolean;
}

function policyFor(measurements: string[], simRoot?: Uint8Array): RaTlsPolicy {
  return {
    measurements: measurements.map((m) => Uint8Array.from(m.match(/../g) ?? [], (h) => parseInt(h, 16))),
    // simulation accepted for the demo only: never in production
    allowSimulation: true,
    trustAnchors: simRoot && simRoot.byteLength > 0 ? [{ kind: 'x509', der: simRoot }] : [],
  };
}

function respond(socket: import('node:tls').TLSSocket, peer: string | null): void {
  let request = '';
  socket.on('data', (chunk: Uint8Array) => {
    request += new TextDecoder().decode(chunk);
    if (!request.includes('\r\n\r\n')) return;
    const [line] = request.split('\r\n');
    const body = `hello from enclave ${hex(identity().measurement).slice(0, 16)}…; you asked ${line}${peer ? `; you are enclave ${peer.slice(0, 16)}…${peer.slice(96)}` : ''}\n`;
    socket.end(`HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${new TextEncoder().encode(body).byteLength}\r\nConnection: close\r\n\r\n${body}`);
  });
}

export const ecalls = {
  ...raTlsStreams.ecalls,
  /** Makes the key pair and certificate here and starts the in-enclave server; returns the certificate (PEM). */
  async start(options: StartOptions = {}): Promise<string> {
    if (credentials) throw new Error('already started');
    credentials = await createRaTlsCredentials({ keyType: options.keyType ?? 'p256', altNames: ['localhost', '127.0.0.1'] });
    const required = options.requireClientMeasurements;
    const clientPolicy = required ? policyFor(required, options.simRoot) : null;
    createRaTlsServer({
      credentials,
      requestCert: clientPolicy !== null,
      verifyClient: clientPolicy ? (cert) => verifyPeer(cert, clientPolicy) : undefined,
      onConnection: async ({ socket, peer }) => {
        const client = peer as RaTlsPeer | null;
        let fresh = '';
        if (options.clientSessionEvidence && clientPolicy && client) {
          await verifySessionEvidence(socket, await requestSessionEvidence(socket), clientPolicy, client);
          fresh = ', with evidence bound to this session';
        }
        const measurement = client?.claims.measurement;
        respond(socket, measurement ? `${hex(measurement)}${fresh}` : null);
      },
    });
    return credentials.certificatePem;
  },
  /** Mutual RA-TLS: this enclave connects to another enclave's server, presenting its own certificate. */
  async callPeer(port: number, expectedMeasurement: string, simRoot: Uint8Array, sessionEvidence = false): Promise<{ status: string; body: string; peerMeasurement: string }> {
    if (!credentials) throw new Error('call start() first');
    // with sessionEvidence, both ends prove freshness: this one asks first, then answers the server
    const { socket, peer } = await connectRaTls({ host: '127.0.0.1', port, credentials, policy: policyFor([expectedMeasurement], simRoot), sessionEvidence, answerSessionEvidence: sessionEvidence });
    const response = await new Promise<string>((resolve, reject) => {
      let text = '';
      socket.on('data', (chunk: Uint8Array) => (text += new TextDecoder().decode(chunk)));
      // a peer that refuses this enclave's certificate may reset rather than end the stream:
      // 'close' without 'end' still settles the call, and a silent peer times out
      const silent = setTimeout(() => socket.destroy(new Error('the peer did not answer within 20 s')), 20_000);
      const settle = (error?: Error) => {
        clearTimeout(silent);
        if (error) reject(error);
        else resolve(text);
      };
      socket.on('end', () => settle());
      socket.on('close', () => settle());
      socket.on('error', settle);
      socket.write('GET /from-a-peer-enclave HTTP/1.1\r\nHost: localhost\r\n\r\n');
    });
    socket.destroy();
    // TLS 1.3 clients finish before the server has judged their certificate: a refusal shows as a
    // connection closed without an answer
    if (!response) throw new Error('the peer closed the connection without answering (it refused this enclave\'s certificate?)');
    const [head, body = ''] = response.split('\r\n\r\n');
    return { status: head.split('\r\n')[0], body, peerMeasurement: hex(peer.claims.measurement ?? new Uint8Array(0)) };
  },
};

defineEnclave({ ecalls });
