/**
 * Pointer attributes (`[in, out, size=..., count=..., string, ...]`) read into one record,
 * with edger8r's rules for which combinations are valid on parameters and on struct members.
 */
import type { Attribute, SizeExpr } from './ast.js';
import type { DiagnosticBag, SourceLocation } from './diagnostics.js';

export interface PtrAttrs {
  dir: 'none' | 'in' | 'out' | 'inout';
  size?: SizeExpr;
  count?: SizeExpr;
  sizefunc?: { name: string; loc: SourceLocation };
  isString: boolean;
  isWString: boolean;
  isPtr: boolean;
  isAry: boolean;
  readonly: boolean;
  userCheck: boolean;
  /** Where each attribute was written, for precise diagnostics. */
  at: Partial<Record<string, SourceLocation>>;
}

const FLAGS = new Set(['in', 'out', 'string', 'wstring', 'isptr', 'isary', 'readonly', 'user_check']);
const VALUED = new Set(['size', 'count', 'sizefunc']);
const KNOWN = 'in, out, size=, count=, string, wstring, user_check, isptr, isary, readonly';

/** Reads the attribute list; reports unknown, duplicated and malformed attributes. */
export function readAttrs(list: Attribute[], bag: DiagnosticBag): PtrAttrs {
  const a: PtrAttrs = { dir: 'none', isString: false, isWString: false, isPtr: false, isAry: false, readonly: false, userCheck: false, at: {} };
  for (const attr of list) {
    const { key, loc } = attr;
    if (!FLAGS.has(key) && !VALUED.has(key)) {
      bag.error('semantic', loc, `unknown attribute '${key}'`, `pointer attributes are: ${KNOWN}`);
      continue;
    }
    if (FLAGS.has(key) && attr.value) {
      bag.error('semantic', loc, `attribute '${key}' takes no value`, `write [${key}], not [${key}=...]`);
      continue;
    }
    if (VALUED.has(key) && !attr.value) {
      bag.error('semantic', loc, `attribute '${key}' needs a value`, key === 'sizefunc' ? 'write sizefunc=function_name' : `write ${key}=n, with n a number or a parameter name`);
      continue;
    }
    a.at[key] ??= loc;
    switch (key) {
      case 'in':
      case 'out': {
        const d = key;
        if (a.dir === d || a.dir === 'inout') bag.error('semantic', loc, `duplicated attribute '${key}'`, `remove the second '${key}'`);
        else a.dir = a.dir === 'none' ? d : 'inout';
        break;
      }
      case 'size':
      case 'count':
        if (a[key]) bag.error('semantic', loc, `duplicated attribute '${key}'`, `give '${key}' once`);
        else a[key] = attr.value;
        break;
      case 'sizefunc': {
        const v = attr.value!;
        if (v.kind !== 'name') bag.error('semantic', loc, "'sizefunc' needs a function name", 'write sizefunc=my_size_function, or use size= instead');
        else a.sizefunc = { name: v.name, loc };
        break;
      }
      case 'string':
        a.isString = true;
        break;
      case 'wstring':
        a.isWString = true;
        break;
      case 'isptr':
        a.isPtr = true;
        break;
      case 'isary':
        a.isAry = true;
        break;
      case 'readonly':
        a.readonly = true;
        break;
      case 'user_check':
        a.userCheck = true;
        break;
    }
  }
  return a;
}

const hasSize = (a: PtrAttrs) => a.size !== undefined || a.count !== undefined || a.sizefunc !== undefined;

/** edger8r's parameter rules that depend on the attributes alone (get_param_ptr_attr). */
export function checkParamAttrs(a: PtrAttrs, name: string, at: SourceLocation, bag: DiagnosticBag): void {
  const err = (where: SourceLocation | undefined, message: string, hint?: string) => bag.error('semantic', where ?? at, `parameter '${name}': ${message}`, hint);
  const isStr = a.isString || a.isWString;
  if (a.isString && a.isWString) err(a.at.wstring, "'string' and 'wstring' are mutually exclusive", 'keep one: string for char*, wstring for wchar_t*');
  if (a.sizefunc && a.size) err(a.at.sizefunc, "'size' and 'sizefunc' cannot be used together", "keep 'size'");
  if (a.isAry) {
    if (hasSize(a)) err(a.at.size ?? a.at.count ?? a.at.sizefunc, 'size attributes cannot be used with a foreign array (isary)', 'the array type fixes the size; remove size/count');
    if (isStr) err(a.at.isary, "'isary' cannot be used with 'string'/'wstring'");
    else if (a.isPtr) err(a.at.isary, "'isary' cannot be used with 'isptr'", 'a foreign type is either a pointer (isptr) or an array (isary)');
    if (a.dir !== 'none' && a.userCheck) err(a.at.user_check, "pointer direction and 'user_check' are mutually exclusive", "keep [in]/[out] to copy the array, or [user_check] alone");
    if (a.dir === 'none' && !a.userCheck) err(undefined, "an array must have a direction attribute or 'user_check'", 'add [in], [out] or [in, out]');
    return;
  }
  if (hasSize(a) && isStr) err(a.at.size ?? a.at.count ?? a.at.sizefunc, 'size attributes are mutually exclusive with the (w)string attribute', 'a string carries its own length; remove size/count');
  if ((hasSize(a) || isStr) && a.dir === 'none' && !a.userCheck) err(undefined, 'size/string attributes must be used with a pointer direction', 'add in, out or both');
  if (a.dir !== 'none' && a.userCheck) err(a.at.user_check, "pointer direction and 'user_check' are mutually exclusive", "keep [in]/[out] to copy the buffer, or [user_check] alone");
  else if (a.userCheck && (hasSize(a) || isStr)) err(a.at.user_check, "'user_check' pointers are not copied, so size/count/string have no meaning", "remove them, or replace 'user_check' with a direction");
  if (a.dir === 'none' && !a.userCheck) err(undefined, "a pointer/array must have a direction attribute or 'user_check'", 'add [in], [out], [in, out] or [user_check]');
  if (a.dir === 'out' && isStr) err(a.at.string ?? a.at.wstring, "'string'/'wstring' must be used with an 'in' attribute", 'use [in, string] or [in, out, string]; for an output buffer use [out, size=n]');
  if (a.dir === 'out' && a.sizefunc) err(a.at.sizefunc, "'sizefunc' must be used with an 'in' attribute", 'use [out, size=n]');
}

/** edger8r's struct-member rules (smember_type, get_member_ptr_attr). */
export function checkMemberAttrs(a: PtrAttrs, struct: string, member: string, at: SourceLocation, bag: DiagnosticBag): void {
  const err = (where: SourceLocation | undefined, message: string, hint?: string) => bag.error('semantic', where ?? at, `member '${struct}.${member}': ${message}`, hint);
  if (a.dir !== 'none') err(a.at.in ?? a.at.out, 'direction attributes are not allowed on structure members', 'the direction comes from the parameter that passes the struct');
  if (a.isPtr) err(a.at.isptr, "'isptr' is not allowed on structure members");
  if (a.isAry) err(a.at.isary, "'isary' is not allowed on structure members");
  if (a.readonly) err(a.at.readonly, "'readonly' is not allowed on structure members");
  if (a.isString) err(a.at.string, "'string' is not allowed on structure members", 'use [size=len] char *s with a length member');
  if (a.isWString) err(a.at.wstring, "'wstring' is not allowed on structure members", 'use [count=n] wchar_t *s with a count member');
  if (a.sizefunc) err(a.at.sizefunc, "'sizefunc' is not allowed on structure members", 'use size= or count= naming another member');
  if (!a.size && !a.count) err(undefined, "size/count attributes must be used on a structure member's pointer", 'add [size=len] or [count=n] naming another member');
}
