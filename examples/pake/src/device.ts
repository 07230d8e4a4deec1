// The device: knows its identity and password, checks the enclave's evidence, runs SPAKE2+ over
// TCP, then sends encrypted requests. Run: node dist/src/device.js <port> <image> <id> <password> <request>...
import { connect } from 'node:net';
import { loadImage, toHex } from 'secgear';
import { FramedStream, MAX_FRAME_LENGTH, PakeClient } from 'secgear/pake';
import { ID_VERIFIER } from './server.js';

export interface DeviceOptions {
  port: number;
  host?: string;
  idProver: string;
  password: string;
  /** The measurement the device expects of the enclave (published with the image). */
  measurement: Uint8Array;
  requests: string[];
  log?: (line: string) => void;
}

/** Connects, authenticates with the password, sends each request; returns the replies. */
export async function runDevice(options: DeviceOptions): Promise<string[]> {
  const log = options.log ?? (() => undefined);
  const client = new PakeClient({
    idProver: options.idProver,
    password: options.password,
    idVerifier: ID_VERIFIER,
    // simulated evidence is accepted only because this is a demo on the sim backend
    attestation: { allowSimulation: true, policy: { measurements: [options.measurement] } },
  });
  const socket = connect(options.port, options.host ?? '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const framed = new FramedStream(socket, { maxFrameLength: MAX_FRAME_LENGTH });
  const receive = async () => {
    const frame = await framed.next();
    if (!frame) throw new Error('the server closed the connection');
    return frame;
  };
  try {
    let out: Uint8Array | null = client.hello();
    while (out) {
      framed.send(out);
      out = await client.receive(await receive());
    }
    const claims = client.attestationResult?.claims;
    log(`evidence accepted: tee ${claims?.tee}, measurement ${claims?.measurement ? toHex(claims.measurement).slice(0, 16) : '?'}…; handshake confirmed`);
    const replies: string[] = [];
    for (const request of options.requests) {
      framed.send(client.encrypt(new TextEncoder().encode(request)));
      const reply = new TextDecoder().decode(client.decrypt(await receive()));
      log(`${request} -> ${reply}`);
      replies.push(reply);
    }
    return replies;
  } finally {
    client.close();
    framed.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [port, image, idProver, password, ...requests] = process.argv.slice(2);
  if (!port || !image || !idProver || !password) {
    console.error('usage: node dist/src/device.js <port> <image.sgimg> <device-id> <password> [request...]');
    process.exit(1);
  }
  const { measurement } = await loadImage(image);
  runDevice({ port: Number(port), idProver, password, measurement, requests, log: console.log }).catch((error: unknown) => {
    console.error(`${(error as { code?: string }).code ?? 'error'}: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  });
}
