/**
 * Call-table plumbing for generated EDL code (`secgear/edl-runtime`): checking an
 * implementation, filling in the standard library's defaults, and finding a function in the
 * other side's table.
 */
import { ErrorCode, SecGearError } from '../../common/errors.js';

/** Every function the EDL declares must be implemented. */
export function $implements(impl: unknown, names: readonly string[], what: string): void {
  for (const n of names) {
    if (typeof (impl as Record<string, unknown> | null)?.[n] !== 'function') {
      throw new SecGearError(ErrorCode.BAD_PARAMETERS, `${what}: the implementation has no function "${n}"; implement every function the EDL declares`);
    }
  }
}

export function $withDefaults<T extends object, D extends object>(user: T, defaults: D): T & D {
  // the user's functions win; the standard library fills the rest (methods keep their this)
  return new Proxy(user, { get: (t, name, r) => Reflect.get(t, name, r) ?? Reflect.get(defaults, name) }) as T & D;
}

/** A call with per-call options, through the enclave's `call` method (`Enclave.call`). */
export function $call<O>(target: { call?(name: string, args: unknown[], options?: O): Promise<unknown> }, name: string, args: unknown[], options: O): Promise<unknown> {
  if (typeof target.call !== 'function') throw new SecGearError(ErrorCode.NOT_SUPPORTED, `ecall ${name}: this enclave object takes no per-call options (it has no call method)`);
  return target.call(name, args, options);
}

/** The function `name` of the other side's table, or CC_ERROR_ECALL_NOT_FOUND / CC_ERROR_OCALL_NOT_ALLOWED. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function $fn(table: { readonly [name: string]: ((...args: any[]) => Promise<unknown>) | undefined }, name: string, what: 'ecall' | 'ocall'): (...args: unknown[]) => Promise<unknown> {
  const f = table[name];
  if (typeof f !== 'function') {
    const code = what === 'ecall' ? ErrorCode.ECALL_NOT_FOUND : ErrorCode.OCALL_NOT_ALLOWED;
    throw new SecGearError(code, `${what} "${name}" is not available; was the image built from this EDL?`);
  }
  return f;
}
