/**
 * Runs a verified enclave bundle confined by allow-list, inside the enclave's own isolate (the
 * sim worker or the process child; never the host's main realm). `ses` lockdown() freezes the
 * isolate's intrinsics, then the bundle runs in a Compartment whose global object holds only
 * what common/builtin-policy.ts grants: JavaScript's intrinsics, a few hardened web globals,
 * facades of `process`, `console` and timers, and a `require` of granted built-in facades.
 * Everything else of Node (process bindings, env, signals, inspector, fs, net, workers,
 * addons) is not reachable from inside. The trusted runtime, bundled with the enclave code,
 * talks to the backend through the hook object installed on the compartment's global.
 */
import { restoreNativeFreeze } from './spec-freeze.js'; // first: `ses` must capture its freeze
import 'ses';
import type * as V8Module from 'node:v8';
import type * as UtilModule from 'node:util';
import type * as VmModule from 'node:vm';
import { ALLOWED_BUILTINS, GLOBAL_GRANTS, STRIPPED_MEMBERS } from '../../common/builtin-policy.js';
import { LOG_LEVELS, RUNTIME_HOOK, ToHost, type EnclaveInit, type EnclaveMessage, type HostMessage, type LogLevel } from '../../common/protocol.js';
import { hardenTamed } from './harden-tamed.js';
import { hideNodeSymbols } from './hidden-symbols.js';
import { makeTimerFacade } from './facades/timers.js';
import { makeConsoleFacade, makeProcessFacade } from './facades/process.js';
import { makeEnclaveRequire, type RealRequire } from './modules.js';
import { MEMORY_LIMIT_EXIT_CODE, startMemoryGuard } from './memory-guard.js';

declare const lockdown: (options?: Record<string, string>) => void;
declare class Compartment {
  constructor(options?: { globals?: Record<string, unknown>; __options__: true });
  globalThis: Record<PropertyKey, unknown>;
  evaluate(source: string, options?: Record<string, boolean>): unknown;
}

/** Longest log line an enclave sends (the host enforces its own limit too). */
const MAX_LOG_LINE = 8192;

export interface ConfineParams {
  bundle: Uint8Array;
  init: EnclaveInit;
  /** Heap plus external memory the enclave may use, in bytes. */
  memoryLimitBytes: number;
  /** The backend's transport, captured before any enclave code runs. */
  send(message: EnclaveMessage): void;
  onMessage(handler: (message: HostMessage) => void): void;
  /** Ends the enclave's isolate with an exit code. */
  exit(code: number): never;
}

/** Locks the isolate down and runs the bundle in its compartment. Call once, first thing. */
export function runConfined(params: ConfineParams): void {
  restoreNativeFreeze();
  const processObject = globalThis.process;
  const realRequire: RealRequire = (id) => (processObject as unknown as { getBuiltinModule(id: string): unknown }).getBuiltinModule(id);
  const v8 = realRequire('node:v8') as typeof V8Module;
  const collectGarbage = exposeGarbageCollector(v8, realRequire('node:vm') as typeof VmModule);
  const util = realRequire('node:util') as typeof UtilModule;
  // granted modules load now, while the intrinsics can still be changed by their start-up code
  for (const name of ALLOWED_BUILTINS) realRequire(`node:${name}`);
  realRequire('node:net');
  const realTimers = { setTimeout, clearTimeout, setInterval, clearInterval, setImmediate, clearImmediate };
  const { hrtime, uptime, nextTick, memoryUsage } = processObject;
  const exit = params.exit;
  const debug = params.init.identity.debug;
  const realGlobals = new Map(GLOBAL_GRANTS.filter((name) => name in globalThis).map((name) => [name, (globalThis as Record<string, unknown>)[name]]));
  for (const [owner, member] of STRIPPED_MEMBERS) {
    const target = realGlobals.get(owner) as Record<string, unknown> | undefined;
    if (target) delete target[member];
  }

  const { enclaveSymbol } = hideNodeSymbols();
  lockdown({
    errorTaming: debug ? 'unsafe' : 'safe',
    stackFiltering: 'verbose',
    overrideTaming: 'min',
    consoleTaming: 'unsafe',
    domainTaming: 'unsafe',
    evalTaming: 'safeEval',
    // uncaught errors end the isolate the Node way (the host reports CC_ERROR_ENCLAVE_LOST)
    errorTrapping: 'none',
    unhandledRejectionTrapping: 'none',
  });

  const guard = startMemoryGuard({
    limitBytes: params.memoryLimitBytes,
    heapStatistics: () => v8.getHeapStatistics(),
    arrayBufferBytes: () => memoryUsage().arrayBuffers,
    now: () => performance.now(),
    setInterval: (fn, ms) => realTimers.setInterval(fn, ms),
    collectGarbage,
    exceeded: () => exit(MEMORY_LIMIT_EXIT_CODE),
  });
  const send = (message: EnclaveMessage) => {
    guard.checkSoon();
    params.send(message);
  };
  const logLevel = LOG_LEVELS.indexOf(params.init.logLevel);
  const writeLog = (level: LogLevel, line: string) => {
    if (LOG_LEVELS.indexOf(level) <= logLevel) send([ToHost.Log, level, line.length > MAX_LOG_LINE ? `${line.slice(0, MAX_LOG_LINE)}…` : line]);
  };

  const timers = hardenTamed(makeTimerFacade(realTimers));
  const globals: Record<string, unknown> = {};
  for (const [name, value] of realGlobals) globals[name] = hardenTamed(value);
  Object.assign(globals, timers);
  globals.Symbol = hardenTamed(enclaveSymbol);
  globals.process = hardenTamed(
    makeProcessFacade({
      nextTick: (callback) => nextTick(callback),
      hrtime,
      uptime: () => uptime(),
      exit: (code) => exit(code === MEMORY_LIMIT_EXIT_CODE ? 1 : code),
      platform: processObject.platform,
      arch: processObject.arch,
      version: processObject.version,
      versions: processObject.versions,
    }),
  );
  globals.console = hardenTamed(makeConsoleFacade(writeLog, (...args) => util.format(...args)));
  const require = hardenTamed(makeEnclaveRequire({ realRequire, timers }));
  const compartment = new Compartment({ globals, __options__: true });
  Object.defineProperty(compartment.globalThis, 'global', { value: compartment.globalThis, writable: true, configurable: true });
  const hook = hardenTamed({
    init: params.init,
    send,
    onMessage: (handler: (message: HostMessage) => void) => {
      if (typeof handler !== 'function') throw new TypeError('onMessage(handler): handler must be a function');
      params.onMessage((message) => Reflect.apply(handler, undefined, [message]));
    },
  });
  Object.defineProperty(compartment.globalThis, RUNTIME_HOOK, { value: hook, writable: false, configurable: false, enumerable: false });
  // Granted globals are constants: enclave code cannot replace them, and ses resolves constant
  // globals as local bindings (any other global lookup goes through its scope proxy, ~25x slower)
  for (const key of Reflect.ownKeys(compartment.globalThis)) {
    const d = Object.getOwnPropertyDescriptor(compartment.globalThis, key);
    if (d && 'value' in d && (d.writable || d.configurable)) Object.defineProperty(compartment.globalThis, key, { writable: false, configurable: false });
  }

  const source = new TextDecoder().decode(params.bundle);
  const evaluate = compartment.evaluate(`(function (require, module, exports) {${source}\n})`, {
    __evadeHtmlCommentTest__: true,
    __evadeImportExpressionTest__: true,
    __rejectSomeDirectEvalExpressions__: false,
  }) as (require: unknown, module: unknown, exports: unknown) => void;
  const module = { exports: {} };
  Reflect.apply(evaluate, module.exports, [require, module, module.exports]);
}

/** V8's gc() for the memory guard, without leaving --expose-gc on for anyone else. */
function exposeGarbageCollector(v8: typeof V8Module, vm: typeof VmModule): (() => void) | null {
  try {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as unknown;
    return typeof gc === 'function' ? () => (gc as () => void)() : null;
  } catch {
    return null;
  } finally {
    v8.setFlagsFromString('--no-expose-gc');
  }
}
