/**
 * The resolved, checked interface of an EDL file and its imports: what the TypeScript
 * generator consumes. Sizes follow the LP64 C ABI (Linux on x86_64 and aarch64), which is
 * where secGear's EDL files come from: `long`, `size_t` and pointers are 64-bit.
 */
import type { SourceLocation } from './diagnostics.js';

export type ScalarType =
  | { kind: 'int'; bits: 8 | 16 | 32 | 64; signed: boolean; c: string }
  | { kind: 'float'; bits: 32 | 64; c: string }
  | { kind: 'bool'; c: string }
  /** A pointer value that cannot be followed across the boundary (user_check, shallow pointers). */
  | { kind: 'handle'; c: string };

export type ValueType =
  | ScalarType
  | { kind: 'enum'; name: string }
  | { kind: 'struct'; name: string }
  | { kind: 'union'; name: string }
  /** A fixed-size array, all dimensions flattened (C lays them out flat): `int a[4][2]` → length 8. */
  | { kind: 'array'; elem: Exclude<ValueType, { kind: 'array' }>; length: number; dims: number[] };

/** Size/count expressions with names resolved (to parameters or struct members) and sizeof folded. */
export type SizeTerm =
  | { kind: 'num'; value: bigint }
  | { kind: 'ref'; name: string }
  | { kind: 'neg'; operand: SizeTerm }
  | { kind: 'bin'; op: '+' | '-' | '*' | '/' | '%'; left: SizeTerm; right: SizeTerm };

/**
 * A pointer whose pointee is copied across: total bytes = count × (size ?? sizeof(elem)),
 * carried as `length = total / sizeof(elem)` elements of `elem`.
 */
export interface BufferShape {
  elem: Exclude<ValueType, { kind: 'array' }>;
  /** sizeof(elem) in bytes. */
  elemSize: number;
  /** sizeof(*p): the default of size=; differs from elemSize when p points to an array type. */
  unitSize: number;
  size?: SizeTerm;
  count?: SizeTerm;
  /** No size/count: exactly one element, carried as a value rather than an array. */
  single: boolean;
  /** `sizefunc=`: the length is whatever the sender's array has. */
  variable: boolean;
}

export type Direction = 'in' | 'out' | 'inout';

export type ParamModel =
  | { kind: 'value'; name: string; type: ValueType; loc: SourceLocation }
  | ({ kind: 'buffer'; name: string; dir: Direction; loc: SourceLocation } & BufferShape)
  | { kind: 'string'; name: string; dir: 'in' | 'inout'; wide: boolean; loc: SourceLocation };

export type MemberModel =
  | { kind: 'value'; name: string; type: ValueType; loc: SourceLocation }
  /** A deep-copied pointer member (`[count=n] int *v`); size/count name other members. */
  | ({ kind: 'buffer'; name: string; loc: SourceLocation } & BufferShape);

export interface StructModel {
  kind: 'struct' | 'union';
  name: string;
  members: MemberModel[];
  size: number;
  align: number;
  /** Has deep-copied pointer members (directly). */
  deepCopy: boolean;
  loc: SourceLocation;
}

export interface EnumModel {
  kind: 'enum';
  name: string;
  items: { name: string; value: bigint | null }[];
  loc: SourceLocation;
}

export type TypeModel = StructModel | EnumModel;

export interface FunctionModel {
  name: string;
  params: ParamModel[];
  /** null for void. */
  returns: ValueType | null;
  loc: SourceLocation;
  /** The EDL file that declared it. */
  file: string;
}

export interface EcallModel extends FunctionModel {
  isPublic: boolean;
  switchless: boolean;
}

export interface OcallModel extends FunctionModel {
  allow: string[];
  propagateErrno: boolean;
  switchless: boolean;
  /** Set for the standard library's ocalls, which the generated host code implements. */
  std: boolean;
}

export interface EdlModel {
  /** The file's short name (`helloworld` for helloworld.edl): names the generated files. */
  name: string;
  file: string;
  /** Every file that contributed, root first. */
  files: string[];
  /** `include "file.h"` lines: recorded, no effect on TypeScript. */
  includes: string[];
  types: TypeModel[];
  /** Constants of anonymous enums with known values. */
  constants: { name: string; value: bigint }[];
  ecalls: EcallModel[];
  ocalls: OcallModel[];
}
