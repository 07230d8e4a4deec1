// The data owner: opens a secure channel to the enclave over TCP, checks the enclave is the
// expected code before sending anything, then sends requests and reads the answers.
import { connect } from 'node:net';
import { FramedStream, MAX_CHANNEL_MESSAGE, SecureChannelClient, type PeerAttestation } from 'secgear/channel';

export interface ClientOptions {
  port: number;
  host?: string;
  /** The enclave measurement the data owner expects. */
  measurement: Uint8Array;
  requests: string[];
  log?: (line: string) => void;
}

export async function runClient(options: ClientOptions): Promise<{ peer: PeerAttestation; replies: string[]; closedByPeer: boolean }> {
  const log = options.log ?? (() => undefined);
  const socket = connect(options.port, options.host ?? '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const framed = new FramedStream(socket, { maxFrameLength: MAX_CHANNEL_MESSAGE });
  const replies: string[] = [];
  let answered: (() => void) | null = null;
  let failed: ((error: Error) => void) | null = null;
  const client = new SecureChannelClient({
    send: (m) => framed.send(m),
    // simulation accepted for the demo only: never in production
    policy: { measurements: [options.measurement], allowSimulation: true },
    onData: (data) => {
      replies.push(new TextDecoder().decode(data));
      answered?.();
    },
    onError: (error) => failed?.(error),
  });
  const pump = (async () => {
    for (let frame = await framed.next(); frame; frame = await framed.next()) client.receive(frame);
  })().catch(() => undefined);
  try {
    const peer = await client.init();
    log(`enclave verified: tee ${peer.tee}, measurement ${Buffer.from(peer.claims.measurement ?? []).toString('hex').slice(0, 16)}…, session ${client.sessionId}`);
    for (const request of options.requests) {
      const reply = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no answer within 10 s')), 10_000);
        answered = () => {
          clearTimeout(timer);
          resolve();
        };
        failed = (error) => {
          clearTimeout(timer);
          reject(error);
        };
      });
      framed.send(client.encrypt(new TextEncoder().encode(request)));
      await reply;
      log(`${request} -> ${replies[replies.length - 1]}`);
    }
    await client.close();
    return { peer, replies, closedByPeer: client.closedByPeer };
  } finally {
    framed.close();
    await pump;
  }
}
