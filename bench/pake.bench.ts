/**
 * SPAKE2+ handshakes per second (prover and verifier in one process, all three messages, both
 * confirmations), against one ephemeral P-256 ECDH key agreement in node:crypto (key generation +
 * shared secret, the work one side of a plain ECDHE does) measured in the same run.
 */
import { createECDH } from 'node:crypto';
import { P256_SHA256, P384_SHA256, Prover, Verifier, computeVerifierRecord, type Suite } from 'secgear/pake';
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
    return results;
  },
};

export default suite;
