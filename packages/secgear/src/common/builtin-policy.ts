/**
 * What enclave code may import and which globals it sees: an allow-list, as data. The sim and
 * process backends build each granted module as a facade (a new object holding only the listed
 * members, every reachable object hardened) inside the enclave's own isolate; `secgear build`
 * refuses imports of anything else. To grant a module, add one entry here (and, when its members
 * need wrapping rather than hardening, a facade builder in backends/confinement/facades).
 * Anything that reaches the host's files, processes, threads, signals, debugger or network
 * stays out: ask the host through an ocall instead.
 */

/** How one built-in module is granted. */
export interface BuiltinGrant {
  /**
   * The members enclave code sees. Absent: the module's own value is granted whole (for
   * modules like `events` or `stream` whose export is itself a class and that hold nothing
   * host-reaching).
   */
  readonly members?: readonly string[];
  /** A facade builder (backends/confinement/facades) for members that must be wrapped. */
  readonly facade?: string;
}

const CRYPTO_MEMBERS = [
  'checkPrime', 'checkPrimeSync', 'createCipheriv', 'createDecipheriv', 'createDiffieHellman', 'createDiffieHellmanGroup',
  'createECDH', 'createHash', 'createHmac', 'createPrivateKey', 'createPublicKey', 'createSecretKey', 'createSign',
  'createVerify', 'diffieHellman', 'generatePrime', 'generatePrimeSync', 'getCiphers', 'getCipherInfo', 'getCurves',
  'getDiffieHellman', 'getHashes', 'hkdf', 'hkdfSync', 'pbkdf2', 'pbkdf2Sync', 'generateKeyPair', 'generateKeyPairSync',
  'generateKey', 'generateKeySync', 'privateDecrypt', 'privateEncrypt', 'publicDecrypt', 'publicEncrypt', 'randomBytes',
  'randomFill', 'randomFillSync', 'randomInt', 'randomUUID', 'scrypt', 'scryptSync', 'sign', 'timingSafeEqual', 'verify',
  'hash', 'getFips', 'Certificate', 'Cipher', 'Cipheriv', 'Decipher', 'Decipheriv', 'DiffieHellman', 'DiffieHellmanGroup',
  'ECDH', 'Hash', 'Hmac', 'KeyObject', 'Sign', 'Verify', 'X509Certificate', 'constants', 'webcrypto', 'subtle', 'getRandomValues',
  // not granted: setEngine (loads a shared object), setFips, secureHeapUsed
] as const;

const UTIL_MEMBERS = [
  'callbackify', 'format', 'formatWithOptions', 'inherits', 'inspect', 'isDeepStrictEqual', 'promisify',
  'stripVTControlCharacters', 'toUSVString', 'types', 'TextDecoder', 'TextEncoder', 'MIMEType', 'MIMEParams', 'parseArgs',
  'aborted',
  // wrapped by the `util` facade: deprecate (no warnings on the host's stderr), debuglog/debug (silent)
  'deprecate', 'debuglog', 'debug',
  // not granted: parseEnv, getSystemErrorMap, _errnoException, log (writes to stdout), transferableAbort*
] as const;

/** Built-in modules enclave code may import, by name without `node:`. */
export const BUILTIN_GRANTS: Readonly<Record<string, BuiltinGrant>> = {
  assert: {},
  'assert/strict': {},
  buffer: { members: ['Buffer', 'transcode', 'isUtf8', 'isAscii', 'kMaxLength', 'kStringMaxLength', 'btoa', 'atob', 'constants'] },
  crypto: { members: CRYPTO_MEMBERS, facade: 'crypto' },
  events: {},
  string_decoder: {},
  util: { members: UTIL_MEMBERS, facade: 'util' },
  // path helpers resolve against `/`, never the host's working directory (facades/path.ts)
  url: { members: ['URL', 'URLSearchParams', 'domainToASCII', 'domainToUnicode', 'parse', 'format', 'resolve', 'fileURLToPath', 'pathToFileURL'], facade: 'url' },
  path: { members: ['basename', 'delimiter', 'dirname', 'extname', 'format', 'isAbsolute', 'join', 'normalize', 'parse', 'sep', 'toNamespacedPath', 'resolve', 'relative', 'posix'], facade: 'path' },
  'path/posix': { members: ['basename', 'delimiter', 'dirname', 'extname', 'format', 'isAbsolute', 'join', 'normalize', 'parse', 'sep', 'toNamespacedPath', 'resolve', 'relative', 'posix'], facade: 'path' },
  querystring: {},
  punycode: {},
  timers: { members: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'clearImmediate'], facade: 'timers' },
  'timers/promises': {},
  perf_hooks: { members: ['performance', 'PerformanceObserver', 'PerformanceEntry'] },
  // one-shot functions only: zlib's stream objects carry their native handle as `_handle`
  zlib: {
    members: [
      'crc32', 'constants', 'codes', 'deflate', 'deflateSync', 'gzip', 'gzipSync', 'deflateRaw', 'deflateRawSync', 'unzip', 'unzipSync',
      'inflate', 'inflateSync', 'gunzip', 'gunzipSync', 'inflateRaw', 'inflateRawSync', 'brotliCompress', 'brotliCompressSync',
      'brotliDecompress', 'brotliDecompressSync',
    ],
    facade: 'zlib',
  },
  stream: {},
  'stream/promises': {},
  'stream/web': {
    members: [
      'ReadableStream', 'ReadableStreamDefaultReader', 'ReadableStreamBYOBReader', 'ReadableStreamBYOBRequest', 'ReadableByteStreamController',
      'ReadableStreamDefaultController', 'TransformStream', 'TransformStreamDefaultController', 'WritableStream', 'WritableStreamDefaultWriter',
      'WritableStreamDefaultController', 'ByteLengthQueuingStrategy', 'CountQueuingStrategy', 'TextEncoderStream', 'TextDecoderStream',
      // not granted: CompressionStream, DecompressionStream (zlib streams inside)
    ],
  },
  // TLS over a stream the enclave feeds (RA-TLS): new TLSSocket(duplex, options) and secure
  // contexts only; no connect/createServer, no engines, no raw handles
  tls: { members: ['TLSSocket', 'createSecureContext', 'checkServerIdentity', 'getCiphers', 'rootCertificates', 'DEFAULT_MIN_VERSION', 'DEFAULT_MAX_VERSION', 'DEFAULT_ECDH_CURVE'], facade: 'tls' },
};

/** Names of the granted built-ins (what `secgear build` lets enclave code import). */
export const ALLOWED_BUILTINS: ReadonlySet<string> = new Set(Object.keys(BUILTIN_GRANTS));

/**
 * Globals taken from the enclave isolate's own realm (hardened) in addition to the JavaScript
 * intrinsics every compartment has. `process`, `console`, timers and `require` are facades
 * built by the confinement code; nothing else of Node's global object is visible.
 */
export const GLOBAL_GRANTS: readonly string[] = [
  'Float32Array', 'Float64Array', 'SharedArrayBuffer', 'Atomics', 'WeakRef', 'FinalizationRegistry', 'Intl',
  'Date', 'Math', 'Buffer', 'URL', 'URLSearchParams', 'TextEncoder', 'TextDecoder', 'atob', 'btoa', 'structuredClone',
  'queueMicrotask', 'AbortController', 'AbortSignal', 'Event', 'EventTarget', 'DOMException', 'crypto', 'CryptoKey',
  'SubtleCrypto', 'performance', 'ReadableStream', 'WritableStream', 'TransformStream',
];

/**
 * Members removed from granted objects inside the enclave isolate before they are hardened
 * (they reach state shared with other threads of the host process).
 */
export const STRIPPED_MEMBERS: ReadonlyArray<readonly [global: string, member: string]> = [
  ['URL', 'createObjectURL'],
  ['URL', 'revokeObjectURL'],
];
