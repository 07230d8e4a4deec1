import type { OcallImplementation } from './options.js';

/**
 * Ocalls the runtime implements itself (the standard ocalls of the EDL library, for example).
 * An image may declare them without the host passing an implementation; a host implementation
 * of the same name takes precedence.
 */
export const builtinOcalls = new Map<string, OcallImplementation>();

export function registerBuiltinOcall(name: string, implementation: OcallImplementation): void {
  builtinOcalls.set(name, implementation);
}
