// Trusted side: runs inside the enclave. As in secGear's hello world, get_string fills the
// 32-byte [out] buffer; the enclave also greets the host through the print_string ocall.
// helloworld_t.ts is generated from helloworld.edl (by `secgear build` or `secgear codegen`).
import { defineEnclave, identity } from 'secgear/enclave';
import { createEcallTable, print_string } from './helloworld_t.js';

export const ecalls = createEcallTable({
  async get_string(buf) {
    // buf arrives zero-filled, so the text ends with a NUL like the C original's
    buf.set(new TextEncoder().encode('This is a sample').subarray(0, buf.length - 1));
    const me = identity();
    await print_string(`hello from enclave "${me.name}" (svn ${me.svn})`);
    return 0;
  },
});

defineEnclave({ ecalls });
