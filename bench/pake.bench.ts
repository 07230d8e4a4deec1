/**
 * SPAKE2+ handshakes per second (prover and verifier in one process, all three messages, both
 * confirmations), against one ephemeral P-256 ECDH key agreement in node:crypto (key generation +
 * shared secret, the work one side of a plain ECDHE does) measured in the same run.
 * Also the record layer (1 KiB records, seal + open) against bare AES-256-GCM in node:crypto.
 */
import { createCipheriv, createDecipheriv, createECDH, randomBytes } from 'node:crypto';
import { P256_SHA256, P384_SHA256, Prover, RecordLayer, Verifier, computeVerifierRecord, type Suite } from 'secgear/pake';
import { throughput } from './lib/measure.js';
import type { BenchSuite } from './lib/types.js';

function handshake(suite: Suite) {
  // fixed, valid scalars: the password-derivation step (scrypt) is deliberately not timed here
  const w0 = new Uint8Array(suite.scalarLength).fill(0x11);
  const w1 = new Uint8Array(suite.scalarLength).fill(0x22);
  const record = computeVerifierRecord(w0, w1, { suite });
  const session = { idProver: 'device-0001', idVerifier: 'cloud', context: 'secgear bench' };
  return () => {
    const prover = new Prover({ suite, w0, w1, ...session });
    const verifier = new Verifier({ record, ...session });
    const { message, sharedKey } = prover.finish(verifier.respond(prover.start()));
    const result = verifier.finish(message);
    if (result.sharedKey[0] !== sharedKey[0]) throw new Error('handshake disagreed');
  };
}

function ecdhP256() {
  const peer = createECDH('prime256v1');
  peer.generateKeys();
  const peerPublic = peer.getPublicKey();
  return () => {
    const ecdh = createECDH('prime256v1');
    ecdh.generateKeys();
    ecdh.computeSecret(peerPublic);
  };
}

function recordRoundTrip() {
  const key = new Uint8Array(32).fill(7);
  const device = new RecordLayer(key, 'prover');
  const enclave = new RecordLayer(key, 'verifier');
  const data = new Uint8Array(randomBytes(1024));
  return () => enclave.decrypt(device.encrypt(data));
}

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
  name: 'pake',
  async run() {
    const seconds = Number(process.env.BENCH_SECONDS ?? 2);
    const baselineValue = await throughput(ecdhP256(), seconds);
    const baseline = { name: 'node:crypto P-256 ECDH key agreement (keygen + derive) /s', value: baselineValue };
    const results = [];
    for (const s of [P256_SHA256, P384_SHA256]) {
      const value = await throughput(handshake(s), seconds);
      results.push({
        name: `pake: SPAKE2+ ${s.name.replace('SPAKE2+-', '').split('-SHA256')[0]} complete handshakes (both sides) /s`,
        unit: 'handshakes/s',
        value,
        better: 'higher' as const,
        baseline,
      });
    }
    // RecordLayer allows 2^24 records per direction; one fresh pair per measurement stays far below
    const gcm = await throughput(bareGcm(), seconds);
    results.push({
      name: 'pake: record layer 1 KiB records (encrypt + decrypt) /s',
      unit: 'records/s',
      value: await throughput(recordRoundTrip(), seconds),
      better: 'higher' as const,
      baseline: { name: 'node:crypto AES-256-GCM encrypt + decrypt 1 KiB /s', value: gcm },
    });
    return results;
  },
};

export default suite;
