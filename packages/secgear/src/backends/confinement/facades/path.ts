/**
 * `path` and the path helpers of `url` for enclave code. Node resolves relative paths against
 * the process's working directory, which is the host's: `path.resolve('x')` would tell enclave
 * code where the host runs. Enclave code has no files, so its working directory is `/`.
 * Only POSIX semantics are granted (`win32` also reads the host's cwd and drive state).
 */
import type * as PathModule from 'node:path';
import type * as UrlModule from 'node:url';

const ENCLAVE_CWD = '/';

const POSIX_MEMBERS = ['basename', 'delimiter', 'dirname', 'extname', 'format', 'isAbsolute', 'join', 'normalize', 'parse', 'sep', 'toNamespacedPath'] as const;

export function makePathFacade(real: typeof PathModule): Record<string, unknown> {
  const posix = real.posix;
  const facade: Record<string, unknown> = {};
  for (const name of POSIX_MEMBERS) facade[name] = posix[name];
  // a leading absolute segment stops resolve() before it reaches process.cwd()
  const resolve = (...segments: string[]): string => posix.resolve(ENCLAVE_CWD, ...segments.map(String));
  facade.resolve = resolve;
  facade.relative = (from: string, to: string): string => posix.relative(resolve(from), resolve(to));
  facade.posix = facade;
  return facade;
}

/** `url` members that resolve file paths, given the enclave's own `resolve`. */
export function wrapUrlPathHelpers(picked: Record<string, unknown>, real: typeof UrlModule, resolve: (...segments: string[]) => string): Record<string, unknown> {
  const out = { ...picked };
  if ('pathToFileURL' in picked) {
    out.pathToFileURL = (path: string, options?: unknown) => Reflect.apply(real.pathToFileURL, undefined, [resolve(path), options]);
  }
  return out;
}
