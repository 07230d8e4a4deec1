import { Worker } from 'node:worker_threads';
import { createSimulatedPlatform } from '../sim-platform/index.js';
import type { EnclaveMessage } from '../../common/protocol.js';
import type { Backend, BackendStartParams, EnclaveTransport } from '../types.js';

/** The embedded default: each enclave in its own V8 isolate (a worker thread) with a heap limit. */
export const simBackend: Backend = {
  name: 'sim',
  isolation:
    'simulation: separate V8 isolate and heap in the host process (worker thread), heap-limited, host-reaching built-ins (files, network, processes, addons, signals) blocked at import; not a boundary against hostile code and no hardware protection, the host can read enclave memory',
  strength: 10,
  supportsSwitchless: true,
  available: () => ({ ok: true }),
  createPlatform: createSimulatedPlatform,
  async start({ image, init, heapLimitMb }: BackendStartParams): Promise<EnclaveTransport> {
    const worker = new Worker(new URL('./worker-bootstrap.js', import.meta.url), {
      workerData: { init, bundle: image.bundle },
      resourceLimits: { maxOldGenerationSizeMb: heapLimitMb, maxYoungGenerationSizeMb: Math.max(4, Math.min(32, heapLimitMb / 4)) },
      env: {},
      argv: [],
      execArgv: [],
      stdin: false,
    });
    let exitHandler: ((reason: string) => void) | null = null;
    let lastError: Error | null = null;
    let terminated = false;
    worker.on('error', (error) => {
      lastError = error;
    });
    worker.on('exit', (code) => {
      if (terminated) return;
      const reason = lastError
        ? (lastError as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? `the enclave ran out of memory (heap limit ${heapLimitMb} MiB)`
          : `the enclave crashed: ${lastError.message}`
        : `the enclave exited (code ${code})`;
      exitHandler?.(reason);
    });
    return {
      send: (message, transfer) => worker.postMessage(message, transfer),
      onMessage: (handler) => worker.on('message', (m: EnclaveMessage) => handler(m)),
      onExit: (handler) => {
        exitHandler = handler;
      },
      async terminate() {
        if (terminated) return;
        terminated = true;
        await worker.terminate();
      },
    };
  },
};
