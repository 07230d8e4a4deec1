import { ErrorCode, SecGearError } from '../common/errors.js';
import type { Backend } from './types.js';

/**
 * A set of backend plug-ins by name. `createEnclave` uses `defaultBackends` (sim and process)
 * unless `options.backends` names another registry, so a test or a service can add a backend
 * without every other `createEnclave` in the process seeing it.
 */
export class BackendRegistry {
  readonly #backends = new Map<string, Backend>();

  constructor(backends: Iterable<Backend> = []) {
    for (const backend of backends) this.register(backend);
  }

  /**
   * Adds a backend; the last registration for a name wins. Returns a function that removes
   * this registration again (and does nothing once another backend took the name).
   */
  register(backend: Backend): () => void {
    if (!backend || typeof backend.name !== 'string' || backend.name === '' || backend.name === 'auto' || typeof backend.start !== 'function') {
      throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'a backend plug-in needs a name (not "auto") and a start() function');
    }
    this.#backends.set(backend.name, backend);
    return () => {
      if (this.#backends.get(backend.name) === backend) this.#backends.delete(backend.name);
    };
  }

  /** Removes the backend called `name`; true when there was one. */
  unregister(name: string): boolean {
    return this.#backends.delete(name);
  }

  has(name: string): boolean {
    return this.#backends.has(name);
  }

  list(): Backend[] {
    return [...this.#backends.values()];
  }

  /** Resolves a `type`: a name, or `auto` for the strongest backend available here. */
  async resolve(type: string): Promise<Backend> {
    if (type === 'auto') {
      const all = this.list();
      const availability = await Promise.all(all.map(async (b) => (await b.available()).ok));
      const usable = all.filter((_, i) => availability[i]).sort((a, b) => b.strength - a.strength);
      if (usable.length === 0) throw new SecGearError(ErrorCode.NOT_SUPPORTED, 'no enclave backend is available on this machine');
      return usable[0];
    }
    const backend = this.#backends.get(type);
    if (!backend) {
      throw new SecGearError(ErrorCode.NOT_SUPPORTED, `unknown enclave type "${type}"; use one of: auto, ${[...this.#backends.keys()].join(', ')}`);
    }
    const availability = await backend.available();
    if (!availability.ok) throw new SecGearError(ErrorCode.NOT_SUPPORTED, `backend "${type}" cannot run here: ${availability.reason}`);
    return backend;
  }
}
