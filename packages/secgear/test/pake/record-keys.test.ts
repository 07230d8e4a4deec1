// What record-keys.ts keeps per record must never change an outcome: handshake after handshake
// with one record agrees, and a record or secret array that is overwritten (another password,
// zeros) is recomputed or refused, never answered from the stale entry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toHex } from '../../src/common/bytes.js';
import { ErrorCode } from '../../src/common/errors.js';
import { P256_SHA256, P384_SHA256, Prover, Verifier, computeVerifierRecord, type Suite, type VerifierRecord } from '../../src/pake/index.js';
import { w0Keys } from '../../src/pake/record-keys.js';
import { isCode, secretsFromSeed } from './helpers.js';

const session = { idProver: 'dev', idVerifier: 'svc', context: 'ctx' };

function run(suite: Suite, secrets: { w0: Uint8Array; w1: Uint8Array }, record: VerifierRecord): Uint8Array {
  const prover = new Prover({ suite, w0: secrets.w0, w1: secrets.w1, ...session });
  const verifier = new Verifier({ record, ...session });
  const { message, sharedKey } = prover.finish(verifier.respond(prover.start()));
  assert.deepEqual(verifier.finish(message).sharedKey, sharedKey);
  return sharedKey;
}

for (const suite of [P256_SHA256, P384_SHA256]) {
  const rounds = suite === P256_SHA256 ? 40 : 10;

  test(`${suite.name}: ${rounds} handshakes with the same record and secrets all agree, each on a new key`, () => {
    const secrets = secretsFromSeed(suite, 21n);
    const record = computeVerifierRecord(secrets.w0, secrets.w1, { suite });
    const keys = new Set<string>();
    for (let i = 0; i < rounds; i++) keys.add(toHex(run(suite, secrets, record)));
    assert.equal(keys.size, rounds);
    // the record's derived points are the ones kept (one object for the array), and still right
    const kept = w0Keys(suite, record.w0);
    assert.equal(w0Keys(suite, record.w0), kept);
    const w0 = BigInt('0x' + toHex(record.w0));
    assert.ok(kept.w0M.equals(suite.M.multiply(w0)) && kept.w0N.equals(suite.N.multiply(w0)));
  });

  test(`${suite.name}: overwriting the record's or the secrets' arrays in place is noticed`, () => {
    const a = secretsFromSeed(suite, 31n);
    const b = secretsFromSeed(suite, 32n);
    const record = computeVerifierRecord(a.w0, a.w1, { suite });
    const secrets = { w0: Uint8Array.from(a.w0), w1: Uint8Array.from(a.w1) };
    run(suite, secrets, record);
    const before = w0Keys(suite, record.w0);

    // the service re-registers the prover with another password, reusing the arrays
    const next = computeVerifierRecord(b.w0, b.w1, { suite });
    record.w0.set(next.w0);
    record.L.set(next.L);
    assert.notEqual(w0Keys(suite, record.w0), before);
    // the old password no longer works against it, the new one does
    assert.throws(() => run(suite, secrets, record), isCode(ErrorCode.CONFIRMATION_FAILED));
    secrets.w0.set(b.w0);
    secrets.w1.set(b.w1);
    run(suite, secrets, record);

    // zeros are refused as before, not served from the entry
    record.w0.fill(0);
    assert.throws(() => new Verifier({ record, ...session }), isCode(ErrorCode.BAD_PARAMETERS));
    secrets.w1.fill(0);
    assert.throws(() => new Prover({ suite, ...secrets, ...session }), isCode(ErrorCode.BAD_PARAMETERS));
  });
}
