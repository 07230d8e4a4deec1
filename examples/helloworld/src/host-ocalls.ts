/** The ocalls the host implements for the enclave (shared type, no code). */
export interface HostOcalls {
  printString(message: string): void;
}
