import type { PlatformOptions } from '../common/platform.js';
import type { LogLevel } from '../common/protocol.js';
import type { BackendRegistry } from '../backends/registry.js';
import type { BuiltinOcallRegistry } from './builtin-ocalls.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type OcallImplementation = (...args: any[]) => unknown;

/** Switchless settings, after secGear's `cc_sl_config_t`. */
export interface SwitchlessOptions {
  /**
   * Enclave-side switchless workers. A JavaScript enclave has one thread, which serves the
   * ring between turns of its event loop, so values above 1 are accepted and behave as 1.
   */
  workers?: number;
  /** Ring slots (switchless calls in flight at once). Default: the manifest's poolSize. */
  poolSize?: number;
  /**
   * Polls (one ≈ an x86 `pause`) the enclave may take to start a task before it is withdrawn
   * and the call goes the normal way. The host spins only as long as spinning pays (adaptive),
   * then sleeps on the slot's futex for the rest of this time. Default 20000.
   */
  retriesBeforeFallback?: number;
  /**
   * `wakeup` policy: idle polls the enclave thread spins for the next task before it sleeps on
   * the futex. While the host sees contention (more runnable threads than cores) it sleeps at
   * once instead. Default 20000.
   */
  retriesBeforeSleep?: number;
  /**
   * `wakeup` (default): the enclave thread sleeps when idle and adapts to a busy machine.
   * `busy`: it never sleeps: lowest latency only with a core to spare for it; on a busy machine
   * it takes CPU from everything else. See docs/switchless.md.
   */
  policy?: 'busy' | 'wakeup';
  /** When every slot is taken: true (default) makes a normal call instead, false fails with CC_ERROR_SWITCHLESS_TASK_POOL_FULL. */
  rollbackToCommon?: boolean;
}

/**
 * The host's ocall implementations: an object whose members are functions, typed by an
 * interface of your own (`const ocalls: HostOcalls = { ... }`). createEnclave checks that every
 * ocall the image declares is a function here.
 */
export type OcallTable = Readonly<Record<string, OcallImplementation>> | object;

export interface CreateEnclaveOptions {
  /** `sim` (default), `process`, `gramine-sgx`, `cvm`, a registered plug-in, or `auto` for the strongest backend available here. */
  type?: 'auto' | 'sim' | 'process' | 'gramine-sgx' | 'cvm' | (string & {});
  /** Required to start a debug image. */
  debug?: boolean;
  /** The host's ocall implementations, by declared name. */
  ocalls?: OcallTable;
  /** Switchless calls: settings, or false to send every call the normal way. */
  switchless?: SwitchlessOptions | false;
  /** Default time limit of each ecall in milliseconds (0 or undefined: none). */
  timeoutMs?: number;
  /** How long creation may take, including the enclave's start-up code. Default 30000. */
  startTimeoutMs?: number;
  /** Enclave log lines below this level are dropped inside the enclave. Default `info`. */
  logLevel?: LogLevel;
  /** Where enclave log lines go. Default: stderr, prefixed with the enclave name. */
  onLog?: (level: LogLevel, message: string) => void;
  /**
   * Settings for the chosen backend's platform, validated by that backend: sim and process take
   * `{ stateDir }` (where per-machine simulation secrets live); gramine-sgx takes `{ gramineDir,
   * expectMrEnclave }`. See each backend's README.
   */
  platform?: PlatformOptions;
  /** The backends `type` is looked up in. Default: `defaultBackends` (sim, process and any registered with registerBackend). */
  backends?: BackendRegistry;
  /** Runtime-implemented ocalls an image may declare without `ocalls` having them. Default: `defaultBuiltinOcalls`. */
  builtinOcalls?: BuiltinOcallRegistry;
  /** Refuse the image unless it has this measurement / signer (hex or bytes). */
  expect?: { measurement?: string | Uint8Array; signer?: string | Uint8Array };
}

/** Per-call options: `enclave.call(name, args, { timeoutMs, signal })`. */
export interface CallOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
  /**
   * ArrayBuffers (of the arguments) to move into the enclave instead of copying them: after
   * the call starts they are detached on the host side. Honoured by the sim backend; others
   * copy. For large inputs the host no longer needs.
   */
  transfer?: ArrayBuffer[];
}

export const SWITCHLESS_DEFAULTS = {
  workers: 1,
  retriesBeforeFallback: 20_000,
  retriesBeforeSleep: 20_000,
  policy: 'wakeup',
  rollbackToCommon: true,
} as const;
