/**
 * The syntax tree of one EDL file, as written (attributes unchecked). The checker turns the
 * trees of a file and its imports into the resolved interface (`model.ts`).
 */
import type { SourceLocation } from './diagnostics.js';

/** The C scalar types EDL names with keywords. */
export type BuiltinName =
  | 'char'
  | 'unsigned char'
  | 'short'
  | 'unsigned short'
  | 'int'
  | 'unsigned int'
  | 'long'
  | 'unsigned long'
  | 'long long'
  | 'unsigned long long'
  | 'float'
  | 'double'
  | 'long double'
  | 'int8_t'
  | 'int16_t'
  | 'int32_t'
  | 'int64_t'
  | 'uint8_t'
  | 'uint16_t'
  | 'uint32_t'
  | 'uint64_t'
  | 'size_t'
  | 'wchar_t'
  | 'void';

export type TypeSpec =
  | { kind: 'builtin'; name: BuiltinName }
  | { kind: 'struct' | 'union' | 'enum'; name: string }
  /** A type from a C header (typedef), unknown to EDL. */
  | { kind: 'foreign'; name: string };

export interface TypeRef {
  spec: TypeSpec;
  /** Number of `*`. */
  pointers: number;
  /** Written `const`. */
  isConst: boolean;
  loc: SourceLocation;
}

export interface Declarator {
  name: string;
  /** Fixed array dimensions, outermost first (`int a[4][2]` → [4, 2]). */
  dims: number[];
  loc: SourceLocation;
}

/** Size and count expressions: numbers, names, + - * / %, parentheses, sizeof(type). */
export type SizeExpr =
  | { kind: 'num'; value: bigint; loc: SourceLocation }
  | { kind: 'name'; name: string; loc: SourceLocation }
  | { kind: 'sizeof'; type: TypeRef; loc: SourceLocation }
  | { kind: 'neg'; operand: SizeExpr; loc: SourceLocation }
  | { kind: 'bin'; op: '+' | '-' | '*' | '/' | '%'; left: SizeExpr; right: SizeExpr; loc: SourceLocation };

export interface Attribute {
  key: string;
  /** `key=value`; absent for flags like `in`. */
  value?: SizeExpr;
  loc: SourceLocation;
}

/** `[attrs] type declarator` — a parameter or a struct member. */
export interface VarDecl {
  /** null when no `[...]` was written. */
  attrs: Attribute[] | null;
  attrsLoc: SourceLocation | null;
  type: TypeRef;
  decl: Declarator;
}

export interface FuncDecl {
  name: string;
  returnType: TypeRef;
  params: VarDecl[];
  loc: SourceLocation;
}

export interface TrustedFunc {
  kind: 'trusted';
  func: FuncDecl;
  isPublic: boolean;
  /** `transition_using_threads`. */
  switchless: boolean;
  file: string;
}

export interface UntrustedFunc {
  kind: 'untrusted';
  func: FuncDecl;
  /** Function attributes: cdecl, stdcall, fastcall, dllimport (accepted, no effect in TypeScript). */
  attrs: Attribute[] | null;
  allow: { name: string; loc: SourceLocation }[];
  propagateErrno: boolean;
  switchless: boolean;
  file: string;
}

export interface StructDef {
  kind: 'struct' | 'union';
  name: string;
  members: VarDecl[];
  /** Laid out without padding (`#pragma pack(1)`); only built-in SDK types, EDL has no syntax for it. */
  packed?: boolean;
  /** The flexible array member the C struct ends in (not a member here); only built-in SDK types. */
  flexibleTail?: string;
  loc: SourceLocation;
  file: string;
}

export interface EnumItem {
  name: string;
  /** `= 3`, `= -1` or `= OTHER` (another enumerator or a C constant). */
  value?: { kind: 'num'; value: bigint } | { kind: 'name'; name: string };
  loc: SourceLocation;
}

export interface EnumDef {
  kind: 'enum';
  /** '' for an anonymous enum (it only defines constants). */
  name: string;
  items: EnumItem[];
  loc: SourceLocation;
  file: string;
}

export type TypeDef = StructDef | EnumDef;

export interface ImportDecl {
  path: string;
  /** '*' or the listed function names. */
  names: '*' | { name: string; loc: SourceLocation }[];
  loc: SourceLocation;
}

export interface IncludeDecl {
  path: string;
  loc: SourceLocation;
  /** Where it was written: the enclave body or the head of a trusted/untrusted block. */
  scope: 'enclave' | 'trusted' | 'untrusted';
}

export interface EdlFile {
  file: string;
  includes: IncludeDecl[];
  imports: ImportDecl[];
  types: TypeDef[];
  trusted: TrustedFunc[];
  untrusted: UntrustedFunc[];
}
