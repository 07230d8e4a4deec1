import { randomFillSync } from 'node:crypto';
import { ErrorCode, SecGearError } from '../common/errors.js';
import type { LogLevel } from '../common/protocol.js';
import { callOcall, currentInit, sendLog } from './runtime/runtime.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyFunction = (...args: any[]) => any;

/** Ocall proxies typed after the host's implementations: each returns a Promise of its result. */
export type OcallProxies<T> = { [K in keyof T]: T[K] extends AnyFunction ? (...args: Parameters<T[K]>) => Promise<Awaited<ReturnType<T[K]>>> : never };

const proxyCache = new Map<string, (...args: unknown[]) => Promise<unknown>>();

/**
 * Declared ocalls, by name: `await ocall.print('hi')`. Undeclared names reject with
 * CC_ERROR_OCALL_NOT_ALLOWED. For typed proxies use `useOcalls<HostOcalls>()`.
 */
export const ocall: Record<string, (...args: unknown[]) => Promise<unknown>> = new Proxy(
  {},
  {
    get(_target, name) {
      if (typeof name !== 'string') return undefined;
      let fn = proxyCache.get(name);
      if (!fn) {
        fn = (...args: unknown[]) => callOcall(name, args);
        proxyCache.set(name, fn);
      }
      return fn;
    },
  },
);

/** The same proxies as `ocall`, typed by the host's ocall table type. */
export function useOcalls<T>(): OcallProxies<T> {
  return ocall as unknown as OcallProxies<T>;
}

/** `n` cryptographically strong random bytes (from the platform's CSPRNG). */
export function random(n: number): Uint8Array {
  if (!Number.isInteger(n) || n < 0 || n > 1 << 20) throw new SecGearError(ErrorCode.BAD_PARAMETERS, `random(n): n must be an integer from 0 to 1048576, got ${n}`);
  return randomFillSync(new Uint8Array(n));
}

/** Who this enclave is, as the backend verified it from the signed image. */
export interface Identity {
  measurement: Uint8Array;
  signer: Uint8Array;
  prodId: number;
  svn: number;
  debug: boolean;
  name: string;
}

export function identity(): Identity {
  const init = currentInit();
  const id = init.identity;
  return { measurement: new Uint8Array(id.measurement), signer: new Uint8Array(id.signer), prodId: id.prodId, svn: id.svn, debug: id.debug, name: init.name };
}

function format(args: unknown[]): string {
  return args.map((a) => (typeof a === 'string' ? a : a instanceof Error ? a.message : safeJson(a))).join(' ');
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v instanceof Uint8Array ? `<${v.byteLength} bytes>` : v)) ?? String(value);
  } catch {
    return String(value);
  }
}

const at = (level: LogLevel) => (...args: unknown[]) => sendLog(level, format(args));

/**
 * Logging routed to the host through a built-in ocall (like secGear's PrintInfo). Lines below
 * the host's `logLevel` are dropped inside the enclave, before they cross.
 * Byte arrays print as their length only, so a key passed by mistake is not logged.
 */
export const log = { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') };
