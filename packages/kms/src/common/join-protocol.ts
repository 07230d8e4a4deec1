/**
 * Node join: what the host asks of its enclave, and the two messages the enclaves exchange
 * inside their mutual RA-TLS session (one JSON line each way; the host relays only the TLS
 * ciphertext). The serving enclave answers a joiner whose evidence passes and who presents
 * the cluster's admin token with the domain root key; every other answer is a refusal with a
 * stable code.
 */

/**
 * What the host may add to the enclave's peer policy. The enclave always requires its own
 * signer, product id, at least its own svn and no debug unless it is debug itself; these only
 * widen the accepted measurements (a rolling upgrade) and, on simulated backends, name the
 * simulation roots to trust.
 */
export interface PeerReference {
  /** Extra accepted measurements (hex, 96 characters), besides the enclave's own. */
  measurements?: string[];
  /** TCB statuses accepted besides UpToDate (an operator's choice: see the README). */
  acceptTcbStatuses?: string[];
  /** Simulated backends only: the peers' simulation roots (DER). Ignored on real TEEs. */
  simulationRoots?: Uint8Array[];
}

export interface JoinServeConfig {
  /** SHA-256 (hex) of the admin token a joiner must present. */
  adminTokenDigest: string;
  peers: PeerReference;
}

export interface JoinRequest {
  host: string;
  port: number;
  adminToken: string;
  peers: PeerReference;
  timeoutMs?: number;
}

/** Joiner → server, in the TLS session. */
export interface JoinHello {
  v: 1;
  op: 'join';
  adminToken: string;
}

/** Server → joiner, in the TLS session. */
export type JoinAnswer =
  | { v: 1; ok: true; rootKey: string; rootKeyId: string }
  | { v: 1; ok: false; code: string; message: string };

/** Longest JSON line either side reads. */
export const MAX_JOIN_LINE = 16 * 1024;

/** Stable codes of a refused join (SecGear codes, so the host's CLI prints them). */
export const JoinRefusal = {
  attestation: 'CC_ERROR_ATTESTATION_REJECTED',
  credential: 'CC_ERROR_ACCESS_DENIED',
  message: 'CC_ERROR_INVALID_MESSAGE',
} as const;
