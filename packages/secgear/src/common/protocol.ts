/**
 * Messages between the host and the trusted runtime. Arrays, not objects: they are the hot
 * path and structured clone copies arrays of primitives fastest. Binary arguments travel as
 * Uint8Array/ArrayBuffer inside `args` and are copied once by the structured clone.
 */
import type { EnclaveIdentity } from './platform.js';
import type { ErrorCodeName } from './errors.js';

export const ToEnclave = { Call: 1, OcallResult: 2, PlatformResult: 3 } as const;
export const ToHost = { Result: 1, Ocall: 2, Platform: 3, Log: 4, Ready: 5, Fatal: 6 } as const;

/** An error as it crosses the boundary. `stack` only leaves debug enclaves. */
export interface WireError {
  code: ErrorCodeName;
  message: string;
  stack?: string;
}

export type HostMessage =
  /** `parentOcall`: the id of the enclave's ocall this ecall is made from (EDL allow(...)). */
  | [typeof ToEnclave.Call, id: number, name: string, args: unknown[], parentOcall?: number]
  | [typeof ToEnclave.OcallResult, id: number, ok: boolean, value: unknown]
  | [typeof ToEnclave.PlatformResult, id: number, ok: boolean, value: unknown];

export type EnclaveMessage =
  | [typeof ToHost.Result, id: number, ok: boolean, value: unknown]
  | [typeof ToHost.Ocall, id: number, name: string, args: unknown[]]
  | [typeof ToHost.Platform, id: number, op: string, args: unknown[]]
  | [typeof ToHost.Log, level: LogLevel, message: string]
  | [typeof ToHost.Ready, ecalls: string[]]
  | [typeof ToHost.Fatal, message: string];

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
export const LOG_LEVELS: readonly LogLevel[] = ['error', 'warn', 'info', 'debug'];

/**
 * Who may call what, from the signed manifest: compiled into the bundle by `secgear build`
 * (so it is measured with the code) and enforced by the trusted runtime, whatever the host
 * library does.
 */
export interface CallPolicy {
  /** Declared ecalls; `false` marks a private one (callable only from an ocall that allows it). */
  ecalls: Record<string, boolean>;
  /** Per declared ocall, the ecalls the host may make while serving it. */
  allow: Record<string, string[]>;
}

/** What the trusted runtime learns at start-up, before the bundle runs. */
export interface EnclaveInit {
  identity: EnclaveIdentity;
  name: string;
  ecalls: Array<{ name: string; switchless: boolean }>;
  ocalls: string[];
  /** The manifest's call policy as the host read it; the runtime prefers the copy compiled into its bundle. */
  callPolicy: CallPolicy;
  logLevel: LogLevel;
  switchless: SwitchlessInit | null;
}

export interface SwitchlessInit {
  /** Shared ring memory (see common/switchless-ring.ts). */
  buffer: SharedArrayBuffer;
  poolSize: number;
  slotBytes: number;
  policy: 'busy' | 'wakeup';
  retriesBeforeSleep: number;
  /** Switchless ecall names, by function index. */
  functions: string[];
}

/** The global through which a backend's bootstrap hands the transport to the bundled runtime. */
export const RUNTIME_HOOK = Symbol.for('secgear.enclave.hook');

export interface RuntimeHook {
  init: EnclaveInit;
  send(message: EnclaveMessage): void;
  /** The runtime registers its message handler here. */
  onMessage(handler: (message: HostMessage) => void): void;
}
