// A tiny ELF file for the Gramine measurement tests (a stand-in for libpal.so).
/** A minimal ELF64 x86-64 shared object with the given PT_LOAD segments (as libpal.so). */
export function syntheticElf(entry: number, segments: Array<{ offset: number; vaddr: number; filesz: number; memsz: number; flags: number }>, fileSize: number): Uint8Array {
  const file = new Uint8Array(fileSize);
  const v = new DataView(file.buffer);
  file.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1], 0);
  v.setUint16(16, 3, true); // ET_DYN
  v.setUint16(18, 62, true); // x86-64
  v.setBigUint64(24, BigInt(entry), true);
  v.setBigUint64(32, 64n, true); // e_phoff
  v.setUint16(52, 64, true);
  v.setUint16(54, 56, true);
  v.setUint16(56, segments.length, true);
  segments.forEach((s, i) => {
    const at = 64 + i * 56;
    v.setUint32(at, 1, true);
    v.setUint32(at + 4, s.flags, true);
    v.setBigUint64(at + 8, BigInt(s.offset), true);
    v.setBigUint64(at + 16, BigInt(s.vaddr), true);
    v.setBigUint64(at + 32, BigInt(s.filesz), true);
    v.setBigUint64(at + 40, BigInt(s.memsz), true);
  });
  for (let i = 64 + segments.length * 56; i < fileSize; i++) file[i] = (i * 7) & 0xff;
  return file;
}
