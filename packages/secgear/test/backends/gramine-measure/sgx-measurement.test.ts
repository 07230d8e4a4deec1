// MRENCLAVE as SGX computes it (SDM: ECREATE, EADD, EEXTEND records) and Gramine's enclave
// layout, checked against hand-computed records and addresses. No published Gramine
// manifest/MRENCLAVE pair can be reproduced here: that needs the libpal.so binary of the same
// Gramine build, which is not available on this machine (see the backend README).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { eaddRecord, ecreateRecord, eextendRecord, MrEnclaveBuilder } from '../../../src/backends/gramine-sgx/measure/sgx-measurement.js';
import { formatLayoutLine, measureGramineEnclave, parseGramineSize } from '../../../src/backends/gramine-sgx/measure/gramine-layout.js';
import { readElfLoadSegments } from '../../../src/backends/gramine-sgx/measure/elf-segments.js';
import { readSgxAttributes } from '../../../src/backends/gramine-sgx/measure/manifest-sgx-reader.js';
import { ErrorCode, isSecGearError } from '../../../src/common/errors.js';
import { rejectsWith } from '../../support/assertions.js';
import { syntheticElf } from '../../support/synthetic-elf.js';

const hex = (h: string) => Uint8Array.from(Buffer.from(h.replace(/\s+/g, ''), 'hex'));
const zeros = (n: number) => '00'.repeat(n);

describe('SGX measurement records (SDM)', () => {
  test('ECREATE, EADD and EEXTEND records byte by byte', () => {
    assert.deepEqual(ecreateRecord(4, 0x100000n), hex(`4543524541544500 04000000 0000100000000000 ${zeros(44)}`));
    assert.deepEqual(eaddRecord(0x2000n, 0x201), hex(`4541444400000000 0020000000000000 0102000000000000 ${zeros(40)}`));
    assert.deepEqual(eextendRecord(0x1f00n), hex(`45455854454e4400 001f000000000000 ${zeros(48)}`));
  });

  test('one measured page and one unmeasured page, hashed by hand', () => {
    const page = new Uint8Array(4096).map((_, i) => i & 0xff);
    const b = new MrEnclaveBuilder(4, 0x2000n);
    b.addPage(0n, 0x201, page, true);
    b.addPage(0x1000n, 0x207, null, false);
    const h = createHash('sha256').update(hex(`4543524541544500 04000000 0020000000000000 ${zeros(44)}`)).update(hex(`4541444400000000 ${zeros(8)} 0102000000000000 ${zeros(40)}`));
    for (let i = 0; i < 16; i++) {
      const offset = Buffer.alloc(8);
      offset.writeBigUInt64LE(BigInt(i * 256));
      h.update(Buffer.concat([Buffer.from('EEXTEND\0'), offset, Buffer.alloc(48)])).update(page.subarray(i * 256, i * 256 + 256));
    }
    h.update(hex(`4541444400000000 0010000000000000 0702000000000000 ${zeros(40)}`));
    assert.deepEqual(b.digest(), new Uint8Array(h.digest()));
    assert.throws(() => new MrEnclaveBuilder(4, 0x1000n).addPage(0x1000n, 0x201, null, false), RangeError);
  });
});

describe('Gramine enclave layout (Gramine ≥ 1.6.1)', () => {
  const libpal = syntheticElf(0x40, [{ offset: 0, vaddr: 0, filesz: 0x1800, memsz: 0x3000, flags: 5 }], 0x1800);
  const manifest = new TextEncoder().encode('abc\n');

  test('areas sit where the signer puts them, by hand: top-down from 1 MiB for one thread', () => {
    const m = measureGramineEnclave(manifest, libpal, { enclaveSize: 0x100000n, maxThreads: 1, edmm: false });
    assert.deepEqual(
      m.layout.map((l) => [l.desc, Number(l.start).toString(16), Number(l.end).toString(16), l.measured]),
      [
        ['manifest', 'ff000', '100000', true],
        ['ssa', 'f7000', 'ff000', true],
        ['tcs', 'f6000', 'f7000', true],
        ['tls', 'f5000', 'f6000', true],
        ['stack', 'b5000', 'f5000', true],
        ['sig_stack', 'a5000', 'b5000', true],
        ['code', 'a2000', 'a5000', true],
        ['free', '10000', 'a2000', false],
      ],
    );
    assert.equal(m.pages, 1 + 8 + 1 + 1 + 64 + 16 + 3 + 0x92);
    assert.equal(formatLayoutLine(m.layout[2]), '    00000000000f6000-00000000000f7000 [TCS:---] (tcs) measured');
    assert.equal(formatLayoutLine(m.layout[7]), '    0000000000010000-00000000000a2000 [REG:RWX] (free)');
  });

  test('MRENCLAVE equals a hand-built page list with the TCS and TLS fields computed by hand', () => {
    const m = measureGramineEnclave(manifest, libpal, { enclaveSize: 0x100000n, maxThreads: 1, edmm: false });
    const pages: Array<[number, number, Uint8Array | null, boolean]> = [];
    const manifestPage = new Uint8Array(4096);
    manifestPage.set(manifest); // followed by its NUL terminator, a zero already
    pages.push([0xff000, 0x201, manifestPage, true]);
    for (let a = 0xf7000; a < 0xff000; a += 0x1000) pages.push([a, 0x203, null, true]);
    const tcs = new DataView(new ArrayBuffer(4096));
    tcs.setBigUint64(16, 0xf7000n, true); // OSSA
    tcs.setUint32(28, 2, true); // NSSA
    tcs.setBigUint64(32, 0xa2040n, true); // OENTRY = libpal base + e_entry
    tcs.setBigUint64(56, 0xf5000n, true); // OGSBASE = TLS page
    tcs.setUint32(64, 0xfff, true);
    tcs.setUint32(68, 0xfff, true);
    pages.push([0xf6000, 0x100, new Uint8Array(tcs.buffer), true]);
    const tls = new DataView(new ArrayBuffer(4096));
    const q = (o: number, v: number | bigint) => tls.setBigUint64(o, BigInt(v), true);
    q(0, 0xf5000); q(8, 0xbadbadbadbadn); q(272, 0x100000); q(280, 0xf6000); q(288, 0xf5000); q(304, 0xa5000); q(312, 0xb5000);
    q(328, 0xf7000); q(336, 0xf7000 + 0x4000 - 184); q(416, 5); q(424, 0x10000); q(432, 0xa2000);
    pages.push([0xf5000, 0x203, new Uint8Array(tls.buffer), true]);
    for (let a = 0xb5000; a < 0xf5000; a += 0x1000) pages.push([a, 0x203, null, true]);
    for (let a = 0xa5000; a < 0xb5000; a += 0x1000) pages.push([a, 0x203, null, true]);
    // libpal: file bytes 0..0x1800 then zeros, R+X
    for (let i = 0; i < 3; i++) {
      const page = new Uint8Array(4096);
      page.set(libpal.subarray(i * 4096, Math.min(0x1800, i * 4096 + 4096)));
      pages.push([0xa2000 + i * 0x1000, 0x205, page, true]);
    }
    for (let a = 0x10000; a < 0xa2000; a += 0x1000) pages.push([a, 0x207, null, false]);
    const h = createHash('sha256').update(ecreateRecord(4, 0x100000n));
    for (const [offset, flags, content, measured] of pages) {
      h.update(eaddRecord(BigInt(offset), flags));
      if (!measured) continue;
      const page = content ?? new Uint8Array(4096);
      for (let i = 0; i < 4096; i += 256) h.update(eextendRecord(BigInt(offset + i))).update(page.subarray(i, i + 256));
    }
    assert.equal(Buffer.from(m.mrEnclave).toString('hex'), h.digest('hex'));
  });

  test('EDMM adds no heap pages; threads, size and manifest bytes all change MRENCLAVE', () => {
    const base = measureGramineEnclave(manifest, libpal, { enclaveSize: 0x100000n, maxThreads: 1, edmm: false });
    const edmm = measureGramineEnclave(manifest, libpal, { enclaveSize: 0x100000n, maxThreads: 1, edmm: true });
    assert.equal(edmm.pages, base.pages - 0x92);
    const others = [
      measureGramineEnclave(manifest, libpal, { enclaveSize: 0x200000n, maxThreads: 1, edmm: false }),
      measureGramineEnclave(manifest, libpal, { enclaveSize: 0x100000n, maxThreads: 2, edmm: false }),
      measureGramineEnclave(new TextEncoder().encode('abd\n'), libpal, { enclaveSize: 0x100000n, maxThreads: 1, edmm: false }),
    ];
    const all = new Set([base, edmm, ...others].map((m) => Buffer.from(m.mrEnclave).toString('hex')));
    assert.equal(all.size, 5);
  });

  test('bad inputs: too small an enclave, a size that is not a power of two, not an ELF', () => {
    assert.throws(() => measureGramineEnclave(manifest, libpal, { enclaveSize: 0x40000n, maxThreads: 1, edmm: false }), rejectsWith(ErrorCode.BAD_PARAMETERS, /not large enough/));
    assert.throws(() => measureGramineEnclave(manifest, libpal, { enclaveSize: 0x30000n, maxThreads: 1, edmm: false }), rejectsWith(ErrorCode.BAD_PARAMETERS, /power of two/));
    assert.throws(() => measureGramineEnclave(manifest, new Uint8Array(100), { enclaveSize: 0x100000n, maxThreads: 1, edmm: false }), rejectsWith(ErrorCode.BAD_PARAMETERS, /ELF/));
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        const file = bytes.byteLength > 8 ? Uint8Array.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, ...bytes.subarray(6)]) : bytes;
        try {
          readElfLoadSegments(file);
        } catch (error) {
          assert.ok(isSecGearError(error, ErrorCode.BAD_PARAMETERS));
        }
      }),
    );
  });

  test('.manifest.sgx settings as tomli-w writes them, with Gramine\'s defaults', () => {
    const written = '[loader]\nentrypoint = { uri = "file:/lib/libsysdb.so" }\n\n[sgx]\ndebug = false\nenclave_size = "4G"\nmax_threads = 32\nedmm_enable = false\n\n[sgx.cpu_features]\navx = "unspecified"\n';
    assert.deepEqual(readSgxAttributes(written), { enclaveSize: 4n << 30n, maxThreads: 32, edmm: false });
    assert.deepEqual(readSgxAttributes('sgx.max_threads = 8\n'), { enclaveSize: 256n << 20n, maxThreads: 8, edmm: false });
    assert.deepEqual(readSgxAttributes('[sgx]\nedmm_enable = true\n'), { enclaveSize: 1024n << 30n, maxThreads: 4, edmm: true });
    assert.throws(() => readSgxAttributes('[sgx]\nmax_threads = 4\nmax_threads = 5\n'), rejectsWith(ErrorCode.INVALID_MANIFEST, /twice/));
    assert.throws(() => readSgxAttributes('[sgx]\nenclave_size = 4\n'), rejectsWith(ErrorCode.INVALID_MANIFEST));
    assert.equal(parseGramineSize('0x1000'), 4096n);
    assert.throws(() => parseGramineSize('4T'), rejectsWith(ErrorCode.BAD_PARAMETERS));
  });
});
