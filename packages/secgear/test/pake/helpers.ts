/** Shared helpers for the PAKE tests. */
import { SecGearError, type ErrorCodeName } from '../../src/common/errors.js';
import { computeVerifierRecord, Prover, Verifier, type Suite, type SessionOptions } from '../../src/pake/index.js';
import { encodeScalar } from '../../src/pake/encoding.js';

export const isCode = (...codes: ErrorCodeName[]) => (e: unknown) => e instanceof SecGearError && codes.includes(e.code);

/** w0, w1 from a seed, cheaply (the scrypt path is tested in registration.test.ts). */
export function secretsFromSeed(suite: Suite, seed: bigint) {
  const w0 = encodeScalar(suite, 1n + ((seed * 0x9e3779b97f4a7c15n + 17n) % (suite.order - 1n)));
  const w1 = encodeScalar(suite, 1n + ((seed * 0xbf58476d1ce4e5b9n + 29n) % (suite.order - 1n)));
  return { suite: suite.name, w0, w1 };
}

export function pair(suite: Suite, seed = 1n, session: SessionOptions = { idProver: 'dev', idVerifier: 'svc', context: 'test' }) {
  const secrets = secretsFromSeed(suite, seed);
  const record = computeVerifierRecord(secrets.w0, secrets.w1, { suite });
  return {
    secrets,
    record,
    prover: () => new Prover({ ...secrets, ...session }),
    verifier: () => new Verifier({ record, ...session }),
  };
}
