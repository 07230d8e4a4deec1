/**
 * Errors of the KMS API. `type` is the AWS exception name the SDK maps to its classes
 * (`NotFoundException`, `InvalidCiphertextException`, ...); the HTTP status follows AWS:
 * 400 for client and authentication errors, 500 for internal ones.
 */
export class KmsError extends Error {
  readonly type: string;
  readonly status: number;

  constructor(type: string, message: string, status = 400) {
    super(message);
    this.name = 'KmsError';
    this.type = type;
    this.status = status;
  }
}

/** The names used across the code base, so a typo is a compile error. */
export const Exception = {
  NotFound: 'NotFoundException',
  InvalidCiphertext: 'InvalidCiphertextException',
  IncorrectKey: 'IncorrectKeyException',
  Disabled: 'DisabledException',
  InvalidState: 'KMSInvalidStateException',
  InvalidKeyUsage: 'InvalidKeyUsageException',
  Validation: 'ValidationException',
  AlreadyExists: 'AlreadyExistsException',
  InvalidAliasName: 'InvalidAliasNameException',
  AccessDenied: 'AccessDeniedException',
  InvalidSignature: 'InvalidSignatureException',
  IncompleteSignature: 'IncompleteSignatureException',
  MissingAuthenticationToken: 'MissingAuthenticationTokenException',
  UnrecognizedClient: 'UnrecognizedClientException',
  InvalidAction: 'InvalidActionException',
  SerializationError: 'SerializationException',
  UnsupportedOperation: 'UnsupportedOperationException',
  KmsInvalidSignature: 'KMSInvalidSignatureException',
  KmsInvalidMac: 'KMSInvalidMacException',
  InvalidGrantToken: 'InvalidGrantTokenException',
  InvalidGrantId: 'InvalidGrantIdException',
  InvalidMarker: 'InvalidMarkerException',
  InvalidArn: 'InvalidArnException',
  MalformedPolicyDocument: 'MalformedPolicyDocumentException',
  Tag: 'TagException',
  LimitExceeded: 'LimitExceededException',
  Internal: 'KMSInternalException',
} as const;

export const notFound = (what: string): KmsError => new KmsError(Exception.NotFound, what);
export const validation = (what: string): KmsError => new KmsError(Exception.Validation, what);
