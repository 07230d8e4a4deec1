/**
 * TLS for enclave code (RA-TLS servers and clients): `new TLSSocket(duplex, options)` over a
 * stream the enclave feeds (bytes it exchanges with the host through ecalls/ocalls), and
 * `createSecureContext(options)`. Nothing else of `node:tls`: no connect/createServer, no
 * sockets. Node's own TLSSocket is a net.Socket whose prototype can connect, whose handle is
 * native, and whose secure context can load OpenSSL engines; enclave code never holds one. It
 * gets a Duplex that forwards bytes to a hidden real socket, and an opaque context handle.
 */
import type * as TlsModule from 'node:tls';
import type * as StreamModule from 'node:stream';

type Options = Record<string, unknown>;

/** Secure-context options enclave code may pass (no engines, no key-log or trace output). */
const CONTEXT_OPTIONS = new Set([
  'ca', 'cert', 'key', 'passphrase', 'pfx', 'ciphers', 'ecdhCurve', 'sigalgs', 'minVersion', 'maxVersion', 'honorCipherOrder',
  'dhparam', 'crl', 'secureOptions', 'sessionIdContext', 'ticketKeys', 'sessionTimeout',
]);

/** Socket options on top of the context ones. Callbacks are wrapped so they never see Node's socket. */
const SOCKET_OPTIONS = new Set([
  'isServer', 'secureContext', 'requestCert', 'rejectUnauthorized', 'ALPNProtocols', 'SNICallback', 'session', 'servername',
  'pskCallback', 'pskIdentityHint', 'requestOCSP', 'checkServerIdentity', 'highWaterMark',
]);

function refuse(what: string): never {
  const error = new Error(`${what} is not available inside an enclave`) as Error & { code: string };
  error.code = 'ERR_ACCESS_DENIED';
  throw error;
}

function checkOptions(options: unknown, allowed: ReadonlySet<string>, what: string): Options {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null) throw new TypeError(`${what} options must be an object`);
  const copy: Options = {};
  for (const key of Object.keys(options)) {
    if (!allowed.has(key)) refuse(`the TLS option "${key}"`);
    copy[key] = (options as Options)[key];
  }
  return copy;
}

export function makeTlsFacade(tls: typeof TlsModule, stream: typeof StreamModule, net: { Socket: abstract new (...args: never[]) => unknown }): Record<string, unknown> {
  const contexts = new WeakMap<object, TlsModule.SecureContext>();

  /** An opaque secure context: only createSecureContext makes one, only TLSSocket reads it. */
  class SecureContextHandle {
    constructor(token: symbol) {
      if (token !== made) refuse('constructing a SecureContext');
    }
  }
  const made = Symbol('secure context');

  function createSecureContext(options?: unknown): SecureContextHandle {
    const real = tls.createSecureContext(checkOptions(options, CONTEXT_OPTIONS, 'createSecureContext') as TlsModule.SecureContextOptions);
    const handle = new SecureContextHandle(made);
    contexts.set(handle, real);
    return handle;
  }

  function realContext(handle: unknown): TlsModule.SecureContext {
    const real = typeof handle === 'object' && handle !== null ? contexts.get(handle) : undefined;
    if (!real) throw new TypeError('secureContext must come from tls.createSecureContext()');
    return real;
  }

  class TLSSocket extends stream.Duplex {
    readonly #socket: TlsModule.TLSSocket;
    readonly encrypted = true;

    constructor(transport: unknown, options?: unknown) {
      if (!(transport instanceof stream.Duplex) || transport instanceof net.Socket) {
        throw new TypeError('new TLSSocket(transport, options): transport must be a stream.Duplex the enclave feeds (sockets are the host\'s)');
      }
      const opts = checkOptions(options, new Set([...CONTEXT_OPTIONS, ...SOCKET_OPTIONS]), 'TLSSocket');
      super({ allowHalfOpen: true, ...(typeof opts.highWaterMark === 'number' ? { highWaterMark: opts.highWaterMark } : {}) });
      const self = this;
      if (opts.secureContext !== undefined) opts.secureContext = realContext(opts.secureContext);
      const sni = opts.SNICallback;
      if (sni !== undefined) {
        if (typeof sni !== 'function') throw new TypeError('SNICallback must be a function');
        opts.SNICallback = (servername: string, done: (error: Error | null, context?: TlsModule.SecureContext) => void) =>
          Reflect.apply(sni, undefined, [servername, (error: Error | null, context?: unknown) => done(error, context === undefined ? undefined : realContext(context))]);
      }
      const psk = opts.pskCallback;
      if (psk !== undefined) {
        if (typeof psk !== 'function') throw new TypeError('pskCallback must be a function');
        // the server form receives the socket first: hand over this wrapper, never Node's socket
        opts.pskCallback = (...args: unknown[]) => Reflect.apply(psk, undefined, opts.isServer ? [self, args[1]] : [args[0]]);
      }
      const identity = opts.checkServerIdentity;
      if (identity !== undefined) {
        if (typeof identity !== 'function') throw new TypeError('checkServerIdentity must be a function');
        opts.checkServerIdentity = (host: string, cert: unknown) => Reflect.apply(identity, undefined, [host, cert]);
      }
      const socket = new tls.TLSSocket(transport as never, opts as TlsModule.TLSSocketOptions);
      this.#socket = socket;
      socket.on('data', (chunk: Buffer) => {
        if (!this.push(chunk)) socket.pause();
      });
      socket.on('end', () => this.push(null));
      socket.on('error', (error: Error) => this.destroy(error));
      socket.on('close', () => this.destroy());
      for (const event of ['secure', 'secureConnect', 'session', 'keylog', 'OCSPResponse']) {
        socket.on(event, (...args: unknown[]) => this.emit(event, ...args.filter((a) => a !== socket)));
      }
    }

    override _read(): void {
      this.#socket.resume();
    }
    override _write(chunk: Buffer, encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
      this.#socket.write(chunk, encoding, callback);
    }
    override _final(callback: (error?: Error | null) => void): void {
      this.#socket.end(callback);
    }
    override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
      this.#socket.destroy(error ?? undefined);
      callback(error);
    }

    get authorized(): boolean {
      return this.#socket.authorized;
    }
    get authorizationError(): Error | undefined {
      return this.#socket.authorizationError;
    }
    get alpnProtocol(): string | false | null {
      return this.#socket.alpnProtocol ?? null;
    }
    get servername(): string | false | null {
      return (this.#socket as unknown as { servername?: string | false }).servername ?? null;
    }
    getPeerCertificate(detailed?: boolean): object {
      return this.#socket.getPeerCertificate(detailed === true);
    }
    getCertificate(): object | null {
      return this.#socket.getCertificate();
    }
    getPeerX509Certificate(): unknown {
      return this.#socket.getPeerX509Certificate();
    }
    getX509Certificate(): unknown {
      return this.#socket.getX509Certificate();
    }
    getProtocol(): string | null {
      return this.#socket.getProtocol();
    }
    getCipher(): object {
      return this.#socket.getCipher();
    }
    getEphemeralKeyInfo(): object | null {
      return this.#socket.getEphemeralKeyInfo();
    }
    getSharedSigalgs(): string[] {
      return this.#socket.getSharedSigalgs();
    }
    getFinished(): Buffer | undefined {
      return this.#socket.getFinished();
    }
    getPeerFinished(): Buffer | undefined {
      return this.#socket.getPeerFinished();
    }
    getSession(): Buffer | undefined {
      return this.#socket.getSession();
    }
    getTLSTicket(): Buffer | undefined {
      return this.#socket.getTLSTicket();
    }
    isSessionReused(): boolean {
      return this.#socket.isSessionReused();
    }
    exportKeyingMaterial(length: number, label: string, context?: Buffer): Buffer {
      return this.#socket.exportKeyingMaterial(length, label, context as Buffer);
    }
    setMaxSendFragment(size: number): boolean {
      return this.#socket.setMaxSendFragment(size);
    }
    disableRenegotiation(): void {
      this.#socket.disableRenegotiation();
    }
  }

  return {
    TLSSocket,
    createSecureContext,
    checkServerIdentity: (host: string, cert: TlsModule.PeerCertificate) => tls.checkServerIdentity(host, cert),
    getCiphers: () => tls.getCiphers(),
    rootCertificates: tls.rootCertificates,
    DEFAULT_MIN_VERSION: tls.DEFAULT_MIN_VERSION,
    DEFAULT_MAX_VERSION: tls.DEFAULT_MAX_VERSION,
    DEFAULT_ECDH_CURVE: tls.DEFAULT_ECDH_CURVE,
  };
}
