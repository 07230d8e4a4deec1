import { ErrorCode, SecGearError } from '../common/errors.js';
import type { EvidenceFormat, EvidenceVerifier } from './types.js';

const verifiers = new Map<EvidenceFormat, EvidenceVerifier>();

/** Registers a verifier plug-in; the last registration for a format wins. */
export function registerVerifier(verifier: EvidenceVerifier): void {
  verifiers.set(verifier.format, verifier);
}

/** The plug-in registered for `format`. Throws `CC_ERROR_UNKNOWN_EVIDENCE_FORMAT` when there is none. */
export function getVerifier(format: EvidenceFormat): EvidenceVerifier {
  const verifier = verifiers.get(format);
  if (!verifier) {
    throw new SecGearError(
      ErrorCode.UNKNOWN_EVIDENCE_FORMAT,
      `no verifier for evidence format "${format}"; known formats: ${[...verifiers.keys()].join(', ')}`,
    );
  }
  return verifier;
}

/** Every registered plug-in, in registration order (the order detection and classification ask them). */
export function listVerifiers(): EvidenceVerifier[] {
  return [...verifiers.values()];
}

/** Finds the format of evidence bytes by asking each plug-in; null when none recognises them. */
export function detectFormat(data: Uint8Array): EvidenceFormat | null {
  for (const verifier of verifiers.values()) {
    try {
      if (verifier.detect(data)) return verifier.format;
    } catch {
      // a detector that throws on odd input simply does not recognise it
    }
  }
  return null;
}
