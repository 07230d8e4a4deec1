// The enclave the foundation benchmarks call: empty and 1 KiB ecalls, normal and switchless.
import { defineEnclave } from 'secgear/enclave';

export const ecalls = {
  noop: () => undefined,
  slNoop: () => undefined,
  take1k: (bytes: Uint8Array) => bytes.byteLength,
};

defineEnclave({ ecalls });
