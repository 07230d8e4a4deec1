/**
 * The `require` of enclave code: granted built-ins only (common/builtin-policy.ts), each built
 * once per enclave as a hardened facade; anything else throws ERR_ACCESS_DENIED.
 */
import type * as StreamModule from 'node:stream';
import type * as TlsModule from 'node:tls';
import type * as PathModule from 'node:path';
import type * as UrlModule from 'node:url';
import { BUILTIN_GRANTS, type BuiltinGrant } from '../../common/builtin-policy.js';
import { hardenTamed } from './harden-tamed.js';
import { makeTlsFacade } from './facades/tls.js';
import { makePathFacade, wrapUrlPathHelpers } from './facades/path.js';
import type { TimerFacade } from './facades/timers.js';

export type RealRequire = (id: string) => unknown;

/** What facade builders may use: the isolate's real modules and the enclave's timer facade. */
export interface FacadeContext {
  realRequire: RealRequire;
  timers: TimerFacade;
}

/** Wraps the picked members of a module whose grant names a facade. */
export type FacadeBuilder = (picked: Record<string, unknown>, context: FacadeContext) => Record<string, unknown>;

const silentDebuglog = () => {
  const log = () => undefined;
  Object.defineProperty(log, 'enabled', { value: false });
  return log;
};

/**
 * Node calls the callbacks of its asynchronous crypto and zlib functions with its internal job
 * or stream object as `this` (a native handle, or an object holding one); enclave callbacks
 * get no receiver.
 */
function withoutReceiver(picked: Record<string, unknown>, names: readonly string[]): Record<string, unknown> {
  const out = { ...picked };
  for (const name of names) {
    const real = picked[name];
    if (typeof real !== 'function') continue;
    out[name] = function (this: unknown, ...args: unknown[]) {
      const last = args.length - 1;
      const callback = args[last];
      if (typeof callback === 'function') args[last] = (...results: unknown[]) => Reflect.apply(callback, undefined, results);
      return Reflect.apply(real, undefined, args);
    };
    Object.defineProperty(out[name], 'name', { value: name });
  }
  return out;
}

const ASYNC_CRYPTO = ['randomBytes', 'randomFill', 'randomInt', 'pbkdf2', 'scrypt', 'hkdf', 'generateKeyPair', 'generateKey', 'generatePrime', 'checkPrime', 'sign', 'verify'];
const ASYNC_ZLIB = ['deflate', 'gzip', 'deflateRaw', 'unzip', 'inflate', 'gunzip', 'inflateRaw', 'brotliCompress', 'brotliDecompress'];

const FACADE_BUILDERS: ReadonlyMap<string, FacadeBuilder> = new Map<string, FacadeBuilder>([
  ['crypto', (picked) => withoutReceiver(picked, ASYNC_CRYPTO)],
  ['zlib', (picked) => withoutReceiver(picked, ASYNC_ZLIB)],
  ['util', (picked) => ({ ...picked, deprecate: (fn: unknown) => fn, debuglog: silentDebuglog, debug: silentDebuglog })],
  ['timers', (picked, { timers }) => ({ ...picked, ...timers })],
  ['path', (_picked, { realRequire }) => makePathFacade(realRequire('node:path') as typeof PathModule)],
  [
    'url',
    (picked, { realRequire }) => {
      const path = makePathFacade(realRequire('node:path') as typeof PathModule);
      return wrapUrlPathHelpers(picked, realRequire('node:url') as typeof UrlModule, path.resolve as (...s: string[]) => string);
    },
  ],
  [
    'tls',
    (picked, { realRequire }) => {
      const facade = makeTlsFacade(
        realRequire('node:tls') as typeof TlsModule,
        realRequire('node:stream') as typeof StreamModule,
        realRequire('node:net') as { Socket: abstract new (...args: never[]) => unknown },
      );
      return Object.fromEntries(Object.keys(picked).map((name) => [name, facade[name]]));
    },
  ],
]);

export function accessDenied(what: string): Error {
  const error = new Error(`enclave code may not use ${what}: it reaches outside the enclave; declare an ocall and let the host do it`) as Error & { code: string };
  error.code = 'ERR_ACCESS_DENIED';
  return error;
}

function buildFacade(name: string, grant: BuiltinGrant, context: FacadeContext): unknown {
  const real = context.realRequire(`node:${name}`) as Record<string, unknown>;
  if (!grant.members) return real;
  const picked: Record<string, unknown> = {};
  for (const member of grant.members) if (member in real) picked[member] = real[member];
  if (!grant.facade) return picked;
  const builder = FACADE_BUILDERS.get(grant.facade);
  if (!builder) throw new Error(`no facade builder "${grant.facade}" for the built-in "${name}"`);
  return builder(picked, context);
}

/** The enclave's `require`. Facades are built on first use (hardening costs a few ms each). */
export function makeEnclaveRequire(context: FacadeContext): (id: string) => unknown {
  const cache = new Map<string, unknown>();
  return function require(id: string): unknown {
    const text = String(id);
    const name = text.startsWith('node:') ? text.slice(5) : text;
    const cached = cache.get(name);
    if (cached !== undefined) return cached;
    const grant = Object.hasOwn(BUILTIN_GRANTS, name) ? BUILTIN_GRANTS[name] : undefined;
    if (!grant) throw accessDenied(`"${text}"`);
    const facade = hardenTamed(buildFacade(name, grant, context));
    cache.set(name, facade);
    return facade;
  };
}
