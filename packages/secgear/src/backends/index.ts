import { createCvmBackend } from './cvm/index.js';
import { createGramineSgxBackend } from './gramine-sgx/index.js';
import { processBackend } from './process/index.js';
import { BackendRegistry } from './registry.js';
import { simBackend } from './sim/index.js';
import type { Backend } from './types.js';

/** The built-in backends, one line each; `new BackendRegistry(builtInBackends)` starts from them. */
export const builtInBackends: readonly Backend[] = Object.freeze([simBackend, processBackend, createGramineSgxBackend(), createCvmBackend()]);

/** The registry `createEnclave` uses when not given one. */
export const defaultBackends = new BackendRegistry(builtInBackends);

/** Registers a backend plug-in in the default registry; returns the function that unregisters it. */
export function registerBackend(backend: Backend): () => void {
  return defaultBackends.register(backend);
}

/** Removes a backend from the default registry. */
export function unregisterBackend(name: string): boolean {
  return defaultBackends.unregister(name);
}

export function listBackends(): Backend[] {
  return defaultBackends.list();
}

/** Resolves a backend `type` in the default registry: a name, or `auto` for the strongest available here. */
export function resolveBackend(type: string): Promise<Backend> {
  return defaultBackends.resolve(type);
}

export { BackendRegistry } from './registry.js';
export type { Availability, Backend, BackendStartParams, EnclaveTransport } from './types.js';
export { createGramineSgxBackend, type GramineSgxBackendOptions, type GramineLaunchParams } from './gramine-sgx/index.js';
export { createCvmBackend, type CvmBackendOptions } from './cvm/index.js';
