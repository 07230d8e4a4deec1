// Trusted side: runs inside the enclave. Like secGear's hello world, get_string fills a
// 32-byte buffer, and the enclave prints through an ocall to the host.
import { defineEnclave, identity, useOcalls } from 'secgear/enclave';
import type { HostOcalls } from './host-ocalls.js';

const host = useOcalls<HostOcalls>();

export const ecalls = {
  /** Returns a greeting in a buffer of exactly `size` bytes (NUL-padded, like the C original). */
  async getString(size: number): Promise<Uint8Array> {
    const text = new TextEncoder().encode('This is a sample');
    const buf = new Uint8Array(size);
    buf.set(text.subarray(0, size));
    const me = identity();
    await host.printString(`hello from enclave "${me.name}" (svn ${me.svn})`);
    return buf;
  },
};

defineEnclave({ ecalls });
