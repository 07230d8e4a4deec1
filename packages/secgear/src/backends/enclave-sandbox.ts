/**
 * What the sim and process backends do inside the enclave's isolate before the bundle runs.
 * - sim: an import guard (a module resolve hook, so even a computed `import('node:' + name)` is
 *   checked against the allow-list) and a lockdown of globals that reach the host (signals,
 *   addons, raw bindings, process abort, reports written to disk, fetch, broadcast channels).
 * - process: Node's permission model (files, child processes, workers, addons), the same
 *   lockdown, and the network entry points of the built-ins disabled. (Resolve hooks need a
 *   worker thread, which the permission model forbids, so the child cannot use the guard.)
 * This narrows what enclave code can touch; it is not a hardware boundary.
 */
import { ALLOWED_BUILTINS } from '../common/builtin-policy.js';

/** Source of the resolve hook module registered with `module.register()` as a data: URL. */
export const IMPORT_GUARD_SOURCE = `
const allowed = new Set(${JSON.stringify([...ALLOWED_BUILTINS])});
export async function resolve(specifier, context, next) {
  if (context.parentURL !== undefined && context.parentURL.startsWith('data:')) {
    const name = specifier.startsWith('node:') ? specifier.slice(5) : specifier;
    if (!allowed.has(name)) {
      const error = new Error('enclave code may not import "' + specifier + '": it reaches outside the enclave; declare an ocall and let the host do it');
      error.code = 'ERR_ACCESS_DENIED';
      throw error;
    }
    return { url: 'node:' + name, shortCircuit: true };
  }
  return next(specifier, context);
}
`;

export const IMPORT_GUARD_URL = `data:text/javascript,${encodeURIComponent(IMPORT_GUARD_SOURCE)}`;

/**
 * Removes host-reaching globals. `process.getBuiltinModule` (which hands out any built-in
 * without an import) keeps working for the allow-listed built-ins only. Self-contained (no
 * outside references): the process backend ships its source text to the child.
 */
export function lockdownGlobals(allowedBuiltins: readonly string[]): void {
  const deny = (what: string) =>
    function denied(): never {
      const error = new Error(`${what} is not available inside an enclave`) as Error & { code: string };
      error.code = 'ERR_ACCESS_DENIED';
      throw error;
    };
  const seal = (target: object, key: string, value: unknown) => {
    try {
      Object.defineProperty(target, key, { value, writable: false, configurable: false, enumerable: false });
    } catch {
      // already non-configurable: nothing to lock
    }
  };
  for (const key of ['kill', 'dlopen', 'binding', '_linkedBinding', 'abort', '_rawDebug', 'setSourceMapsEnabled']) {
    seal(process, key, deny(`process.${key}`));
  }
  seal(process, 'report', undefined);
  const getBuiltinModule = (process as unknown as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
  if (typeof getBuiltinModule === 'function') {
    const allowed = new Set(allowedBuiltins);
    const refuse = deny('this built-in');
    seal(process, 'getBuiltinModule', (id: string) => {
      const name = String(id).startsWith('node:') ? String(id).slice(5) : String(id);
      return allowed.has(name) ? getBuiltinModule.call(process, `node:${name}`) : refuse();
    });
  }
  for (const key of ['fetch', 'Request', 'Response', 'Headers', 'FormData', 'WebSocket', 'EventSource', 'BroadcastChannel']) {
    seal(globalThis, key, undefined);
  }
}

/**
 * Disables the network entry points of the built-in modules (for the process backend, where
 * the permission model does not cover the network): module functions that open connections or
 * servers, and the prototype methods every socket goes through. Classes stay, because the
 * child's own stdio and IPC pipes are sockets. Self-contained: shipped as source text.
 */
export function denyNetwork(require: (id: string) => Record<string, unknown>, syncBuiltinESMExports: () => void): void {
  const denied = (what: string) =>
    function denied(): never {
      const error = new Error(`${what} is not available inside an enclave: the network is the host's; use an ocall`) as Error & { code: string };
      error.code = 'ERR_ACCESS_DENIED';
      throw error;
    };
  const lock = (target: Record<string, unknown>, key: string, what: string) => {
    if (typeof target[key] === 'function') Object.defineProperty(target, key, { value: denied(what), writable: false, configurable: false });
  };
  // create the stdio streams first: they are sockets made by the internals we are about to close
  void process.stdout;
  void process.stderr;
  const functions: Record<string, string[]> = {
    net: ['connect', 'createConnection', 'createServer'],
    dgram: ['createSocket'],
    dns: ['lookup', 'lookupService', 'resolve', 'resolve4', 'resolve6', 'resolveAny', 'resolveCaa', 'resolveCname', 'resolveMx', 'resolveNaptr', 'resolveNs', 'resolvePtr', 'resolveSoa', 'resolveSrv', 'resolveTxt', 'reverse', 'Resolver'],
    http: ['request', 'get', 'createServer'],
    https: ['request', 'get', 'createServer'],
    http2: ['connect', 'createServer', 'createSecureServer'],
    tls: ['connect', 'createServer'],
  };
  for (const [name, keys] of Object.entries(functions)) {
    const module = require(`node:${name}`);
    for (const key of keys) lock(module, key, `${name}.${key}`);
    if (name === 'dns') {
      const promises = module.promises as Record<string, unknown>;
      for (const key of keys) lock(promises, key, `dns.promises.${key}`);
    }
  }
  const net = require('node:net') as { Socket: { prototype: Record<string, unknown> }; Server: { prototype: Record<string, unknown> } };
  lock(net.Socket.prototype, 'connect', 'net.Socket.connect');
  lock(net.Server.prototype, 'listen', 'net.Server.listen');
  const dgram = require('node:dgram') as { Socket: { prototype: Record<string, unknown> } };
  for (const key of ['bind', 'connect', 'send']) lock(dgram.Socket.prototype, key, `dgram.Socket.${key}`);
  syncBuiltinESMExports();
}
