/**
 * Stable error codes, after secGear's `cc_enclave_result_t`. Callers branch on `code`,
 * never on `message`. Add new codes here (one line each, grouped by area).
 */
export const ErrorCode = {
  // generic
  GENERIC: 'CC_ERROR_GENERIC',
  BAD_PARAMETERS: 'CC_ERROR_BAD_PARAMETERS',
  NOT_SUPPORTED: 'CC_ERROR_NOT_SUPPORTED',
  OUT_OF_MEMORY: 'CC_ERROR_OUT_OF_MEMORY',
  ACCESS_DENIED: 'CC_ERROR_ACCESS_DENIED',
  // enclave lifecycle
  ENCLAVE_MAXIMUM: 'CC_ERROR_ENCLAVE_MAXIMUM',
  ENCLAVE_LOST: 'CC_ERROR_ENCLAVE_LOST',
  ENCLAVE_DESTROYED: 'CC_ERROR_ENCLAVE_DESTROYED',
  DEBUG_NOT_ALLOWED: 'CC_ERROR_DEBUG_NOT_ALLOWED',
  TIMEOUT: 'CC_ERROR_TIMEOUT',
  CANCELLED: 'CC_ERROR_CANCELLED',
  // images
  INVALID_IMAGE: 'CC_ERROR_INVALID_IMAGE',
  INVALID_SIGNATURE: 'CC_ERROR_INVALID_SIGNATURE',
  INVALID_MANIFEST: 'CC_ERROR_INVALID_MANIFEST',
  BUILD_FAILED: 'CC_ERROR_BUILD_FAILED',
  // calls
  ECALL_NOT_FOUND: 'CC_ERROR_ECALL_NOT_FOUND',
  ECALL_NOT_ALLOWED: 'CC_ERROR_ECALL_NOT_ALLOWED',
  OCALL_NOT_ALLOWED: 'CC_ERROR_OCALL_NOT_ALLOWED',
  OCALL_FAILED: 'CC_ERROR_OCALL_FAILED',
  ENCLAVE_EXCEPTION: 'CC_ERROR_ENCLAVE_EXCEPTION',
  SWITCHLESS_TASK_POOL_FULL: 'CC_ERROR_SWITCHLESS_TASK_POOL_FULL',
  SWITCHLESS_DISABLED: 'CC_ERROR_SWITCHLESS_DISABLED',
  // sealing and local attestation
  MAC_INVALID: 'CC_ERROR_MAC_INVALID',
  SEAL_POLICY: 'CC_ERROR_SEAL_POLICY',
  INVALID_SEALED_DATA: 'CC_ERROR_INVALID_SEALED_DATA',
  INVALID_REPORT: 'CC_ERROR_INVALID_REPORT',
  /** Stored state older than the newest the enclave acknowledged (a rollback). */
  STATE_ROLLBACK: 'CC_ERROR_STATE_ROLLBACK',
  // evidence and verification
  INVALID_EVIDENCE: 'CC_ERROR_INVALID_EVIDENCE',
  UNKNOWN_EVIDENCE_FORMAT: 'CC_ERROR_UNKNOWN_EVIDENCE_FORMAT',
  INVALID_COLLATERAL: 'CC_ERROR_INVALID_COLLATERAL',
  // attestation service, agent and tokens
  INVALID_TOKEN: 'CC_ERROR_INVALID_TOKEN',
  INVALID_POLICY: 'CC_ERROR_INVALID_POLICY',
  ATTESTATION_FAILED: 'CC_ERROR_ATTESTATION_FAILED',
  /** Evidence that verified but that the caller's policy (or appraisal) does not accept. */
  ATTESTATION_REJECTED: 'CC_ERROR_ATTESTATION_REJECTED',
  // TEE device files (/dev/attestation, configfs-tsm, RTMRs)
  TEE_DEVICE: 'CC_ERROR_TEE_DEVICE',
  TEE_DEVICE_BUSY: 'CC_ERROR_TEE_DEVICE_BUSY',
  // EDL
  EDL_SYNTAX: 'CC_ERROR_EDL_SYNTAX',
  EDL_SEMANTIC: 'CC_ERROR_EDL_SEMANTIC',
  EDL_IMPORT: 'CC_ERROR_EDL_IMPORT',
  // protocols (PAKE, channels)
  PROTOCOL_STATE: 'CC_ERROR_PROTOCOL_STATE',
  INVALID_MESSAGE: 'CC_ERROR_INVALID_MESSAGE',
  INVALID_POINT: 'CC_ERROR_INVALID_POINT',
  CONFIRMATION_FAILED: 'CC_ERROR_CONFIRMATION_FAILED',
  REPLAY: 'CC_ERROR_REPLAY',
  RATE_LIMITED: 'CC_ERROR_RATE_LIMITED',
} as const;

export type ErrorCodeName = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Base class of every error the framework throws across a public API. */
export class SecGearError extends Error {
  readonly code: ErrorCodeName;

  constructor(code: ErrorCodeName, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SecGearError';
    this.code = code;
  }
}

/**
 * An exception raised by trusted code, delivered to the host. The enclave stack trace is
 * present only for debug images (`enclaveStack`).
 */
export class EnclaveError extends SecGearError {
  readonly enclaveStack: string | undefined;

  constructor(code: ErrorCodeName, message: string, enclaveStack?: string) {
    super(code, message);
    this.name = 'EnclaveError';
    this.enclaveStack = enclaveStack;
  }
}

export function isSecGearError(value: unknown, code?: ErrorCodeName): value is SecGearError {
  return value instanceof SecGearError && (code === undefined || value.code === code);
}
