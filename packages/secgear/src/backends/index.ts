import { ErrorCode, SecGearError } from '../common/errors.js';
import { createCvmBackend } from './cvm/index.js';
import { createGramineSgxBackend } from './gramine-sgx/index.js';
import { processBackend } from './process/index.js';
import { simBackend } from './sim/index.js';
import type { Backend } from './types.js';

const backends = new Map<string, Backend>();

/** Registers a backend plug-in (one line per backend below). */
export function registerBackend(backend: Backend): void {
  backends.set(backend.name, backend);
}

registerBackend(simBackend);
registerBackend(processBackend);
registerBackend(createGramineSgxBackend());
registerBackend(createCvmBackend());

export function listBackends(): Backend[] {
  return [...backends.values()];
}

/**
 * Resolves a backend `type`: a name, or `auto` for the strongest backend available here.
 */
export async function resolveBackend(type: string): Promise<Backend> {
  if (type === 'auto') {
    const all = [...backends.values()];
    const availability = await Promise.all(all.map(async (b) => (await b.available()).ok));
    const usable = all.filter((_, i) => availability[i]).sort((a, b) => b.strength - a.strength);
    if (usable.length === 0) throw new SecGearError(ErrorCode.NOT_SUPPORTED, 'no enclave backend is available on this machine');
    return usable[0];
  }
  const backend = backends.get(type);
  if (!backend) {
    throw new SecGearError(ErrorCode.NOT_SUPPORTED, `unknown enclave type "${type}"; use one of: auto, ${[...backends.keys()].join(', ')}`);
  }
  const availability = await backend.available();
  if (!availability.ok) throw new SecGearError(ErrorCode.NOT_SUPPORTED, `backend "${type}" cannot run here: ${availability.reason}`);
  return backend;
}

export type { Availability, Backend, BackendStartParams, EnclaveTransport } from './types.js';
export { createGramineSgxBackend, type GramineSgxBackendOptions, type GramineLaunchParams } from './gramine-sgx/index.js';
export { createCvmBackend, type CvmBackendOptions } from './cvm/index.js';
