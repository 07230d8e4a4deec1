import type { PlatformOptions } from '../common/platform.js';
import type { LogLevel } from '../common/protocol.js';

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
  /** Host polls for the enclave to take a task before falling back to a normal call. Default 20000. */
  retriesBeforeFallback?: number;
  /** Enclave idle polls before it sleeps (`wakeup` policy). Default 20000. */
  retriesBeforeSleep?: number;
  /** `busy`: the enclave thread never sleeps (lowest latency, one core always busy); `wakeup` (default): it sleeps when idle. */
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
