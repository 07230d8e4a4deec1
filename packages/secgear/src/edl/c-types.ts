/**
 * C scalar types of EDL under the LP64 ABI (Linux x86_64/aarch64): sizes, alignments and the
 * scalar each maps to. wchar_t is 32-bit (glibc), long double is 16 bytes but carried as a
 * double (JavaScript has nothing wider; the checker warns).
 */
import type { BuiltinName } from './ast.js';
import type { ScalarType } from './model.js';

export interface CScalar {
  size: number;
  align: number;
  /** null for void. */
  scalar: ScalarType | null;
}

const int = (bits: 8 | 16 | 32 | 64, signed: boolean, c: string): CScalar => ({
  size: bits / 8,
  align: bits / 8,
  scalar: { kind: 'int', bits, signed, c },
});

export const BUILTINS: Record<BuiltinName, CScalar> = {
  char: int(8, true, 'char'),
  'unsigned char': int(8, false, 'unsigned char'),
  short: int(16, true, 'short'),
  'unsigned short': int(16, false, 'unsigned short'),
  int: int(32, true, 'int'),
  'unsigned int': int(32, false, 'unsigned int'),
  long: int(64, true, 'long'),
  'unsigned long': int(64, false, 'unsigned long'),
  'long long': int(64, true, 'long long'),
  'unsigned long long': int(64, false, 'unsigned long long'),
  float: { size: 4, align: 4, scalar: { kind: 'float', bits: 32, c: 'float' } },
  double: { size: 8, align: 8, scalar: { kind: 'float', bits: 64, c: 'double' } },
  'long double': { size: 16, align: 16, scalar: { kind: 'float', bits: 64, c: 'long double' } },
  int8_t: int(8, true, 'int8_t'),
  int16_t: int(16, true, 'int16_t'),
  int32_t: int(32, true, 'int32_t'),
  int64_t: int(64, true, 'int64_t'),
  uint8_t: int(8, false, 'uint8_t'),
  uint16_t: int(16, false, 'uint16_t'),
  uint32_t: int(32, false, 'uint32_t'),
  uint64_t: int(64, false, 'uint64_t'),
  size_t: int(64, false, 'size_t'),
  wchar_t: int(32, false, 'wchar_t'),
  void: { size: 1, align: 1, scalar: null },
};

export const POINTER_SIZE = 8;
export const ENUM_SIZE = 4;
export const BOOL_SIZE = 1;

/** Byte-like element types travel as Uint8Array (issue: byte buffers → Uint8Array). */
export function isByteLike(s: ScalarType): boolean {
  return s.kind === 'int' && s.bits === 8 && (s.c === 'char' || !s.signed);
}

/** Whether a scalar is an integer usable as a size or count. */
export function isIntegerScalar(s: ScalarType | null): boolean {
  return s !== null && s.kind === 'int';
}

export function alignUp(n: number, align: number): number {
  return Math.ceil(n / align) * align;
}
