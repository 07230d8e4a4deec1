/**
 * What crosses the boundary between the EKMS host and its enclave. The host passes the HTTP
 * request as received (the enclave verifies its signature and reads the operation's
 * parameters from the signed body itself) and the stored records the operation needs; every
 * secret in a record is wrapped by the domain root key, bound to its owner, and checked again
 * inside. Nothing here is trusted by the side that receives it.
 */
import type { RaTlsRelayEcalls } from 'secgear/ratls/host';
import type { JoinRequest, JoinServeConfig } from './join-protocol.js';
import type { KeySpec } from './key-specs.js';
import type { SignedRequest } from './sigv4.js';

/** One version of a key's material as the host stores it. */
export interface WrappedKeyVersion {
  keyId: string;
  tenant: string;
  spec: KeySpec;
  version: number;
  /** AES-256-GCM under the wrap key: iv (12) | tag (16) | ciphertext; authenticated data binds the four fields above. */
  wrapped: Uint8Array;
}

/** The caller's access key as the host stores it. */
export interface WrappedAccessKey {
  accessKeyId: string;
  tenant: string;
  wrappedSecret: Uint8Array;
}

/** An API request: authenticated by the enclave, then carried out when it is a cryptographic operation. */
export interface EnclaveCall {
  /** The operation the host read from X-Amz-Target; the enclave checks the signed header says the same. */
  operation: string;
  request: SignedRequest;
  caller: WrappedAccessKey;
  /** The key versions the operation uses (for ReEncrypt: source first, then destination). */
  keys: WrappedKeyVersion[];
  region: string;
  /** Only check the signature (the host found the request cannot proceed, or it needs no key material). */
  authenticateOnly?: boolean;
}

/** A field value of an operation's output: byte strings become base64 in the JSON answer. */
export type OutValue = string | number | boolean | Uint8Array;

/**
 * What the enclave verified about a Recipient (attested key release), for key-policy
 * conditions and the audit log; hex strings for bytes. Absent fields: the TEE has no such claim.
 */
export interface RecipientFacts {
  /** SHA-256 (hex) of Recipient.AttestationDocument as sent. */
  digest: string;
  format: string;
  tee: string;
  appraisal: string;
  measurement?: string;
  /** Further measurements by name: `PCR0`… for Nitro, `RTMR0`… for TDX. */
  measurements: Record<string, string>;
  signer?: string;
  tcbStatus?: string;
  debug?: boolean;
  prodId?: number;
  svn?: number;
}

export type EnclaveReply =
  | { ok: true; out: Record<string, OutValue>; recipient?: RecipientFacts }
  | { ok: false; type: string; message: string; recipient?: RecipientFacts };

/** New key material, generated inside; only `publicKey` and the wrapped form leave. */
export interface GeneratedKey {
  wrapped: Uint8Array;
  publicKey?: Uint8Array;
}

export interface EnclaveStart {
  /** The sealed domain root key from storage; absent on the very first start. */
  sealedRoot?: Uint8Array;
  region: string;
}

export interface EnclaveStarted {
  /** Set when the enclave made a new domain root key: the host stores it. */
  sealedRoot?: Uint8Array;
  /** SHA-256 of the wrap key's id: the same value on every enclave holding the same root (never the key). */
  rootKeyId: string;
}

/** A freshness statement: counter (and PostgreSQL LSN), MACed by the enclave. */
export interface FreshnessStatement {
  counter: number;
  lsn?: string;
  mac: string;
}

export interface FreshnessStart {
  node: string;
  /** The statement stored in the database (absent: none). */
  database?: FreshnessStatement;
  /** The statement in the node-local file (absent: none). */
  file?: FreshnessStatement;
  /** PostgreSQL: pg_current_wal_lsn() now. */
  currentLsn?: string;
}

export interface FreshnessNext {
  node: string;
  /** This node's statement as the database holds it now (absent: none). */
  database?: FreshnessStatement;
  /** The counter of the last statement the host committed. */
  committed: number;
  /** PostgreSQL: pg_current_wal_lsn() now. */
  lsn?: string;
}

/** The ecalls of the EKMS enclave image (packages/kms/enclave.json). */
export interface KmsEcalls extends RaTlsRelayEcalls {
  kmsStart(start: EnclaveStart): EnclaveStarted;
  /** Node join (common/join-protocol.ts): takes the root key from an existing node's enclave; returns it sealed here. */
  kmsJoin(request: JoinRequest): EnclaveStarted;
  kmsJoinServe(config: JoinServeConfig): { certificatePem: string };
  kmsCall(call: EnclaveCall): Promise<EnclaveReply>;
  kmsGenerateKey(key: { keyId: string; tenant: string; spec: KeySpec; version: number }): GeneratedKey;
  /** HMAC-SHA-256 of an audit chain head under the root key's audit key (hex). */
  kmsAuditSeal(headHash: string): string;
  kmsCreateAccessKeySecret(owner: { accessKeyId: string; tenant: string }): { secret: string; wrappedSecret: Uint8Array };
  kmsFreshnessStart(start: FreshnessStart): { counter: number };
  kmsFreshnessNext(request: FreshnessNext): FreshnessStatement;
}
