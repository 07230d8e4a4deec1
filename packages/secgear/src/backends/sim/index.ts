import { Worker } from 'node:worker_threads';
import { createSimulatedPlatform } from '../sim-platform/index.js';
import { MEMORY_LIMIT_EXIT_CODE } from '../confinement/memory-guard.js';
import type { Backend, BackendStartParams, EnclaveTransport } from '../types.js';

/** The embedded default: each enclave in its own V8 isolate (a worker thread), confined by allow-list. */
export const simBackend: Backend = {
  name: 'sim',
  isolation:
    'simulation: separate V8 isolate in the host process (worker thread); enclave code runs in a hardened compartment (ses lockdown) that sees only allow-listed globals and built-in facades (no files, env, network, processes, signals, inspector, addons or workers); heap limit, and heap + ArrayBuffer + Wasm memory limit checked whenever the enclave yields or sends; platform secrets stay in the host thread; no hardware protection, the host can read enclave memory',
  strength: 10,
  supportsSwitchless: true,
  available: () => ({ ok: true }),
  createPlatform: createSimulatedPlatform,
  async start({ image, init, heapLimitMb, memoryLimitMb }: BackendStartParams): Promise<EnclaveTransport> {
    const worker = new Worker(new URL('./worker-bootstrap.js', import.meta.url), {
      workerData: { init, bundle: image.bundle, memoryLimitBytes: memoryLimitMb * 1024 * 1024 },
      resourceLimits: { maxOldGenerationSizeMb: heapLimitMb, maxYoungGenerationSizeMb: Math.max(4, Math.min(32, heapLimitMb / 4)) },
      env: {},
      argv: [],
      execArgv: [],
      stdin: false,
      // the worker's stdio never reaches the host's (enclave code has none; Node's own
      // warnings are shown for debug images only)
      stdout: true,
      stderr: true,
    });
    const forward = (stream: NodeJS.ReadableStream, to: NodeJS.WritableStream) =>
      stream.on('data', (chunk: Buffer) => {
        if (init.identity.debug) to.write(chunk);
      });
    forward(worker.stdout, process.stdout);
    forward(worker.stderr, process.stderr);
    let exitHandler: ((reason: string) => void) | null = null;
    let lastError: Error | null = null;
    let terminated = false;
    worker.on('error', (error) => {
      lastError = error;
    });
    worker.on('exit', (code) => {
      if (terminated) return;
      const outOfHeap = (lastError as { code?: string } | null)?.code === 'ERR_WORKER_OUT_OF_MEMORY';
      const reason =
        code === MEMORY_LIMIT_EXIT_CODE
          ? `the enclave ran out of memory (memory limit ${memoryLimitMb} MiB: heap, ArrayBuffers and Wasm)`
          : outOfHeap
            ? `the enclave ran out of memory (heap limit ${heapLimitMb} MiB)`
            : lastError
              ? `the enclave crashed: ${describeError(lastError, init.identity.debug)}`
              : `the enclave exited (code ${code})`;
      exitHandler?.(reason);
    });
    return {
      send: (message, transfer) => worker.postMessage(message, transfer),
      onMessage: (handler) => worker.on('message', (m: unknown) => handler(m)),
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

/** What of an enclave's uncaught error reaches the host: its message for debug images only. */
function describeError(error: Error, debug: boolean): string {
  if (!debug) return 'an uncaught error (its message stays inside production images; run a debug image to see it)';
  return typeof error?.message === 'string' ? error.message : 'unknown error';
}
