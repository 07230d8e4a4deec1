import { ErrorCode, SecGearError } from '../common/errors.js';
import type { EvidenceFormat, EvidenceVerifier } from './types.js';

/**
 * A set of verifier plug-ins, by format. `verifyEvidence` uses `defaultVerifiers` (every
 * built-in, registered when `secgear/attest` is imported) unless `options.verifiers` names
 * another registry, so two services in one process can hold different plug-ins without
 * seeing each other's. `new VerifierRegistry(builtInVerifiers)` starts from the built-ins.
 */
export class VerifierRegistry {
  readonly #verifiers = new Map<EvidenceFormat, EvidenceVerifier>();

  constructor(verifiers: Iterable<EvidenceVerifier> = []) {
    for (const verifier of verifiers) this.register(verifier);
  }

  /**
   * Adds a plug-in; the last registration for a format wins. Returns a function that removes
   * this registration again (and does nothing once another plug-in took the format).
   */
  register(verifier: EvidenceVerifier): () => void {
    if (!verifier || typeof verifier.format !== 'string' || verifier.format === '' || typeof verifier.detect !== 'function' || typeof verifier.verify !== 'function') {
      throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'a verifier plug-in needs a non-empty format name and detect() and verify() functions');
    }
    this.#verifiers.set(verifier.format, verifier);
    return () => {
      if (this.#verifiers.get(verifier.format) === verifier) this.#verifiers.delete(verifier.format);
    };
  }

  /** Removes the plug-in of `format`; true when there was one. */
  unregister(format: EvidenceFormat): boolean {
    return this.#verifiers.delete(format);
  }

  has(format: EvidenceFormat): boolean {
    return this.#verifiers.has(format);
  }

  /** The plug-in registered for `format`. Throws `CC_ERROR_UNKNOWN_EVIDENCE_FORMAT` when there is none. */
  get(format: EvidenceFormat): EvidenceVerifier {
    const verifier = this.#verifiers.get(format);
    if (!verifier) {
      throw new SecGearError(
        ErrorCode.UNKNOWN_EVIDENCE_FORMAT,
        `no verifier for evidence format "${format}"; known formats: ${[...this.#verifiers.keys()].join(', ') || '(none registered)'}`,
      );
    }
    return verifier;
  }

  /** Every plug-in, in registration order (the order detection and classification ask them). */
  list(): EvidenceVerifier[] {
    return [...this.#verifiers.values()];
  }

  /** Finds the format of evidence bytes by asking each plug-in; null when none recognises them. */
  detect(data: Uint8Array): EvidenceFormat | null {
    for (const verifier of this.#verifiers.values()) {
      try {
        if (verifier.detect(data)) return verifier.format;
      } catch {
        // a detector that throws on odd input simply does not recognise it
      }
    }
    return null;
  }
}

/** The registry `verifyEvidence` and the loaders use when not given one. */
export const defaultVerifiers = new VerifierRegistry();

/** Registers a plug-in in the default registry; returns the function that unregisters it. */
export function registerVerifier(verifier: EvidenceVerifier): () => void {
  return defaultVerifiers.register(verifier);
}

/** Removes a format's plug-in from the default registry. */
export function unregisterVerifier(format: EvidenceFormat): boolean {
  return defaultVerifiers.unregister(format);
}

/** The default registry's plug-in for `format`. Throws `CC_ERROR_UNKNOWN_EVIDENCE_FORMAT` when there is none. */
export function getVerifier(format: EvidenceFormat): EvidenceVerifier {
  return defaultVerifiers.get(format);
}

/** The default registry's plug-ins, in registration order. */
export function listVerifiers(): EvidenceVerifier[] {
  return defaultVerifiers.list();
}

/** Finds the format of evidence bytes with the default registry. */
export function detectFormat(data: Uint8Array): EvidenceFormat | null {
  return defaultVerifiers.detect(data);
}
