/**
 * The trusted runtime. It is bundled into every enclave image (and so measured with it) and
 * talks to the backend only through the hook the backend's bootstrap installed.
 */
import { ErrorCode, SecGearError, type ErrorCodeName } from '../../common/errors.js';
import {
  LOG_LEVELS,
  RUNTIME_HOOK,
  ToEnclave,
  ToHost,
  type CallPolicy,
  type EnclaveInit,
  type HostMessage,
  type LogLevel,
  type RuntimeHook,
  type WireError,
} from '../../common/protocol.js';
import { BUILTIN_ECALLS } from '../../common/builtin-ecalls.js';
import { getEvidence } from '../evidence.js';
import { installPlatformTransport } from './platform-call.js';
import { startSwitchlessServer } from './switchless-server.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type EcallFunction = (...args: any[]) => unknown;
export type EcallTable = Record<string, EcallFunction>;

interface Pending {
  resolve(value: unknown): void;
  reject(error: unknown): void;
  /** For ocalls: the ocall's name (its allow list admits nested ecalls while it is in flight). */
  ocall?: string;
}

/** Compiled in by `secgear build` from the signed manifest (see image/bundle.ts). */
declare const __SECGEAR_CALL_POLICY__: CallPolicy | undefined;

interface RuntimeState {
  hook: RuntimeHook;
  init: EnclaveInit;
  ecalls: Map<string, EcallFunction>;
  declaredOcalls: Set<string>;
  pending: Map<number, Pending>;
  nextId: number;
  logLevel: number;
  policy: CallPolicy;
}

let state: RuntimeState | null = null;

function hook(): RuntimeHook | undefined {
  return (globalThis as Record<symbol, RuntimeHook | undefined>)[RUNTIME_HOOK];
}

/** Turns anything thrown by trusted code into what may cross the boundary. */
export function toWireError(error: unknown, debug: boolean): WireError {
  const code = (error as { code?: unknown })?.code;
  const wire: WireError = {
    code: typeof code === 'string' && code.startsWith('CC_ERROR_') ? (code as ErrorCodeName) : ErrorCode.ENCLAVE_EXCEPTION,
    message: error instanceof Error ? error.message : String(error),
  };
  if (debug && error instanceof Error && error.stack) wire.stack = error.stack;
  return wire;
}

function fromWireError(wire: WireError): SecGearError {
  return new SecGearError(wire.code, wire.message);
}

function requireState(what: string): RuntimeState {
  if (!state) throw new SecGearError(ErrorCode.NOT_SUPPORTED, `${what} is only available inside a running enclave (after defineEnclave)`);
  return state;
}

function request(kind: typeof ToHost.Ocall | typeof ToHost.Platform, name: string, args: unknown[]): Promise<unknown> {
  const s = requireState(kind === ToHost.Ocall ? `ocall ${name}` : `platform ${name}`);
  const id = s.nextId++;
  return new Promise((resolve, reject) => {
    s.pending.set(id, kind === ToHost.Ocall ? { resolve, reject, ocall: name } : { resolve, reject });
    s.hook.send([kind, id, name, args]);
  });
}

/**
 * Ecalls the runtime itself serves for every enclave (after secGear's cc_get_ra_report).
 * The host picks only the nonce: report data is the trusted code's to bind, never the host's.
 */
const builtinEcalls = new Map<string, EcallFunction>([
  [BUILTIN_ECALLS.evidence, (nonce?: Uint8Array) => getEvidence(nonce === undefined ? {} : { nonce })],
]);

/**
 * Why the manifest forbids this call, or null. Private ecalls run only from an ocall of this
 * enclave that is still in flight and allows them; an ecall made from an ocall must be in its
 * allow list; names the manifest does not declare are never served.
 */
function refusal(s: RuntimeState, name: string, parentOcall: unknown): WireError | null {
  const declared = Object.hasOwn(s.policy.ecalls, name);
  if (!declared && !builtinEcalls.has(name)) return { code: ErrorCode.ECALL_NOT_FOUND, message: `the enclave declares no ecall "${name}"` };
  if (parentOcall === undefined) {
    return declared && !s.policy.ecalls[name]
      ? { code: ErrorCode.ECALL_NOT_ALLOWED, message: `ecall "${name}" is private: only callable from an ocall that allows it` }
      : null;
  }
  const ocall = typeof parentOcall === 'number' ? s.pending.get(parentOcall)?.ocall : undefined;
  if (ocall === undefined) return { code: ErrorCode.ECALL_NOT_ALLOWED, message: `ecall "${name}" names no ocall of this enclave in flight` };
  const allow = Object.hasOwn(s.policy.allow, ocall) ? s.policy.allow[ocall] : [];
  return allow.includes(name) ? null : { code: ErrorCode.ECALL_NOT_ALLOWED, message: `ecall "${name}" may not be made while serving ocall "${ocall}"` };
}

async function handleCall(s: RuntimeState, id: number, name: string, args: unknown[], parentOcall: unknown): Promise<void> {
  const refused = refusal(s, name, parentOcall);
  const fn = refused ? undefined : (s.ecalls.get(name) ?? builtinEcalls.get(name));
  if (!fn) {
    s.hook.send([ToHost.Result, id, false, refused ?? { code: ErrorCode.ECALL_NOT_FOUND, message: `the enclave has no ecall "${name}"` }]);
    return;
  }
  try {
    const result = fn(...(Array.isArray(args) ? args : []));
    // a synchronous ecall answers in this turn: awaiting a plain value costs a microtask hop
    const value = isThenable(result) ? await result : result;
    s.hook.send([ToHost.Result, id, true, value]);
  } catch (error) {
    s.hook.send([ToHost.Result, id, false, toWireError(error, s.init.identity.debug)]);
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

function onMessage(s: RuntimeState, message: HostMessage): void {
  switch (message[0]) {
    case ToEnclave.Call:
      void handleCall(s, message[1], message[2], message[3], message[4]);
      return;
    case ToEnclave.OcallResult:
    case ToEnclave.PlatformResult: {
      const pending = s.pending.get(message[1]);
      if (!pending) return;
      s.pending.delete(message[1]);
      if (message[2]) pending.resolve(message[3]);
      else pending.reject(fromWireError(message[3] as WireError));
      return;
    }
  }
}

export interface EnclaveDefinition<E extends EcallTable> {
  ecalls: E;
}

/**
 * Declares the enclave's ecalls. Call once, at the top level of the enclave entry module.
 * Outside an enclave (unit tests of trusted code) it only returns the definition.
 */
export function defineEnclave<E extends EcallTable>(definition: EnclaveDefinition<E>): EnclaveDefinition<E> {
  const h = hook();
  if (!h) return definition;
  if (state) throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'defineEnclave() may be called only once per enclave');
  const ecalls = new Map<string, EcallFunction>();
  for (const [name, fn] of Object.entries(definition.ecalls)) {
    if (typeof fn !== 'function') throw new SecGearError(ErrorCode.BAD_PARAMETERS, `ecall "${name}" is not a function`);
    ecalls.set(name, fn);
  }
  const s: RuntimeState = {
    hook: h,
    init: h.init,
    ecalls,
    declaredOcalls: new Set(h.init.ocalls),
    pending: new Map(),
    nextId: 1,
    logLevel: LOG_LEVELS.indexOf(h.init.logLevel),
    policy: typeof __SECGEAR_CALL_POLICY__ === 'object' && __SECGEAR_CALL_POLICY__ !== null ? __SECGEAR_CALL_POLICY__ : h.init.callPolicy,
  };
  state = s;
  installPlatformTransport((op, args) => request(ToHost.Platform, op, args));
  h.onMessage((m) => onMessage(s, m));
  if (h.init.switchless) {
    const debug = h.init.identity.debug;
    startSwitchlessServer(h.init.switchless, {
      // private ecalls never run from the ring: it carries no ocall context
      functions: h.init.switchless.functions.map((name) =>
        refusal(s, name, undefined) === null ? (ecalls.get(name) as ((...args: unknown[]) => unknown) | undefined) : undefined,
      ),
      toWireError: (error) => toWireError(error, debug),
      sendResult: (callId, ok, value) => h.send([ToHost.Result, callId, ok, value]),
    });
  }
  h.send([ToHost.Ready, [...ecalls.keys()]]);
  return definition;
}

/** Makes a declared ocall. Undeclared names are refused here and again by the host. */
export function callOcall(name: string, args: unknown[]): Promise<unknown> {
  const s = requireState(`ocall ${name}`);
  if (!s.declaredOcalls.has(name)) {
    return Promise.reject(new SecGearError(ErrorCode.OCALL_NOT_ALLOWED, `ocall "${name}" is not declared in the enclave manifest; add it to "ocalls" and rebuild`));
  }
  return request(ToHost.Ocall, name, args);
}

/** The enclave's own identity, as the backend verified it from the signed image. */
export function currentInit(): EnclaveInit {
  return requireState('identity()').init;
}

/** Sends a log line to the host when its level passes the enclave's filter. */
export function sendLog(level: LogLevel, message: string): void {
  const s = state;
  if (!s) return;
  if (LOG_LEVELS.indexOf(level) > s.logLevel) return;
  s.hook.send([ToHost.Log, level, message]);
}
