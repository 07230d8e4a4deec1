/**
 * EDL lexer. Tokens as edger8r's lexer has them (identifiers, decimal numbers, strings without
 * escapes, punctuation), plus hex numbers and the arithmetic operators that size expressions
 * use. A `#` that starts a line yields one `directive` token holding the whole logical line,
 * for the preprocessor.
 *
 * With an error sink the lexer reports every bad token and goes on, leaving an `error` token
 * in its place (the parser then resynchronizes without reporting that spot a second time);
 * without one it throws at the first.
 */
import { syntaxError, type Diagnostic, type SourceLocation } from './diagnostics.js';

export type TokenKind = 'ident' | 'number' | 'string' | 'punct' | 'directive' | 'error' | 'eof';

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

/** Whether a valid token, whitespace or a comment may start at `i`. */
function isTokenStart(source: string, i: number): boolean {
  const c = source.charCodeAt(i);
  return isIdentPart(c) || c === 0x22 || c === 0x23 || c === 0x20 || (c >= 0x09 && c <= 0x0d) || PUNCT.has(source[i]);
}

function describeChar(ch: string): string {
  const cp = ch.codePointAt(0) ?? 0;
  const hex = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  return cp >= 0x20 && cp < 0x7f ? `'${ch}'` : hex;
}

/**
 * Tokenizes one EDL source. Without `report`, throws SyntaxFailure on the first invalid
 * token; with it, reports each and continues.
 */
export function tokenize(source: string, file: string, report?: (d: Diagnostic) => void): Token[] {
  const tokens: Token[] = [];
  // reports a bad token (or throws without a sink) and leaves an error token in its place;
  // no Error object is made when reporting (garbage input can hold very many bad tokens)
  const bad = (at: SourceLocation, message: string, hint: string, text: string): void => {
    if (!report) throw syntaxError(at, message, hint);
    report({ severity: 'error', kind: 'syntax', loc: at, message, hint });
    tokens.push({ kind: 'error', text, loc: at });
  };
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

  // Skips a block comment that starts at `i` (on "/*"); returns the index after "*/" (or the end).
  const skipBlockComment = (start: number): number => {
    const open = loc(start);
    let j = start + 2;
    while (j < n) {
      const c = source.charCodeAt(j);
      if (c === 0x2a && source.charCodeAt(j + 1) === 0x2f) return j + 2;
      if (c === 0x0a) newline(j);
      j++;
    }
    bad(open, 'unterminated comment: "/*" has no closing "*/"', 'close the comment with */', '/*');
    return n;
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
      if (!atLineStart) {
        bad(at, "unexpected '#': preprocessor directives must start a line", 'move the directive to a line of its own', '#');
        while (i < n && source.charCodeAt(i) !== 0x0a) i++; // the rest of the line was meant as the directive
        continue;
      }
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
      let value: bigint | null = null;
      if (c === 0x30 && (source[i + 1] === 'x' || source[i + 1] === 'X')) {
        i += 2;
        const digitsStart = i;
        while (i < n && /[0-9a-fA-F]/.test(source[i])) i++;
        if (i > digitsStart) value = BigInt(`0x${source.slice(digitsStart, i)}`);
      } else {
        while (i < n && isDigit(source.charCodeAt(i))) i++;
        value = BigInt(source.slice(start, i));
      }
      // C integer suffixes (gcc -E output may carry them): accepted, no effect
      while (i < n && /[uUlL]/.test(source[i])) i++;
      if (value === null || (i < n && isIdentPart(source.charCodeAt(i)))) {
        while (i < n && isIdentPart(source.charCodeAt(i))) i++;
        const text = source.slice(start, i);
        if (value === null) bad(loc(start), `invalid number "${text}": no hex digits after 0x`, 'write hex numbers as 0x1F', text);
        else bad(loc(start), `invalid number "${text}"`, 'numbers are decimal (123) or hex (0x7B); identifiers cannot start with a digit', text);
        continue;
      }
      tokens.push({ kind: 'number', text: source.slice(start, i), loc: loc(start), value });
      continue;
    }
    if (c === 0x22 /* " */) {
      i++;
      while (i < n && source.charCodeAt(i) !== 0x22 && source.charCodeAt(i) !== 0x0a) i++;
      if (i >= n || source.charCodeAt(i) !== 0x22) {
        bad(loc(start), 'unterminated string: missing closing \'"\' on this line', 'close the string with " (EDL strings cannot span lines or contain quotes)', source.slice(start, i));
        continue;
      }
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
    // a run of invalid characters is one error
    let j = i + ch.length;
    while (j < n && !isTokenStart(source, j)) j += String.fromCodePoint(source.codePointAt(j) ?? 0).length;
    bad(loc(start), `invalid character ${describeChar(ch)}`, 'EDL uses ASCII identifiers, numbers, "strings" and { } ( ) [ ] * , ; = + - / %', source.slice(start, j));
    i = j;
  }
  tokens.push({ kind: 'eof', text: '', loc: loc(i) });
  return tokens;
}
