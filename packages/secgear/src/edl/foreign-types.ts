/**
 * Foreign types: names EDL takes from C headers (`sgx_status_t`, `time_t`, ...). TypeScript
 * has no header to read them from, so each needs a mapping to an EDL type: a table of
 * well-known ones here and the SGX SDK's types (`sgx/`, with their real layouts), extended by
 * the caller (`foreignTypes` option, `--foreign-type`), whose mappings win.
 * A mapping is an EDL type (`uint32_t`, `struct foo`, `uint8_t[16]`), `bool`, or `handle`
 * (an opaque 64-bit value, for pointer-like typedefs).
 */
export const DEFAULT_FOREIGN_TYPES: Readonly<Record<string, string>> = {
  bool: 'bool',
  _Bool: 'bool',
  // secGear's status codes (a C enum); the SGX SDK's types are built in (sgx/index.ts)
  cc_enclave_result_t: 'uint32_t',
  // POSIX and C library typedefs (LP64 Linux)
  time_t: 'int64_t',
  ssize_t: 'int64_t',
  off_t: 'int64_t',
  off64_t: 'int64_t',
  suseconds_t: 'int64_t',
  clock_t: 'int64_t',
  intptr_t: 'int64_t',
  uintptr_t: 'uint64_t',
  ptrdiff_t: 'int64_t',
  intmax_t: 'int64_t',
  uintmax_t: 'uint64_t',
  pid_t: 'int32_t',
  uid_t: 'uint32_t',
  gid_t: 'uint32_t',
  mode_t: 'uint32_t',
  socklen_t: 'uint32_t',
  useconds_t: 'uint32_t',
  clockid_t: 'int32_t',
  key_t: 'int32_t',
  errno_t: 'int32_t',
  pthread_t: 'uint64_t',
  char16_t: 'uint16_t',
  char32_t: 'uint32_t',
  int_least8_t: 'int8_t',
  int_least16_t: 'int16_t',
  int_least32_t: 'int32_t',
  int_least64_t: 'int64_t',
  uint_least8_t: 'uint8_t',
  uint_least16_t: 'uint16_t',
  uint_least32_t: 'uint32_t',
  uint_least64_t: 'uint64_t',
};
