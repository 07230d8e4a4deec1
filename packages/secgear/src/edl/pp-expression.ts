/**
 * `#if` / `#elif` expressions: C integer constant expressions evaluated in 64-bit signed
 * arithmetic (intmax_t), after `defined` and macro replacement. Identifiers left over are 0.
 */
import { syntaxError, type SourceLocation } from './diagnostics.js';

export interface PpToken {
  kind: 'num' | 'ident' | 'op';
  text: string;
  value?: bigint;
}

const OPS = ['<<', '>>', '<=', '>=', '==', '!=', '&&', '||', '(', ')', '!', '~', '*', '/', '%', '+', '-', '<', '>', '&', '^', '|', '?', ':', ','];

/** Splits directive text into tokens; `null` when it holds something no expression may. */
export function ppTokenize(text: string): PpToken[] | null {
  const out: PpToken[] = [];
  let i = 0;
  outer: while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i))!;
      out.push({ kind: 'ident', text: m[0] });
      i += m[0].length;
      continue;
    }
    if (/[0-9]/.test(c)) {
      const m = /^(0[xX][0-9a-fA-F]+|[0-9]+)[uUlL]*/.exec(text.slice(i))!;
      const digits = m[1];
      const value = digits.length > 1 && digits[0] === '0' && !/[xX]/.test(digits) ? BigInt(`0o${digits.slice(1)}`) : BigInt(digits);
      if (/[A-Za-z0-9_]/.test(text[i + m[0].length] ?? '')) return null;
      out.push({ kind: 'num', text: m[0], value });
      i += m[0].length;
      continue;
    }
    for (const op of OPS) {
      if (text.startsWith(op, i)) {
        out.push({ kind: 'op', text: op });
        i += op.length;
        continue outer;
      }
    }
    return null;
  }
  return out;
}

const wrap = (v: bigint) => BigInt.asIntN(64, v);

const BINARY: Record<string, [number, (a: bigint, b: bigint) => bigint]> = {
  '||': [1, (a, b) => (a !== 0n || b !== 0n ? 1n : 0n)],
  '&&': [2, (a, b) => (a !== 0n && b !== 0n ? 1n : 0n)],
  '|': [3, (a, b) => a | b],
  '^': [4, (a, b) => a ^ b],
  '&': [5, (a, b) => a & b],
  '==': [6, (a, b) => (a === b ? 1n : 0n)],
  '!=': [6, (a, b) => (a !== b ? 1n : 0n)],
  '<': [7, (a, b) => (a < b ? 1n : 0n)],
  '>': [7, (a, b) => (a > b ? 1n : 0n)],
  '<=': [7, (a, b) => (a <= b ? 1n : 0n)],
  '>=': [7, (a, b) => (a >= b ? 1n : 0n)],
  '<<': [8, (a, b) => wrap(a << (b & 63n))],
  '>>': [8, (a, b) => a >> (b & 63n)],
  '+': [9, (a, b) => wrap(a + b)],
  '-': [9, (a, b) => wrap(a - b)],
  '*': [10, (a, b) => wrap(a * b)],
  '/': [10, (a, b) => wrap(a / b)],
  '%': [10, (a, b) => a % b],
};

/** Evaluates fully replaced tokens (numbers and operators only). */
export function evaluatePp(tokens: PpToken[], loc: SourceLocation): bigint {
  let pos = 0;
  let depth = 0;
  const fail = (what: string): never => {
    throw syntaxError(loc, `invalid #if expression: ${what}`, 'use integer constants, defined(NAME), macros and C operators');
  };
  const peek = () => tokens[pos];

  const primary = (): bigint => {
    if (++depth > 256) fail('nested too deeply (more than 256 levels)');
    const t = tokens[pos++];
    if (!t) return fail('unexpected end of expression');
    if (t.kind === 'num') return t.value!;
    if (t.kind === 'ident') return 0n;
    switch (t.text) {
      case '(': {
        const v = conditional();
        if (peek()?.text !== ')') fail("missing ')'");
        pos++;
        return v;
      }
      case '!':
        return primary() === 0n ? 1n : 0n;
      case '~':
        return wrap(~primary());
      case '-':
        return wrap(-primary());
      case '+':
        return primary();
      default:
        return fail(`unexpected '${t.text}'`);
    }
  };

  const binary = (minPrec: number): bigint => {
    let left = primary();
    for (;;) {
      const t = peek();
      const entry = t && t.kind === 'op' ? BINARY[t.text] : undefined;
      if (!entry || entry[0] < minPrec) return left;
      pos++;
      const right = binary(entry[0] + 1);
      if ((t.text === '/' || t.text === '%') && right === 0n) fail('division by zero');
      left = entry[1](left, right);
    }
  };

  const conditional = (): bigint => {
    const cond = binary(1);
    if (peek()?.text !== '?') return cond;
    pos++;
    const a = conditional();
    if (peek()?.text !== ':') fail("missing ':' in ?: expression");
    pos++;
    const b = conditional();
    return cond !== 0n ? a : b;
  };

  if (tokens.length === 0) fail('empty expression');
  const value = conditional();
  if (pos !== tokens.length) fail(`unexpected '${tokens[pos].text}'`);
  return value;
}
