/**
 * The preprocessor lines edger8r accepts (it runs `gcc -E -P` over the EDL when gcc is
 * present): #define/#undef of object-like macros, #if/#ifdef/#ifndef/#elif/#else/#endif,
 * #include of a file of EDL or macros, #line and gcc's line markers, #pragma, #error,
 * #warning. Function-like macros may be defined and tested but not expanded in EDL text.
 */
import { SyntaxFailure, syntaxError, type Diagnostic, type DiagnosticBag, type SourceLocation } from './diagnostics.js';
import { tokenize, type Token } from './lexer.js';
import { evaluatePp, ppTokenize, type PpToken } from './pp-expression.js';

export interface Macro {
  name: string;
  /** null for object-like macros. */
  params: string[] | null;
  body: string;
  loc: SourceLocation;
}

export interface PreprocessContext {
  macros: Map<string, Macro>;
  /** Where warnings go. */
  bag: DiagnosticBag;
  /** Where errors go (the loader bounds how many a file may report). */
  report(d: Diagnostic): void;
  /** Finds an #include'd file; null when it is nowhere on the search path. */
  resolveInclude(name: string, fromFile: string): { file: string; source: string } | null;
  /** Files being preprocessed, outermost first (recursive #include detection). */
  stack: string[];
}

interface Cond {
  /** Tokens of this branch are kept. */
  active: boolean;
  /** Some branch of this #if group was taken already. */
  taken: boolean;
  parentActive: boolean;
  sawElse: boolean;
  loc: SourceLocation;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MAX_INCLUDE_DEPTH = 32;
const MAX_EXPANSION = 256;

/** Defines `-D NAME[=VALUE]` style macros (VALUE defaults to 1, as with cc -D). */
export function defineMacros(macros: Map<string, Macro>, defines: Record<string, string | number | boolean> | undefined): void {
  for (const [name, value] of Object.entries(defines ?? {})) {
    const body = value === true ? '1' : value === false ? '0' : String(value);
    macros.set(name, { name, params: null, body, loc: { file: '<command line>', line: 1, col: 1 } });
  }
}

export function preprocess(tokens: Token[], ctx: PreprocessContext): Token[] {
  const out: Token[] = [];
  const conds: Cond[] = [];
  const active = () => conds.length === 0 || conds[conds.length - 1].active;
  // #line / line-marker remapping for the rest of this file
  let remap: { physical: number; line: number; file: string } | null = null;
  const place = (loc: SourceLocation): SourceLocation =>
    remap ? { file: remap.file, line: remap.line + (loc.line - remap.physical), col: loc.col } : loc;

  // a bad directive or macro use is reported and skipped, so later ones are checked too
  const recover = (error: unknown, at: Token | null): void => {
    if (!(error instanceof SyntaxFailure)) throw error;
    ctx.report(error.diagnostic);
    // the parser must not report this spot again
    if (at) out.push({ kind: 'error', text: at.text, loc: error.diagnostic.loc });
  };
  for (const token of tokens) {
    if (token.kind === 'eof') continue;
    if (token.kind !== 'directive') {
      if (!active()) continue;
      const t = remap ? { ...token, loc: place(token.loc) } : token;
      if (t.kind !== 'ident' || !ctx.macros.has(t.text)) {
        out.push(t);
        continue;
      }
      const expansion: Token[] = [];
      try {
        expandInto(expansion, t, ctx, new Set(), 0);
        out.push(...expansion);
      } catch (error) {
        recover(error, t);
      }
      continue;
    }
    try {
      runDirective(token);
    } catch (error) {
      recover(error, null);
    }
  }
  const open = conds[conds.length - 1];
  if (open) ctx.report(syntaxError(open.loc, 'unterminated #if: no matching #endif in this file', 'add #endif').diagnostic);
  return out;

  /** Handles one directive line; throws SyntaxFailure for a bad one. */
  function runDirective(token: Token): void {
    const loc = place(token.loc);
    const m = /^\s*([A-Za-z_]+|[0-9]+)?\s*([\s\S]*)$/.exec(token.text)!;
    const name = m[1] ?? '';
    const rest = m[2].trim();
    switch (name) {
      case 'if':
      case 'ifdef':
      case 'ifndef': {
        const parentActive = active();
        let value = false;
        // the group is pushed even when the condition is bad, so its #else/#endif still match
        const cond: Cond = { active: false, taken: false, parentActive, sawElse: false, loc };
        conds.push(cond);
        if (parentActive) {
          if (name === 'if') value = evaluateCondition(rest, loc, ctx) !== 0n;
          else value = ctx.macros.has(macroName(rest, loc, name)) === (name === 'ifdef');
        }
        cond.active = parentActive && value;
        cond.taken = value;
        return;
      }
      case 'elif':
      case 'else': {
        const top = conds[conds.length - 1];
        if (!top) throw syntaxError(loc, `#${name} without #if`, 'remove it or add the matching #if');
        if (top.sawElse) throw syntaxError(loc, `#${name} after #else`, `the #if at ${top.loc.line}:${top.loc.col} already has an #else`);
        if (name === 'else') {
          top.sawElse = true;
          top.active = top.parentActive && !top.taken;
          top.taken = true;
        } else {
          const wasTaken = top.taken;
          // a bad #elif condition leaves the group with no branch taken from here on
          top.active = false;
          top.taken = true;
          const value = top.parentActive && !wasTaken && evaluateCondition(rest, loc, ctx) !== 0n;
          top.active = value;
          top.taken = wasTaken || value;
        }
        return;
      }
      case 'endif':
        if (!conds.pop()) throw syntaxError(loc, '#endif without #if', 'remove it or add the matching #if');
        return;
    }
    if (!active()) return;
    switch (name) {
      case '':
        return; // the null directive
      case 'define': {
        const d = /^([A-Za-z_][A-Za-z0-9_]*)(\(([^)]*)\))?\s*([\s\S]*)$/.exec(rest);
        if (!d) throw syntaxError(loc, `#define needs a macro name, got "${rest}"`, 'write #define NAME value');
        const params = d[2] === undefined ? null : d[3].split(',').map((p) => p.trim()).filter((p) => p.length > 0);
        const previous = ctx.macros.get(d[1]);
        const macro: Macro = { name: d[1], params, body: d[4].trim(), loc };
        if (previous && (previous.body !== macro.body || String(previous.params) !== String(macro.params))) {
          ctx.bag.warn('syntax', loc, `macro "${d[1]}" redefined (previous definition at ${previous.loc.file}:${previous.loc.line}:${previous.loc.col})`, `#undef ${d[1]} first`);
        }
        ctx.macros.set(d[1], macro);
        return;
      }
      case 'undef':
        ctx.macros.delete(macroName(rest, loc, name));
        return;
      case 'include': {
        const inc = /^(?:"([^"]+)"|<([^>]+)>)$/.exec(rest);
        if (!inc) throw syntaxError(loc, `#include needs "file" or <file>, got "${rest}"`, 'write #include "file.h"');
        const target = inc[1] ?? inc[2];
        const found = ctx.resolveInclude(target, loc.file);
        if (!found) throw syntaxError(loc, `cannot find #include file "${target}"`, 'add its directory to the search path (--search-path)', 'import');
        if (ctx.stack.includes(found.file)) throw syntaxError(loc, `recursive #include of "${target}" (${[...ctx.stack, found.file].join(' -> ')})`, 'guard the header with #ifndef/#define', 'import');
        if (ctx.stack.length >= MAX_INCLUDE_DEPTH) throw syntaxError(loc, `#include nested more than ${MAX_INCLUDE_DEPTH} deep`, 'flatten the includes', 'import');
        ctx.stack.push(found.file);
        out.push(...preprocess(tokenize(found.source, found.file, ctx.report), ctx));
        ctx.stack.pop();
        return;
      }
      case 'line':
      default: {
        if (name !== 'line' && !/^[0-9]+$/.test(name)) break;
        const text = name === 'line' ? rest : `${name} ${rest}`;
        const lm = /^([0-9]+)(?:\s+"([^"]*)")?/.exec(text);
        if (!lm) throw syntaxError(loc, `#line needs a line number, got "${text}"`, 'write #line 10 "file.edl"');
        remap = { physical: token.loc.line + 1, line: Number(lm[1]), file: lm[2] ?? loc.file };
        return;
      }
      case 'pragma':
      case 'ident':
      case 'sccs':
        return;
      case 'error':
        throw syntaxError(loc, `#error ${rest}`);
      case 'warning':
        ctx.bag.warn('syntax', loc, `#warning ${rest}`);
        return;
    }
    throw syntaxError(loc, `unknown preprocessor directive "#${name}"`, 'EDL accepts #define, #undef, #if, #ifdef, #ifndef, #elif, #else, #endif, #include, #line, #pragma, #error, #warning');
  }
}

function macroName(rest: string, loc: SourceLocation, directive: string): string {
  const name = rest.split(/\s+/)[0];
  if (!NAME.test(name)) throw syntaxError(loc, `#${directive} needs a macro name, got "${rest}"`, `write #${directive} NAME`);
  return name;
}

/** Replaces an object-like macro use with its body, recursively; the body takes the use's location. */
function expandInto(out: Token[], use: Token, ctx: PreprocessContext, hide: Set<string>, count: number): void {
  const macro = ctx.macros.get(use.text);
  if (!macro || hide.has(macro.name)) {
    out.push(use);
    return;
  }
  if (count > MAX_EXPANSION) throw syntaxError(use.loc, `macro expansion of "${use.text}" nests more than ${MAX_EXPANSION} deep`, 'check the #define chain');
  if (macro.params) {
    throw syntaxError(use.loc, `function-like macro "${macro.name}" cannot be expanded in EDL text`, 'use an object-like macro (#define NAME value) or write the value out');
  }
  let body: Token[];
  try {
    body = tokenize(macro.body, use.loc.file);
  } catch {
    throw syntaxError(use.loc, `macro "${macro.name}" expands to "${macro.body}", which is not EDL`, `fix the #define at ${macro.loc.file}:${macro.loc.line}`);
  }
  const inner = new Set(hide).add(macro.name);
  for (const t of body) {
    if (t.kind === 'eof') continue;
    const placed: Token = { ...t, loc: use.loc };
    if (placed.kind === 'ident' && ctx.macros.has(placed.text)) expandInto(out, placed, ctx, inner, count + 1);
    else out.push(placed);
  }
}

function evaluateCondition(text: string, loc: SourceLocation, ctx: PreprocessContext): bigint {
  const tokens = ppTokenize(text);
  if (!tokens) throw syntaxError(loc, `invalid #if expression "${text}"`, 'use integer constants, defined(NAME), macros and C operators');
  // `defined NAME` and `defined(NAME)` first, before macro replacement
  const resolved: PpToken[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind === 'ident' && t.text === 'defined') {
      const paren = tokens[i + 1]?.text === '(';
      const nameTok = tokens[i + (paren ? 2 : 1)];
      if (!nameTok || nameTok.kind !== 'ident' || (paren && tokens[i + 3]?.text !== ')')) {
        throw syntaxError(loc, 'invalid use of "defined"', 'write defined(NAME) or defined NAME');
      }
      resolved.push({ kind: 'num', text: '', value: ctx.macros.has(nameTok.text) ? 1n : 0n });
      i += paren ? 3 : 1;
      continue;
    }
    resolved.push(t);
  }
  return evaluatePp(expandPp(resolved, ctx, new Set(), loc, 0), loc);
}

function expandPp(tokens: PpToken[], ctx: PreprocessContext, hide: Set<string>, loc: SourceLocation, depth: number): PpToken[] {
  if (depth > 64) throw syntaxError(loc, 'macro expansion in #if nests too deeply', 'check the #define chain');
  const out: PpToken[] = [];
  for (const t of tokens) {
    const macro = t.kind === 'ident' ? ctx.macros.get(t.text) : undefined;
    if (!macro || hide.has(macro.name)) {
      out.push(t);
      continue;
    }
    if (macro.params) throw syntaxError(loc, `function-like macro "${macro.name}" in #if is not supported`, 'use an object-like macro');
    const body = ppTokenize(macro.body);
    if (!body) throw syntaxError(loc, `macro "${macro.name}" expands to "${macro.body}", which is not an integer expression`);
    out.push(...expandPp(body, ctx, new Set(hide).add(macro.name), loc, depth + 1));
  }
  return out;
}
