import { AsyncLocalStorage } from 'node:async_hooks';
import { EnclaveError, ErrorCode, SecGearError, type ErrorCodeName } from '../common/errors.js';
import { WIPE_AFTER_SEND, type PlatformService } from '../common/platform.js';
import { zeroize } from '../common/bytes.js';
import { ToEnclave, ToHost, type EnclaveMessage, type LogLevel, type WireError } from '../common/protocol.js';
import type { EnclaveTransport } from '../backends/types.js';
import type { EcallDeclaration, EnclaveManifest } from '../image/manifest.js';
import { BUILTIN_ECALLS } from '../common/builtin-ecalls.js';
import type { CallOptions, OcallImplementation } from './options.js';
import type { SwitchlessClient } from './switchless-client.js';
import { boundedReason, checkEnclaveMessage, MAX_LOG_LINE, printable } from './enclave-messages.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyFunction = (...args: any[]) => any;

/** Typed ecall proxies: `enclave.ecall.name(...args)` → Promise of the enclave function's result. */
export type EcallProxies<E> = {
  [K in keyof E]: E[K] extends AnyFunction ? (...args: Parameters<E[K]>) => Promise<Awaited<ReturnType<E[K]>>> : never;
};

/** What is known about a running enclave. */
export interface EnclaveInfo {
  /** The backend that runs it (`sim`, `process`, ...). */
  backend: string;
  /** What isolation the backend gives, and what it does not. */
  isolation: string;
  /** True for backends without hardware protection: their keys and evidence are simulation-grade. */
  simulated: boolean;
  name: string;
  version: string;
  measurement: Uint8Array;
  signer: Uint8Array;
  prodId: number;
  svn: number;
  debug: boolean;
  /** Whether switchless ecalls take the shared-memory path. */
  switchless: boolean;
  /** The enclave's OS process id, when it runs in a process of its own (`process` backend). */
  pid?: number;
}

interface PendingCall {
  resolve(value: unknown): void;
  reject(error: unknown): void;
  /** Counted against maxConcurrentEcalls until the enclave answers (even after a timeout). */
  counted: boolean;
  settled: boolean;
  timer?: NodeJS.Timeout;
  abort?: () => void;
  signal?: AbortSignal;
}

interface QueuedCall {
  start(): void;
  fail(error: unknown): void;
}

interface OcallContext {
  enclave: EnclaveHandle;
  ocall: string;
  /** The enclave's id of the ocall being served (the runtime checks nested ecalls against it). */
  id: number;
  allow: Set<string>;
  active: boolean;
}

const ocallContext = new AsyncLocalStorage<OcallContext>();

/** Ocalls and platform requests the host serves at once for one enclave; more are refused. */
const MAX_REQUESTS_IN_FLIGHT = 256;
const MAX_LOG_LINES_PER_SECOND = 1000;

export interface EnclaveHandleParams {
  info: EnclaveInfo;
  manifest: EnclaveManifest;
  transport: EnclaveTransport;
  platform: PlatformService;
  ocalls: Record<string, OcallImplementation>;
  switchless: SwitchlessClient | null;
  timeoutMs: number;
  onLog: (level: LogLevel, message: string) => void;
  release: () => void;
}

/** A running enclave (see `createEnclave`). */
export class EnclaveHandle<E = Record<string, AnyFunction>> implements AsyncDisposable {
  readonly info: EnclaveInfo;
  /** One function per declared ecall. */
  readonly ecall: EcallProxies<E>;

  private readonly manifest: EnclaveManifest;
  private readonly transport: EnclaveTransport;
  private readonly platform: PlatformService;
  private readonly ocalls: Record<string, OcallImplementation>;
  private readonly switchless: SwitchlessClient | null;
  private readonly switchlessIndex = new Map<string, number>();
  private readonly ecallDecls = new Map<string, EcallDeclaration>();
  private readonly ocallAllow = new Map<string, Set<string>>();
  private readonly timeoutMs: number;
  private readonly onLog: (level: LogLevel, message: string) => void;
  private readonly release: () => void;
  private readonly pending = new Map<number, PendingCall>();
  private readonly queue: QueuedCall[] = [];
  private nextId = 1;
  private ocallsInFlight = 0;
  /** Ocalls and platform requests being served for this enclave (capped: each costs the host). */
  private requestsInFlight = 0;
  private logWindow = { start: 0, lines: 0, dropped: 0 };
  private readonly counters = { normal: 0, switchless: 0, fallbacks: 0, ocalls: 0 };
  private active = 0;
  private lostReason: string | null = null;
  private destroying: Promise<void> | null = null;
  private readyResolve: ((names: string[]) => void) | null = null;
  private readyReject: ((error: unknown) => void) | null = null;

  constructor(params: EnclaveHandleParams) {
    this.info = params.info;
    this.manifest = params.manifest;
    this.transport = params.transport;
    this.platform = params.platform;
    this.ocalls = params.ocalls;
    this.switchless = params.switchless;
    this.timeoutMs = params.timeoutMs;
    this.onLog = params.onLog;
    this.release = params.release;
    const proxies: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
    for (const decl of this.manifest.ecalls) {
      this.ecallDecls.set(decl.name, decl);
      proxies[decl.name] = (...args: unknown[]) => this.call(decl.name, args);
      if (decl.switchless) this.switchlessIndex.set(decl.name, this.switchlessIndex.size);
    }
    for (const decl of this.manifest.ocalls) this.ocallAllow.set(decl.name, new Set(decl.allow ?? []));
    // names the manifest does not declare reject with CC_ERROR_ECALL_NOT_FOUND instead of
    // "is not a function"; declared ones are own properties and never reach this prototype
    Object.setPrototypeOf(
      proxies,
      new Proxy(Object.create(null) as object, {
        get: (_target, name) => (typeof name === 'string' && name !== 'then' ? (...args: unknown[]) => this.call(name, args) : undefined),
      }),
    );
    this.ecall = Object.freeze(proxies) as unknown as EcallProxies<E>;
    this.transport.onMessage((m) => this.onMessage(m));
    this.transport.onExit((reason) => this.onLost(boundedReason(reason)));
  }

  /** Call counters: normal and switchless ecalls, switchless calls that fell back, ocalls served. */
  stats(): { normal: number; switchless: number; fallbacks: number; ocalls: number } {
    return { ...this.counters };
  }

  /** Switchless ecall names by ring function index (what the enclave's server needs). */
  switchlessFunctions(): string[] {
    return [...this.switchlessIndex.keys()];
  }

  /** Resolves with the ecall names the enclave defined, once its start-up code has run. */
  waitReady(timeoutMs: number): Promise<string[]> {
    return new Promise<string[]>((resolve, reject) => {
      const timer = setTimeout(() => reject(new SecGearError(ErrorCode.TIMEOUT, `the enclave did not finish starting within ${timeoutMs} ms; does its entry call defineEnclave()?`)), timeoutMs);
      this.readyResolve = (names) => {
        clearTimeout(timer);
        resolve(names);
      };
      this.readyReject = (error) => {
        clearTimeout(timer);
        reject(error);
      };
    });
  }

  get destroyed(): boolean {
    return this.destroying !== null;
  }

  /** Why the enclave stopped on its own (crash, memory limit, protocol violation), or null while it runs. */
  get lost(): string | null {
    return this.lostReason;
  }

  /** Calls an ecall by name with per-call options. */
  call(name: string, args: unknown[], options: CallOptions = {}): Promise<unknown> {
    if (this.destroying) return Promise.reject(new SecGearError(ErrorCode.ENCLAVE_DESTROYED, `enclave ${this.info.name} was destroyed; create a new one to call "${name}"`));
    if (this.lostReason) return Promise.reject(this.lostError());
    const decl = this.ecallDecls.get(name);
    if (!decl) return Promise.reject(new SecGearError(ErrorCode.ECALL_NOT_FOUND, `enclave ${this.info.name} declares no ecall "${name}"`));
    // the async-context lookup is only needed while this enclave has ocalls being served
    const ctx = this.ocallsInFlight > 0 ? ocallContext.getStore() : undefined;
    const nested = ctx !== undefined && ctx.active && ctx.enclave === this;
    if (nested) {
      if (!ctx.allow.has(name)) {
        return Promise.reject(
          new SecGearError(ErrorCode.ECALL_NOT_ALLOWED, `ecall "${name}" may not be made while serving ocall "${ctx.ocall}"; list it in that ocall's allow (EDL allow(...))`),
        );
      }
    } else if (decl.public === false) {
      return Promise.reject(new SecGearError(ErrorCode.ECALL_NOT_ALLOWED, `ecall "${name}" is private: only callable from an ocall that allows it`));
    }
    if (decl.switchless && decl.public !== false && this.switchless) {
      let viaRing: Promise<unknown> | null;
      try {
        viaRing = this.callSwitchless(name, args);
      } catch (error) {
        return Promise.reject(error);
      }
      if (viaRing) return viaRing;
    }
    return this.callNormal(name, args, options, !nested, nested ? ctx.id : undefined);
  }

  private callSwitchless(name: string, args: unknown[]): Promise<unknown> | null {
    const client = this.switchless as SwitchlessClient;
    const id = this.nextId++;
    const outcome = client.call(this.switchlessIndex.get(name) as number, args, id);
    if (outcome.kind === 'fallback' || (outcome.kind === 'full' && this.switchlessRollback)) this.counters.fallbacks++;
    else if (outcome.kind !== 'full') this.counters.switchless++;
    switch (outcome.kind) {
      case 'done':
        return outcome.ok ? Promise.resolve(outcome.value) : Promise.reject(this.enclaveError(outcome.value as WireError));
      case 'by-message':
        return new Promise((resolve, reject) => this.pending.set(id, { resolve, reject, counted: false, settled: false }));
      case 'pending':
        return new Promise((resolve, reject) => {
          this.pending.set(id, { resolve, reject, counted: false, settled: false });
          void outcome.wait.then(() => {
            const entry = this.pending.get(id);
            if (!entry || this.lostReason || this.destroying) return;
            const done = client.collect(outcome.slot);
            if (done.kind === 'by-message') return; // the message will settle it
            this.pending.delete(id);
            if (done.kind === 'done') {
              if (done.ok) resolve(done.value);
              else reject(this.enclaveError(done.value as WireError));
            }
          });
        });
      case 'full':
        if (!this.switchlessRollback) {
          return Promise.reject(new SecGearError(ErrorCode.SWITCHLESS_TASK_POOL_FULL, `all ${client.poolSize} switchless slots are busy; raise poolSize or set rollbackToCommon`));
        }
        return null;
      case 'fallback':
        return null;
    }
  }

  /** Set by createEnclave from the switchless options. */
  switchlessRollback = true;

  private callNormal(name: string, args: unknown[], options: CallOptions, counted: boolean, parentOcall?: number): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const timeoutMs = options.timeoutMs ?? this.timeoutMs;
      let queued: QueuedCall | null = null;
      let entry: PendingCall | null = null;
      const fail = (error: unknown) => {
        if (queued) {
          const index = this.queue.indexOf(queued);
          if (index >= 0) this.queue.splice(index, 1);
          queued = null;
        }
        if (entry) entry.settled = true;
        reject(error);
      };
      const timer = timeoutMs > 0 ? setTimeout(() => fail(new SecGearError(ErrorCode.TIMEOUT, `ecall "${name}" took longer than ${timeoutMs} ms`)), timeoutMs) : undefined;
      const signal = options.signal;
      const onAbort = () => fail(new SecGearError(ErrorCode.CANCELLED, `ecall "${name}" was cancelled`, { cause: signal?.reason }));
      if (signal?.aborted) {
        clearTimeout(timer);
        reject(new SecGearError(ErrorCode.CANCELLED, `ecall "${name}" was cancelled`, { cause: signal.reason }));
        return;
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      const start = () => {
        queued = null;
        const id = this.nextId++;
        if (counted) this.active++;
        entry = {
          resolve,
          reject,
          counted,
          settled: false,
          timer,
          abort: onAbort,
          signal,
        };
        this.pending.set(id, entry);
        this.counters.normal++;
        this.transport.send(parentOcall === undefined ? [ToEnclave.Call, id, name, args] : [ToEnclave.Call, id, name, args, parentOcall], options.transfer);
        this.switchless?.notifyMessage();
      };
      if (!counted || this.active < this.manifest.maxConcurrentEcalls) start();
      else {
        queued = { start, fail };
        this.queue.push(queued);
      }
    });
  }

  private settle(id: number, ok: boolean, value: unknown): void {
    const entry = this.pending.get(id);
    if (!entry) return;
    this.pending.delete(id);
    this.finishEntry(entry);
    if (entry.settled) return; // timed out or cancelled earlier; the late answer is dropped
    entry.settled = true;
    if (ok) entry.resolve(value);
    else entry.reject(this.enclaveError(value as WireError));
  }

  private finishEntry(entry: PendingCall): void {
    clearTimeout(entry.timer);
    if (entry.abort) entry.signal?.removeEventListener('abort', entry.abort);
    if (entry.counted) {
      this.active--;
      const next = this.queue.shift();
      next?.start();
    }
  }

  private enclaveError(wire: WireError): EnclaveError {
    const code = typeof wire?.code === 'string' && wire.code.startsWith('CC_ERROR_') ? wire.code : ErrorCode.ENCLAVE_EXCEPTION;
    return new EnclaveError(code as ErrorCodeName, String(wire?.message ?? 'unknown enclave error'), this.info.debug ? wire?.stack : undefined);
  }

  /** Every message from the enclave: checked by shape first; never throws into the host. */
  private onMessage(raw: unknown): void {
    if (this.lostReason || this.destroying) return;
    const checked = checkEnclaveMessage(raw);
    if (!checked.ok) {
      this.protocolViolation(checked.violation);
      return;
    }
    try {
      this.dispatch(checked.message);
    } catch (error) {
      this.protocolViolation(`a message the host could not handle (${error instanceof Error ? error.message : 'error'})`);
    }
  }

  private protocolViolation(what: string): void {
    this.onLost(`protocol violation: the enclave sent ${boundedReason(what)}`);
    void this.transport.terminate().catch(() => undefined);
  }

  private dispatch(message: EnclaveMessage): void {
    switch (message[0]) {
      case ToHost.Result:
        this.settle(message[1], message[2], message[3]);
        return;
      case ToHost.Ocall:
      case ToHost.Platform: {
        const kind = message[0] === ToHost.Ocall ? ToEnclave.OcallResult : ToEnclave.PlatformResult;
        if (this.requestsInFlight >= MAX_REQUESTS_IN_FLIGHT) {
          this.reply(kind, message[1], false, {
            code: ErrorCode.RATE_LIMITED,
            message: `the host is already serving ${MAX_REQUESTS_IN_FLIGHT} ocalls and platform requests of this enclave; wait for some to finish`,
          } satisfies WireError);
          return;
        }
        this.requestsInFlight++;
        const served = message[0] === ToHost.Ocall ? this.serveOcall(message[1], message[2], message[3]) : this.servePlatform(message[1], message[2], message[3]);
        void served.finally(() => this.requestsInFlight--);
        return;
      }
      case ToHost.Log:
        this.log(message[1], message[2]);
        return;
      case ToHost.Ready:
        this.readyResolve?.(message[1]);
        this.readyResolve = null;
        return;
      case ToHost.Fatal:
        this.onLost(boundedReason(message[1]));
        return;
    }
  }

  /** Enclave log lines: escaped, cut, and at most MAX_LOG_LINES_PER_SECOND (the rest counted, then reported). */
  private log(level: LogLevel, line: string): void {
    const now = Date.now();
    const window = this.logWindow;
    if (now - window.start >= 1000) {
      if (window.dropped > 0) this.onLog('warn', `${window.dropped} log lines of this enclave were dropped (more than ${MAX_LOG_LINES_PER_SECOND} a second)`);
      this.logWindow = { start: now, lines: 0, dropped: 0 };
    }
    if (this.logWindow.lines >= MAX_LOG_LINES_PER_SECOND) {
      this.logWindow.dropped++;
      return;
    }
    this.logWindow.lines++;
    this.onLog(level, printable(line, MAX_LOG_LINE));
  }

  private reply(kind: typeof ToEnclave.OcallResult | typeof ToEnclave.PlatformResult, id: number, ok: boolean, value: unknown): void {
    if (this.destroying || this.lostReason) return;
    this.transport.send([kind, id, ok, value]);
    this.switchless?.notifyMessage();
  }

  private async serveOcall(id: number, name: string, args: unknown[]): Promise<void> {
    const allow = this.ocallAllow.get(name);
    const implementation = this.ocalls[name];
    if (!allow || !implementation) {
      this.reply(ToEnclave.OcallResult, id, false, { code: ErrorCode.OCALL_NOT_ALLOWED, message: `ocall "${name}" is not declared by this enclave image` } satisfies WireError);
      return;
    }
    this.counters.ocalls++;
    const context: OcallContext = { enclave: this, ocall: name, id, allow, active: true };
    this.ocallsInFlight++;
    try {
      const value = await ocallContext.run(context, () => implementation(...args));
      this.reply(ToEnclave.OcallResult, id, true, value);
    } catch (error) {
      const code = error instanceof SecGearError ? error.code : ErrorCode.OCALL_FAILED;
      this.reply(ToEnclave.OcallResult, id, false, { code, message: `ocall "${name}" failed: ${error instanceof Error ? error.message : String(error)}` } satisfies WireError);
    } finally {
      context.active = false;
      this.ocallsInFlight--;
    }
  }

  private async servePlatform(id: number, op: string, args: unknown[]): Promise<void> {
    try {
      const value = await this.platform.handle(op, args);
      this.reply(ToEnclave.PlatformResult, id, true, value);
      // the enclave has its own copy now; keep none of the secrets here
      const secrets = (value as { [WIPE_AFTER_SEND]?: Uint8Array[] } | null)?.[WIPE_AFTER_SEND];
      if (secrets) for (const secret of secrets) zeroize(secret);
    } catch (error) {
      const code = error instanceof SecGearError ? error.code : ErrorCode.GENERIC;
      this.reply(ToEnclave.PlatformResult, id, false, { code, message: error instanceof Error ? error.message : String(error) } satisfies WireError);
    }
  }

  private lostError(): SecGearError {
    return new SecGearError(ErrorCode.ENCLAVE_LOST, `enclave ${this.info.name} was lost: ${this.lostReason}; create a new enclave from the same image`);
  }

  private onLost(reason: string): void {
    if (this.lostReason || this.destroying) return;
    this.lostReason = reason;
    this.failAll(this.lostError());
    this.readyReject?.(
      new SecGearError(
        ErrorCode.ENCLAVE_LOST,
        `enclave ${this.info.name} stopped while starting (${reason}); its entry module must run to the end and call defineEnclave({ ecalls })`,
      ),
    );
    this.switchless?.close();
    this.release();
  }

  private failAll(error: SecGearError): void {
    for (const entry of this.pending.values()) {
      clearTimeout(entry.timer);
      if (entry.abort) entry.signal?.removeEventListener('abort', entry.abort);
      if (!entry.settled) {
        entry.settled = true;
        entry.reject(error);
      }
    }
    this.pending.clear();
    this.active = 0;
    for (const queued of this.queue.splice(0)) queued.fail(error);
  }

  /**
   * Remote-attestation evidence of this enclave for a verifier's `nonce` (at most 64 bytes),
   * made by the runtime inside the enclave (like secGear's cc_get_ra_report). Its report data
   * is empty: to bind a key or a message, trusted code calls `getEvidence({ nonce, reportData })`
   * in an ecall of its own, so the host can never choose what the enclave attests.
   */
  getEvidence(options: { nonce?: Uint8Array } = {}): Promise<{ mediaType: string; data: Uint8Array; aux?: Array<{ role: string; data: Uint8Array }> }> {
    if (this.destroying) return Promise.reject(new SecGearError(ErrorCode.ENCLAVE_DESTROYED, `enclave ${this.info.name} was destroyed`));
    if (this.lostReason) return Promise.reject(this.lostError());
    return this.callNormal(BUILTIN_ECALLS.evidence, options.nonce === undefined ? [] : [options.nonce], {}, true) as Promise<{ mediaType: string; data: Uint8Array; aux?: Array<{ role: string; data: Uint8Array }> }>;
  }

  /** Stops the enclave; pending calls fail with CC_ERROR_ENCLAVE_DESTROYED. Idempotent. */
  destroy(): Promise<void> {
    if (!this.destroying) {
      this.failAll(new SecGearError(ErrorCode.ENCLAVE_DESTROYED, `enclave ${this.info.name} was destroyed while the call was in flight`));
      this.readyReject?.(new SecGearError(ErrorCode.ENCLAVE_DESTROYED, 'the enclave was destroyed while starting'));
      this.switchless?.close();
      this.destroying = this.transport.terminate().finally(() => this.release());
    }
    return this.destroying;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.destroy();
  }
}
