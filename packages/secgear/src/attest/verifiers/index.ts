/**
 * Registration of the built-in verifier plug-ins: one import line each.
 * Importing `secgear/attest` registers them all.
 */
export {};
