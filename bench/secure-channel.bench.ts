/**
 * Secure channel records per second, each beside its baseline in the same run:
 *  - through a real enclave (sim backend): client encrypt → host → ecall (decrypt + encrypt in
 *    the enclave) → client decrypt, 1 KiB records, vs the same ecall carrying the plaintext
 *    (plainEcho): the channel's own cost on top of the boundary
 *  - the record layer alone (1 KiB, seal + open) vs bare AES-256-GCM in node:crypto
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createEnclave } from 'secgear';
import { SecureChannelClient, SecureChannelServer } from 'secgear/channel';
import { RecordLayer } from 'secgear/pake';
import { buildBenchEnclave } from './lib/enclave-image.js';
import { throughput } from './lib/measure.js';
import type { BenchSuite } from './lib/types.js';
import type { ecalls } from './enclaves/channel-enclave.js';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function bareGcm() {
  const key = randomBytes(32);
  const data = randomBytes(1024);
  let n = 0n;
  return () => {
    const iv = Buffer.alloc(12);
    iv.writeBigUInt64BE(n++, 4);
    const c = createCipheriv('aes-256-gcm', key, iv);
    const body = Buffer.concat([c.update(data), c.final()]);
    const d = createDecipheriv('aes-256-gcm', key, iv);
    d.setAuthTag(c.getAuthTag());
    Buffer.concat([d.update(body), d.final()]);
  };
}

const suite: BenchSuite = {
  name: 'secure-channel',
  async run() {
    const seconds = Number(process.env.BENCH_SECONDS ?? 2);
    const dir = mkdtempSync(`${tmpdir()}/secgear-bench-channel-`);
    const image = await buildBenchEnclave('channel-enclave', dir);
    const enclave = await createEnclave<typeof ecalls>(image, { type: 'sim' });
    const server = new SecureChannelServer({ enclave, onData: (sessionId, message) => enclave.ecall.channelEcho(sessionId, message) });
    let deliver: (m: Uint8Array) => void = () => undefined;
    const connection = server.connection((m) => deliver(m));
    const client = new SecureChannelClient({ send: (m) => connection.receive(m), policy: { allowSimulation: true, measurements: [enclave.info.measurement] } });
    deliver = (m) => client.receive(m);
    await client.init();
    const data = new Uint8Array(randomBytes(1024));
    const id = client.sessionId as string;
    const viaChannel = async () => {
      const reply = await enclave.ecall.channelEcho(id, client.encrypt(data));
      client.decrypt(reply);
    };
    const plain = async () => {
      await enclave.ecall.plainEcho(data);
    };
    const ours: number[] = [];
    const base: number[] = [];
    for (let round = 0; round < 3; round++) {
      base.push(await throughput(plain, seconds));
      ours.push(await throughput(viaChannel, seconds));
    }
    await enclave.destroy();

    // the record layer alone, in one process
    const gcm = await throughput(bareGcm(), seconds);
    const records = await throughput(recordPair(), seconds);
    return [
      {
        name: 'secure-channel: 1 KiB records through the enclave (encrypt, ecall, decrypt+encrypt inside, decrypt) /s',
        unit: 'records/s',
        value: median(ours),
        better: 'higher' as const,
        baseline: { name: 'the same ecall carrying the plaintext /s', value: median(base) },
      },
      {
        name: 'secure-channel: record layer 1 KiB seal + open /s',
        unit: 'records/s',
        value: records,
        better: 'higher' as const,
        baseline: { name: 'bare AES-256-GCM 1 KiB encrypt + decrypt /s', value: gcm },
      },
    ];
  },
};

function recordPair() {
  // the PAKE and the channel share one record layer module (src/records); 2^24 records per key
  let device = new RecordLayer(new Uint8Array(32).fill(3), 'prover');
  let enclave = new RecordLayer(new Uint8Array(32).fill(3), 'verifier');
  let n = 0;
  const data = new Uint8Array(randomBytes(1024));
  return () => {
    if (++n >= 1 << 23) {
      device = new RecordLayer(new Uint8Array(32).fill(3), 'prover');
      enclave = new RecordLayer(new Uint8Array(32).fill(3), 'verifier');
      n = 0;
    }
    enclave.decrypt(device.encrypt(data));
  };
}

export default suite;
