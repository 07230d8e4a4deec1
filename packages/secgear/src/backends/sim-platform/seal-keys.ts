/**
 * Sealing base keys (the simulated EGETKEY for SEAL_KEY). One key per (platform, policy
 * identity, svn, debug): HKDF-SHA-256 over the platform's seal root, with everything that
 * separates keys in the info. The enclave derives one key per blob from this base key and the
 * blob's random key id (src/enclave/seal.ts); docs/formats/sealed-blob.md has the hierarchy.
 */
import { hkdfSync } from 'node:crypto';
import { concatBytes } from '../../common/bytes.js';
import { ErrorCode, SecGearError } from '../../common/errors.js';
import type { EnclaveIdentity } from '../../common/platform.js';
import type { SealKeyRequest, SealKeyResponse, SealPolicy } from '../../common/platform-ops.js';

const LABEL = new TextEncoder().encode('secgear sim v1 seal key\0');
const POLICY_BYTE: Record<SealPolicy, number> = { enclave: 1, signer: 2 };

function u32(value: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value);
  return out;
}

/** Checks an untrusted seal-key request from trusted code and answers it for `identity`. */
export function sealKeyFor(sealRoot: Uint8Array, identity: EnclaveIdentity, request: unknown): SealKeyResponse {
  if (typeof request !== 'object' || request === null) {
    throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'seal key request must be an object { policy, svn? }');
  }
  const { policy, svn = identity.svn } = request as SealKeyRequest;
  if (policy !== 'enclave' && policy !== 'signer') {
    throw new SecGearError(ErrorCode.BAD_PARAMETERS, `unknown sealing policy ${JSON.stringify(policy)}; use "enclave" or "signer"`);
  }
  if (!Number.isInteger(svn) || svn < 0 || svn > 0xffffffff) {
    throw new SecGearError(ErrorCode.BAD_PARAMETERS, `svn must be an integer from 0 to 4294967295, got ${String(svn)}`);
  }
  if (svn > identity.svn) {
    throw new SecGearError(
      ErrorCode.SEAL_POLICY,
      `the data was sealed by svn ${svn} and this enclave has svn ${identity.svn}: an older enclave cannot unseal data sealed by a newer one`,
    );
  }
  return { key: deriveSealBaseKey(sealRoot, identity, policy, svn), svn };
}

export function deriveSealBaseKey(sealRoot: Uint8Array, identity: EnclaveIdentity, policy: SealPolicy, svn: number): Uint8Array {
  // fixed-length fields after the policy byte, so no two requests share an info string
  const subject = policy === 'enclave' ? identity.measurement : concatBytes(identity.signer, u32(identity.prodId));
  const info = concatBytes(LABEL, Uint8Array.of(POLICY_BYTE[policy], identity.debug ? 1 : 0), u32(svn), subject);
  return new Uint8Array(hkdfSync('sha256', sealRoot, new Uint8Array(0), info, 32));
}
