/**
 * The memory layout Gramine (≥ 1.6.1, x86-64 Linux-SGX PAL) gives an enclave, and the MRENCLAVE
 * that `gramine-sgx-sign` computes for it. Facts learned from Gramine's signer and PAL headers
 * (the layout did not change from v1.6.1 to v1.9); the code is ours:
 * - areas from the top of the enclave down: the manifest (NUL-terminated), SSA frames, TCS
 *   pages, TLS pages, one stack and one signal stack per thread, then libpal.so's segments;
 * - TCS and TLS pages carry per-thread offsets (below); every other area is zero or file bytes;
 * - without EDMM the heap below libpal (from MMAP_MIN_ADDR) is added page by page, unmeasured;
 * - every area is EADDed in that order (the heap last), measured areas EEXTENDed.
 */
import { ErrorCode, SecGearError } from '../../../common/errors.js';
import { readElfLoadSegments, type ElfImage } from './elf-segments.js';
import { MrEnclaveBuilder, PAGE_SIZE, SecinfoFlags } from './sgx-measurement.js';

/** Gramine's build constants (pal_linux_defs.h, pal_arch.h, sgx_arch.h, pal_tcb.h). */
export const GRAMINE_LAYOUT = {
  ssaFrameSize: 4 * PAGE_SIZE,
  ssaFrameNum: 2,
  tcsSize: PAGE_SIZE,
  stackSize: 64 * PAGE_SIZE,
  sigStackSize: 16 * PAGE_SIZE,
  enclaveBase: 0n,
  mmapMinAddr: 0x10000n,
  stackProtectorCanary: 0xbadbadbadbadn,
  gprSize: 184n,
  /** Offsets in sgx_arch_tcs_t. */
  tcs: { ossa: 16, nssa: 28, oentry: 32, ofsLimit: 64, ogsLimit: 68 },
  /** Offsets in struct pal_enclave_tcb (PAL_TCB is 16 + 256 bytes of LibOS TCB). */
  tls: { self: 0, canary: 8, enclaveSize: 272, tcsOffset: 280, initialStackAddr: 288, sigStackLow: 304, sigStackHigh: 312, ssa: 328, gpr: 336, manifestSize: 416, heapMin: 424, heapMax: 432 },
} as const;

export interface GramineEnclaveAttributes {
  enclaveSize: bigint;
  maxThreads: number;
  edmm: boolean;
}

interface Area {
  desc: string;
  addr: bigint | null;
  size: bigint;
  flags: number;
  content: Uint8Array | null;
  elf: ElfImage | null;
  elfFile: Uint8Array | null;
  measure: boolean;
}

/** One line of the layout, as `gramine-sgx-sign --verbose` prints it. */
export interface LayoutLine {
  start: bigint;
  end: bigint;
  flags: number;
  desc: string;
  measured: boolean;
}

export interface GramineMeasurement {
  mrEnclave: Uint8Array;
  layout: LayoutLine[];
  pages: number;
}

const P = BigInt(PAGE_SIZE);
const roundUp = (n: bigint) => (n % P === 0n ? n : n + (P - (n % P)));
const roundDown = (n: bigint) => n - (n % P);

function area(desc: string, size: bigint, flags: number, extra: Partial<Area> = {}): Area {
  return { desc, addr: null, size: roundUp(size), flags, content: null, elf: null, elfFile: null, measure: true, ...extra };
}

/**
 * MRENCLAVE of a Gramine enclave: `manifestSgx` is the exact `.manifest.sgx` file
 * gramine-sgx-sign wrote (its bytes are measured), `libpal` the `sgx/libpal.so` of the same
 * Gramine installation.
 */
export function measureGramineEnclave(manifestSgx: Uint8Array, libpal: Uint8Array, attributes: GramineEnclaveAttributes): GramineMeasurement {
  const L = GRAMINE_LAYOUT;
  const { enclaveSize, maxThreads, edmm } = attributes;
  if (!(Number.isInteger(maxThreads) && maxThreads >= 1 && maxThreads <= 4096)) throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'sgx.max_threads must be an integer from 1 to 4096');
  if (enclaveSize <= 0n || (enclaveSize & (enclaveSize - 1n)) !== 0n) throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'sgx.enclave_size must be a power of two');
  const elf = readElfLoadSegments(libpal);
  const T = BigInt(maxThreads);
  const RW = SecinfoFlags.R | SecinfoFlags.W | SecinfoFlags.PT_REG;

  const manifest = new Uint8Array(manifestSgx.byteLength + 1);
  manifest.set(manifestSgx); // the in-memory manifest is NUL-terminated
  let mapStart = -1n;
  let mapEnd = 0n;
  for (const s of elf.segments) {
    if (mapStart < 0n || roundDown(s.vaddr) < mapStart) mapStart = roundDown(s.vaddr);
    if (roundUp(s.vaddr + s.memsz) > mapEnd) mapEnd = roundUp(s.vaddr + s.memsz);
  }
  const areas: Area[] = [
    area('manifest', BigInt(manifest.byteLength), SecinfoFlags.R | SecinfoFlags.PT_REG, { content: manifest }),
    area('ssa', T * BigInt(L.ssaFrameSize * L.ssaFrameNum), RW),
    area('tcs', T * BigInt(L.tcsSize), SecinfoFlags.PT_TCS),
    area('tls', T * P, RW),
    ...Array.from({ length: maxThreads }, () => area('stack', BigInt(L.stackSize), RW)),
    ...Array.from({ length: maxThreads }, () => area('sig_stack', BigInt(L.sigStackSize), RW)),
    area('pal', mapEnd - mapStart, SecinfoFlags.PT_REG, { elf, elfFile: libpal, addr: mapStart > 0n ? mapStart : null }),
  ];

  // place from the top down
  const heapMin = L.mmapMinAddr;
  let last = L.enclaveBase + enclaveSize;
  for (const a of areas) {
    if (a.addr !== null) continue;
    a.addr = last - a.size;
    if (a.addr < heapMin) throw new SecGearError(ErrorCode.BAD_PARAMETERS, `sgx.enclave_size ${enclaveSize} is not large enough for ${maxThreads} threads and libpal`);
    last = a.addr;
  }
  const find = (desc: string) => areas.filter((a) => a.desc === desc);
  const [manifestArea, ssa, tcs, tls, pal] = ['manifest', 'ssa', 'tcs', 'tls', 'pal'].map((d) => find(d)[0]);
  const stacks = find('stack');
  const sigStacks = find('sig_stack');
  const heapMax = pal.addr!;
  const base = L.enclaveBase;

  // per-thread TCS and TLS contents
  const tcsData = new Uint8Array(Number(tcs.size));
  const tlsData = new Uint8Array(Number(tls.size));
  const tcsView = new DataView(tcsData.buffer);
  const tlsView = new DataView(tlsData.buffer);
  for (let t = 0; t < maxThreads; t++) {
    const bt = BigInt(t);
    const ssaAddr = ssa.addr! + BigInt(L.ssaFrameSize * L.ssaFrameNum) * bt;
    const tc = t * L.tcsSize;
    tcsView.setBigUint64(tc + L.tcs.ossa, ssaAddr - base, true);
    tcsView.setUint32(tc + L.tcs.nssa, L.ssaFrameNum, true);
    tcsView.setBigUint64(tc + L.tcs.oentry, pal.addr! + elf.entry - base, true);
    tcsView.setBigUint64(tc + 56 /* ogs_base */, tls.addr! - base + P * bt, true);
    tcsView.setUint32(tc + L.tcs.ofsLimit, 0xfff, true);
    tcsView.setUint32(tc + L.tcs.ogsLimit, 0xfff, true);
    const tl = t * PAGE_SIZE;
    const set = (offset: number, value: bigint) => tlsView.setBigUint64(tl + offset, value, true);
    set(L.tls.self, tls.addr! + P * bt);
    set(L.tls.canary, L.stackProtectorCanary);
    set(L.tls.enclaveSize, enclaveSize);
    set(L.tls.tcsOffset, tcs.addr! - base + BigInt(L.tcsSize) * bt);
    set(L.tls.initialStackAddr, stacks[t].addr! + stacks[t].size);
    set(L.tls.sigStackLow, sigStacks[t].addr!);
    set(L.tls.sigStackHigh, sigStacks[t].addr! + sigStacks[t].size);
    set(L.tls.ssa, ssaAddr);
    set(L.tls.gpr, ssaAddr + BigInt(L.ssaFrameSize) - L.gprSize);
    set(L.tls.manifestSize, BigInt(manifest.byteLength));
    set(L.tls.heapMin, heapMin);
    set(L.tls.heapMax, heapMax);
  }
  tcs.content = tcsData;
  tls.content = tlsData;
  void manifestArea;

  // the heap: added (unmeasured) only without EDMM
  if (!edmm) {
    const free: Area[] = [];
    for (const a of areas) {
      const end = a.addr! + a.size;
      if (end < last) {
        free.push(area('free', last - end, SecinfoFlags.R | SecinfoFlags.W | SecinfoFlags.X | SecinfoFlags.PT_REG, { addr: end, measure: false }));
        last = a.addr!;
      }
    }
    if (last > heapMin) free.push(area('free', last - heapMin, SecinfoFlags.R | SecinfoFlags.W | SecinfoFlags.X | SecinfoFlags.PT_REG, { addr: heapMin, measure: false }));
    areas.push(...free);
  }

  const builder = new MrEnclaveBuilder(L.ssaFrameSize / PAGE_SIZE, enclaveSize);
  const layout: LayoutLine[] = [];
  for (const a of areas) {
    if (a.elf && a.elfFile) {
      const shift = a.addr! - mapStart;
      for (const s of a.elf.segments) {
        let flags = a.flags;
        if (s.flags & 4) flags |= SecinfoFlags.R;
        if (s.flags & 2) flags |= SecinfoFlags.W;
        if (s.flags & 1) flags |= SecinfoFlags.X;
        loadSegment(builder, a.elfFile, s.offset, shift + s.vaddr, s.filesz, s.memsz, flags, base, layout, flags & SecinfoFlags.X ? 'code' : 'data');
      }
      continue;
    }
    for (let addr = a.addr!; addr < a.addr! + a.size; addr += P) {
      let page: Uint8Array | null = null;
      if (a.content) {
        page = new Uint8Array(PAGE_SIZE);
        const start = Number(addr - a.addr!);
        page.set(a.content.subarray(start, Math.min(start + PAGE_SIZE, a.content.byteLength)));
      }
      builder.addPage(addr - base, a.flags, page, a.measure);
    }
    layout.push({ start: a.addr!, end: a.addr! + a.size, flags: a.flags, desc: a.desc, measured: a.measure });
  }
  return { mrEnclave: builder.digest(), layout, pages: builder.pages };
}

/** A segment page by page: file bytes where the segment has them, zeros around (as the signer). */
function loadSegment(builder: MrEnclaveBuilder, file: Uint8Array, offset: bigint, addr: bigint, filesz: bigint, memsz: bigint, flags: number, base: bigint, layout: LayoutLine[], desc: string): void {
  const fileStart = roundDown(offset);
  const memStart = roundDown(addr);
  const memSize = roundUp(addr + memsz) - memStart;
  for (let page = memStart; page < memStart + memSize; page += P) {
    let start = page - memStart + fileStart;
    let end = start + P;
    const leading = start < offset ? (offset - start >= P ? P : offset - start) : 0n;
    const trailing = end > offset + filesz ? (end - offset - filesz >= P ? P : end - offset - filesz) : 0n;
    start += leading;
    end -= trailing;
    const data = start < end ? file.subarray(Number(start), Number(end)) : new Uint8Array(0);
    if (leading + BigInt(data.byteLength) + trailing !== P) throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'libpal has a segment layout the Gramine signer rejects too');
    const content = new Uint8Array(PAGE_SIZE);
    content.set(data, Number(leading));
    builder.addPage(page - base, flags, content, true);
  }
  layout.push({ start: memStart, end: memStart + memSize, flags, desc, measured: true });
}

/** A layout line in the form `gramine-sgx-sign --verbose` prints, to compare the two line by line. */
export function formatLayoutLine(line: LayoutLine): string {
  const type = line.flags & SecinfoFlags.PT_TCS ? 'TCS' : 'REG';
  const prot = `${line.flags & SecinfoFlags.R ? 'R' : '-'}${line.flags & SecinfoFlags.W ? 'W' : '-'}${line.flags & SecinfoFlags.X ? 'X' : '-'}`;
  const hex = (n: bigint) => n.toString(16).padStart(16, '0');
  return `    ${hex(line.start)}-${hex(line.end)} [${type}:${prot}] (${line.desc})${line.measured ? ' measured' : ''}`;
}

/** Gramine's size syntax: a number with an optional K, M or G suffix ("256M"). */
export function parseGramineSize(value: string): bigint {
  const match = /^(0x[0-9a-fA-F]+|0o[0-7]+|0b[01]+|\d+)([KMG]?)$/.exec(value.trim());
  if (!match) throw new SecGearError(ErrorCode.BAD_PARAMETERS, `"${value}" is not a Gramine size (a number with an optional K, M or G suffix)`);
  const scale = { '': 1n, K: 1024n, M: 1024n ** 2n, G: 1024n ** 3n }[match[2] as '' | 'K' | 'M' | 'G'];
  return BigInt(match[1]) * scale;
}
