/**
 * Node built-ins enclave code may import: pure computation only. Anything that reaches the
 * host's files, processes, threads or network is refused, at build time by `secgear build` and
 * at run time by the backends' import guard; ask the host through an ocall instead.
 */
export const ALLOWED_BUILTINS: ReadonlySet<string> = new Set([
  'assert', 'assert/strict', 'buffer', 'crypto', 'events', 'string_decoder', 'util', 'url', 'path', 'path/posix',
  'querystring', 'punycode', 'timers', 'timers/promises', 'perf_hooks', 'zlib', 'stream', 'stream/promises', 'stream/web',
]);
