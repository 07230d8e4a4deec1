import { ErrorCode, SecGearError } from '../common/errors.js';
import type { OcallImplementation } from './options.js';

/**
 * Ocalls the runtime implements itself (the standard ocalls of the EDL library, for example).
 * An image may declare them without the host passing an implementation; a host implementation
 * of the same name takes precedence. `createEnclave` uses `defaultBuiltinOcalls` unless
 * `options.builtinOcalls` names another registry.
 */
export class BuiltinOcallRegistry {
  readonly #ocalls = new Map<string, OcallImplementation>();

  /** Adds an implementation; returns a function that removes this registration again. */
  register(name: string, implementation: OcallImplementation): () => void {
    if (typeof name !== 'string' || name === '' || typeof implementation !== 'function') {
      throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'a built-in ocall needs a non-empty name and a function');
    }
    this.#ocalls.set(name, implementation);
    return () => {
      if (this.#ocalls.get(name) === implementation) this.#ocalls.delete(name);
    };
  }

  unregister(name: string): boolean {
    return this.#ocalls.delete(name);
  }

  has(name: string): boolean {
    return this.#ocalls.has(name);
  }

  get(name: string): OcallImplementation | undefined {
    return this.#ocalls.get(name);
  }

  names(): string[] {
    return [...this.#ocalls.keys()];
  }
}

export const defaultBuiltinOcalls = new BuiltinOcallRegistry();

/** Registers in the default registry; returns the function that unregisters it. */
export function registerBuiltinOcall(name: string, implementation: OcallImplementation): () => void {
  return defaultBuiltinOcalls.register(name, implementation);
}

export function unregisterBuiltinOcall(name: string): boolean {
  return defaultBuiltinOcalls.unregister(name);
}
