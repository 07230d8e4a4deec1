/**
 * EDL lexer. Tokens as edger8r's lexer has them (identifiers, decimal numbers, strings without
 * escapes, punctuation), plus hex numbers and the arithmetic operators that size expressions
 * use. A `#` that starts a line yields one `directive` token holding the whole logical line,
 * for the preprocessor.
 */
import { syntaxError, type SourceLocation } from './diagnostics.js';

export type TokenKind = 'ident' | 'number' | 'string' | 'punct' | 'directive' | 'eof';

export interface Token {
  kind: TokenKind;
  /** Identifier or punctuation text; a string's contents; a directive's line after `#`. */
  text: string;
  loc: SourceLocation;
  /** Numbers only. */
  value?: bigint;
}

const PUNCT = new Set(['{', '}', '(', ')', '[', ']', '*', '.', ',', ';', '=', '+', '-', '/', '%']);

function isIdentStart(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isIdentPart(c: number): boolean {
  return isIdentStart(c) || isDigit(c);
}

function describeChar(ch: string): string {
  const cp = ch.codePointAt(0) ?? 0;
  const hex = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  return cp >= 0x20 && cp < 0x7f ? `'${ch}'` : hex;
}

/** Tokenizes one EDL source. Throws SyntaxFailure on the first invalid token. */
export function tokenize(source: string, file: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  // true while only whitespace and comments precede on the current line
  let atLineStart = true;
  const n = source.length;
  const loc = (at: number): SourceLocation => ({ file, line, col: at - lineStart + 1 });

  const newline = (at: number) => {
    line++;
    lineStart = at + 1;
  };

  // Skips a block comment that starts at `i` (on "/*"); returns the index after "*/".
  const skipBlockComment = (start: number): number => {
    const open = loc(start);
    let j = start + 2;
    while (j < n) {
      const c = source.charCodeAt(j);
      if (c === 0x2a && source.charCodeAt(j + 1) === 0x2f) return j + 2;
      if (c === 0x0a) newline(j);
      j++;
    }
    throw syntaxError(open, 'unterminated comment: "/*" has no closing "*/"', 'close the comment with */');
  };

  while (i < n) {
    const c = source.charCodeAt(i);
    if (c === 0x0a) {
      newline(i);
      atLineStart = true;
      i++;
      continue;
    }
    if (c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0b || c === 0x0c) {
      i++;
      continue;
    }
    if (c === 0x2f && source.charCodeAt(i + 1) === 0x2f) {
      while (i < n && source.charCodeAt(i) !== 0x0a) i++;
      continue;
    }
    if (c === 0x2f && source.charCodeAt(i + 1) === 0x2a) {
      i = skipBlockComment(i);
      continue;
    }
    if (c === 0x23 /* # */) {
      const at = loc(i);
      if (!atLineStart) throw syntaxError(at, "unexpected '#': preprocessor directives must start a line", 'move the directive to a line of its own');
      // one logical line: backslash-newline continues it; comments become spaces
      let text = '';
      let j = i + 1;
      while (j < n) {
        const d = source.charCodeAt(j);
        if (d === 0x0a) break;
        if (d === 0x5c /* \ */ && (source.charCodeAt(j + 1) === 0x0a || (source.charCodeAt(j + 1) === 0x0d && source.charCodeAt(j + 2) === 0x0a))) {
          j += source.charCodeAt(j + 1) === 0x0d ? 2 : 1;
          newline(j);
          j++;
          text += ' ';
          continue;
        }
        if (d === 0x2f && source.charCodeAt(j + 1) === 0x2f) {
          while (j < n && source.charCodeAt(j) !== 0x0a) j++;
          break;
        }
        if (d === 0x2f && source.charCodeAt(j + 1) === 0x2a) {
          j = skipBlockComment(j);
          text += ' ';
          continue;
        }
        text += source[j];
        j++;
      }
      tokens.push({ kind: 'directive', text: text.replace(/\r$/, ''), loc: at });
      i = j;
      continue;
    }
    atLineStart = false;
    const start = i;
    if (isIdentStart(c)) {
      i++;
      while (i < n && isIdentPart(source.charCodeAt(i))) i++;
      tokens.push({ kind: 'ident', text: source.slice(start, i), loc: loc(start) });
      continue;
    }
    if (isDigit(c)) {
      let value: bigint;
      if (c === 0x30 && (source[i + 1] === 'x' || source[i + 1] === 'X')) {
        i += 2;
        const digitsStart = i;
        while (i < n && /[0-9a-fA-F]/.test(source[i])) i++;
        if (i === digitsStart) throw syntaxError(loc(start), `invalid number "${source.slice(start, i)}": no hex digits after 0x`, 'write hex numbers as 0x1F');
        value = BigInt(`0x${source.slice(digitsStart, i)}`);
      } else {
        while (i < n && isDigit(source.charCodeAt(i))) i++;
        value = BigInt(source.slice(start, i));
      }
      // C integer suffixes (gcc -E output may carry them): accepted, no effect
      while (i < n && /[uUlL]/.test(source[i])) i++;
      if (i < n && isIdentPart(source.charCodeAt(i))) {
        let j = i;
        while (j < n && isIdentPart(source.charCodeAt(j))) j++;
        throw syntaxError(loc(start), `invalid number "${source.slice(start, j)}"`, 'numbers are decimal (123) or hex (0x7B); identifiers cannot start with a digit');
      }
      tokens.push({ kind: 'number', text: source.slice(start, i), loc: loc(start), value });
      continue;
    }
    if (c === 0x22 /* " */) {
      i++;
      while (i < n && source.charCodeAt(i) !== 0x22 && source.charCodeAt(i) !== 0x0a) i++;
      if (i >= n || source.charCodeAt(i) !== 0x22) throw syntaxError(loc(start), 'unterminated string: missing closing \'"\' on this line', 'close the string with " (EDL strings cannot span lines or contain quotes)');
      tokens.push({ kind: 'string', text: source.slice(start + 1, i), loc: loc(start) });
      i++;
      continue;
    }
    const ch = String.fromCodePoint(source.codePointAt(i) ?? c);
    if (PUNCT.has(ch)) {
      tokens.push({ kind: 'punct', text: ch, loc: loc(start) });
      i++;
      continue;
    }
    throw syntaxError(loc(start), `invalid character ${describeChar(ch)}`, 'EDL uses ASCII identifiers, numbers, "strings" and { } ( ) [ ] * , ; = + - / %');
  }
  tokens.push({ kind: 'eof', text: '', loc: loc(i) });
  return tokens;
}
