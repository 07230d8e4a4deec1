/**
 * File-system errors as one line a user can act on: what failed, on which path, and what to do
 * (the CLI and the loaders use it instead of Node's bare "EISDIR: illegal operation ...").
 */

/** The path with control characters escaped and at most 200 characters of it. */
function printablePath(path: string): string {
  // eslint-disable-next-line no-control-regex
  const safe = path.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return safe.length > 200 ? `${safe.slice(0, 100)}…` : safe;
}

const ERRNO_ADVICE: Record<string, (path: string) => string> = {
  ENOENT: (p) => `${p} does not exist; check the path`,
  EISDIR: (p) => `${p} is a directory; pass a file`,
  ENOTDIR: (p) => `a part of ${p} is not a directory; check the path`,
  EACCES: (p) => `permission denied for ${p}; check its permissions or run as a user who may read it`,
  EPERM: (p) => `operation not permitted on ${p}; check its permissions`,
  EEXIST: (p) => `${p} already exists; remove it or choose another path`,
  ENOSPC: (p) => `no space left on the device holding ${p}; free some space`,
  EROFS: (p) => `${p} is on a read-only file system; choose a writable path`,
  EMFILE: (p) => `too many open files while opening ${p}; close other programs or raise the limit (ulimit -n)`,
  ENAMETOOLONG: (p) => `the path ${p} is too long`,
  ELOOP: (p) => `${p} is a loop of symbolic links; check the path`,
};

/** A file-system error as one line: what failed, on which path, and what to do. */
export function describeFsError(error: NodeJS.ErrnoException, fallbackPath?: string): string {
  const path = printablePath(String(error.path ?? fallbackPath ?? 'the file'));
  const code = error.code ?? 'EIO';
  const advice = ERRNO_ADVICE[code];
  const action = error.syscall ? `${error.syscall} failed` : 'file access failed';
  return advice ? `${advice(path)} (${code})` : `${action} on ${path}: ${code}`;
}
