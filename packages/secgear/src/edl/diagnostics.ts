/**
 * Diagnostics of the EDL front end. Every diagnostic names `file:line:col`, says what is
 * wrong and, where there is one, how to fix it.
 */
import { ErrorCode, SecGearError, type ErrorCodeName } from '../common/errors.js';

/** A position in an EDL source: 1-based line and column (UTF-16 code units). */
export interface SourceLocation {
  file: string;
  line: number;
  col: number;
}

export type Severity = 'error' | 'warning';

/** What stage found the problem; it selects the error code. */
export type DiagnosticKind = 'syntax' | 'semantic' | 'import';

export interface Diagnostic {
  severity: Severity;
  kind: DiagnosticKind;
  loc: SourceLocation;
  message: string;
  /** How to fix it, when the front end can tell. */
  hint?: string;
}

export function formatLocation(loc: SourceLocation): string {
  return `${loc.file}:${loc.line}:${loc.col}`;
}

/** `file:line:col: error: message (fix: hint)`, the shape compilers print. */
export function formatDiagnostic(d: Diagnostic): string {
  return `${formatLocation(d.loc)}: ${d.severity}: ${d.message}${d.hint ? ` (fix: ${d.hint})` : ''}`;
}

const CODES: Record<DiagnosticKind, ErrorCodeName> = {
  syntax: ErrorCode.EDL_SYNTAX,
  semantic: ErrorCode.EDL_SEMANTIC,
  import: ErrorCode.EDL_IMPORT,
};

/** Thrown when an EDL file has errors. `diagnostics` holds every error and warning found. */
export class EdlError extends SecGearError {
  readonly diagnostics: readonly Diagnostic[];

  constructor(diagnostics: readonly Diagnostic[]) {
    const errors = diagnostics.filter((d) => d.severity === 'error');
    const first = errors[0] ?? diagnostics[0];
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more error${errors.length > 2 ? 's' : ''})` : '';
    super(first ? CODES[first.kind] : ErrorCode.EDL_SYNTAX, `${first ? formatDiagnostic(first) : 'invalid EDL'}${more}`);
    this.name = 'EdlError';
    this.diagnostics = diagnostics;
  }
}

/** Collects diagnostics; `throwIfErrors` turns any error into one EdlError. */
export class DiagnosticBag {
  readonly items: Diagnostic[] = [];

  error(kind: DiagnosticKind, loc: SourceLocation, message: string, hint?: string): void {
    this.items.push(hint ? { severity: 'error', kind, loc, message, hint } : { severity: 'error', kind, loc, message });
  }

  warn(kind: DiagnosticKind, loc: SourceLocation, message: string, hint?: string): void {
    this.items.push(hint ? { severity: 'warning', kind, loc, message, hint } : { severity: 'warning', kind, loc, message });
  }

  /** Whether an error was added after the bag held `mark` items. */
  errorsSince(mark: number): boolean {
    for (let i = mark; i < this.items.length; i++) if (this.items[i].severity === 'error') return true;
    return false;
  }

  get hasErrors(): boolean {
    return this.items.some((d) => d.severity === 'error');
  }

  get warnings(): Diagnostic[] {
    return this.items.filter((d) => d.severity === 'warning');
  }

  throwIfErrors(): void {
    if (this.hasErrors) throw new EdlError(sortDiagnostics(this.items));
  }
}

/**
 * A syntax error thrown out of the rule that found it; the parser catches it at the next
 * recovery point, records it and resynchronizes. `silent`: the spot was reported already
 * (the lexer's error token), so only the recovery is needed.
 */
export class SyntaxFailure extends Error {
  readonly diagnostic: Diagnostic;
  readonly silent: boolean;

  constructor(diagnostic: Diagnostic, silent = false) {
    // control flow, never shown with a stack: skip capturing one (garbage input throws many)
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(diagnostic.message);
    Error.stackTraceLimit = limit;
    this.diagnostic = diagnostic;
    this.silent = silent;
  }
}

export function syntaxError(loc: SourceLocation, message: string, hint?: string, kind: DiagnosticKind = 'syntax'): SyntaxFailure {
  return new SyntaxFailure(hint ? { severity: 'error', kind, loc, message, hint } : { severity: 'error', kind, loc, message });
}

/** Errors first; within each, files in the order they were reached, then by line and column. */
function sortDiagnostics(items: Diagnostic[]): Diagnostic[] {
  const fileOrder = new Map<string, number>();
  for (const d of items) if (!fileOrder.has(d.loc.file)) fileOrder.set(d.loc.file, fileOrder.size);
  return [...items].sort((a, b) => {
    if (a.severity !== b.severity) return a.severity === 'error' ? -1 : 1;
    return fileOrder.get(a.loc.file)! - fileOrder.get(b.loc.file)! || a.loc.line - b.loc.line || a.loc.col - b.loc.col;
  });
}
