/**
 * The loadable segments and the entry point of a 64-bit little-endian ELF file (libpal.so),
 * which is what Gramine's signer reads of it (ELF-64 Object File Format: header fields e_entry
 * at 24, e_phoff at 32, e_phentsize at 54, e_phnum at 56; program headers p_type, p_flags,
 * p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_align).
 */
import { ErrorCode, SecGearError } from '../../../common/errors.js';

export interface LoadSegment {
  offset: bigint;
  vaddr: bigint;
  filesz: bigint;
  memsz: bigint;
  /** PF_X = 1, PF_W = 2, PF_R = 4. */
  flags: number;
}

export interface ElfImage {
  entry: bigint;
  segments: LoadSegment[];
}

const PT_LOAD = 1;

export function readElfLoadSegments(file: Uint8Array, what = 'libpal'): ElfImage {
  const bad = (why: string): never => {
    throw new SecGearError(ErrorCode.BAD_PARAMETERS, `${what} is not a usable ELF file: ${why}`);
  };
  if (file.byteLength < 64 || file[0] !== 0x7f || file[1] !== 0x45 || file[2] !== 0x4c || file[3] !== 0x46) bad('no ELF magic');
  if (file[4] !== 2 || file[5] !== 1) bad('only 64-bit little-endian ELF (x86-64) is supported');
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const entry = view.getBigUint64(24, true);
  const phoff = view.getBigUint64(32, true);
  const phentsize = view.getUint16(54, true);
  const phnum = view.getUint16(56, true);
  if (phentsize < 56) bad(`program header entries of ${phentsize} bytes`);
  if (phoff + BigInt(phentsize * phnum) > BigInt(file.byteLength)) bad('program headers run past the end of the file');
  const segments: LoadSegment[] = [];
  for (let i = 0; i < phnum; i++) {
    const at = Number(phoff) + i * phentsize;
    if (view.getUint32(at, true) !== PT_LOAD) continue;
    const segment = {
      flags: view.getUint32(at + 4, true),
      offset: view.getBigUint64(at + 8, true),
      vaddr: view.getBigUint64(at + 16, true),
      filesz: view.getBigUint64(at + 32, true),
      memsz: view.getBigUint64(at + 40, true),
    };
    if (segment.offset + segment.filesz > BigInt(file.byteLength)) bad(`segment ${i} runs past the end of the file`);
    if (segment.filesz > segment.memsz) bad(`segment ${i} has more file bytes than memory bytes`);
    segments.push(segment);
  }
  if (segments.length === 0) bad('no loadable segment');
  return { entry, segments };
}
