/**
 * Synthetic Nitro attestation documents under a test PKI (root → leaf, P-384), for the checks
 * the real documents cannot reach. Trusted only when a test passes the root as an anchor.
 */
import type { KeyObject } from 'node:crypto';
import { encodeCbor, signCoseSign1, type CborMap, type CborValue } from '../../../../src/attest/cose/index.js';
import { issueCertificate, type TestIdentity } from '../../../support/synthetic-pki.js';

export interface NitroFixture {
  root: TestIdentity;
  leaf: TestIdentity;
  /** Builds and signs a document; `fields` override or (when undefined) remove payload fields. */
  document(fields?: Record<string, CborValue>, options?: { alg?: number; key?: KeyObject; tagged?: boolean }): Uint8Array;
}

export const FIXTURE_TIME = new Date('2030-01-01T00:00:00Z');

export function nitroFixture(): NitroFixture {
  const root = issueCertificate({ name: 'CN=aws.nitro-enclaves, O=secGear test', ca: true });
  const leaf = issueCertificate({
    name: 'CN=i-test-enclave, O=secGear test',
    issuer: root,
    notBefore: new Date(FIXTURE_TIME.getTime() - 3600_000),
    notAfter: new Date(FIXTURE_TIME.getTime() + 2 * 3600_000),
  });
  return {
    root,
    leaf,
    document(fields = {}, options = {}) {
      const pcrs: CborMap = new Map();
      for (let i = 0; i < 16; i++) pcrs.set(i, new Uint8Array(48).fill(i < 3 ? 0xa0 + i : 0));
      const payload: CborMap = new Map<string, CborValue>([
        ['module_id', 'i-test-enclave-enc0123'],
        ['digest', 'SHA384'],
        ['timestamp', FIXTURE_TIME.getTime()],
        ['pcrs', pcrs],
        ['certificate', leaf.der],
        ['cabundle', [root.der]],
        ['public_key', null],
        ['user_data', new TextEncoder().encode('user data')],
        ['nonce', new TextEncoder().encode('nonce-0001')],
      ]);
      for (const [k, v] of Object.entries(fields)) {
        if (v === undefined) payload.delete(k);
        else payload.set(k, v);
      }
      return signCoseSign1(encodeCbor(payload), options.key ?? leaf.privateKey, options.alg ?? -35, { tagged: options.tagged });
    },
  };
}
