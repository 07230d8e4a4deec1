/**
 * What the CLI prints back of its input and of file-system errors: never raw binary, never an
 * argument of unbounded length, and for every errno the path and what to do about it.
 */

const MAX_ECHO = 64;

/** Control characters (other than newline and tab) as \xNN, so binary input cannot reach the terminal as is. */
function escapeControls(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** A value to quote in a message: control characters escaped, at most 64 characters of it. */
export function echo(value: string): string {
  const safe = escapeControls(value);
  return safe.length > MAX_ECHO ? `${safe.slice(0, MAX_ECHO / 2)}… (${value.length} characters)` : safe;
}

/**
 * Makes a whole message safe to print: control characters escaped, and every quoted stretch
 * ('…' or "…") longer than 64 characters shortened (commander quotes the arguments it refuses).
 */
export function safeMessage(message: string): string {
  const shortened = message.replace(/(['"])([^'"\n]{65,})\1/g, (_, q: string, inner: string) => `${q}${inner.slice(0, MAX_ECHO / 2)}…${q} (${inner.length} characters)`);
  return escapeControls(shortened);
}

import { readFileSync } from 'node:fs';
import { ErrorCode, SecGearError } from '../common/errors.js';
import { describeFsError } from '../common/fs-errors.js';

export { describeFsError };

/** Reads a file the user named; a failure says which file, why, and what to do (exit 1). */
export function readInputFile(path: string, what: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (error) {
    throw new SecGearError(ErrorCode.BAD_PARAMETERS, `cannot read the ${what}: ${describeFsError(error as NodeJS.ErrnoException, path)}`);
  }
}
