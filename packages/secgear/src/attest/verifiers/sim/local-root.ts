/**
 * Where the sim verifier finds this machine's sim root (a built-in anchor). Reading it needs the
 * file system, which enclave code has not: host entry points install the reader
 * (`host-root.ts`), and code verifying inside an enclave passes the root as a trust anchor.
 */
let reader: (() => Uint8Array | null) | null = null;

export function setLocalSimRootReader(read: (() => Uint8Array | null) | null): void {
  reader = read;
}

export function localSimRoot(): Uint8Array | null {
  return reader?.() ?? null;
}
