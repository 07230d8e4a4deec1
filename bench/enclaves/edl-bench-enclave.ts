// The EDL benchmark's enclave: take1k through the generated, checking table; take1k_raw as a
// plain function with no checks (the baseline).
import { defineEnclave } from 'secgear/enclave';
import { createEcallTable } from './edl-bench_t.js';

const checked = createEcallTable({
  take1k: (buf) => buf.byteLength,
  take1k_raw: (buf) => buf.byteLength,
});

defineEnclave({ ecalls: { ...checked, take1k_raw: (buf: Uint8Array) => buf.byteLength } });
