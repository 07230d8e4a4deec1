/**
 * Names of the ecalls the trusted runtime serves for every enclave, whatever its manifest says.
 * The `__secgear_` prefix is reserved: manifests may not declare such names.
 */
export const BUILTIN_ECALLS = {
  /** `(nonce?: Uint8Array)` → evidence envelope binding the nonce and no data (docs/formats/evidence-binding.md). */
  evidence: '__secgear_evidence',
} as const;
