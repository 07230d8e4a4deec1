import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { createSimulatedPlatform } from '../sim-platform/index.js';
import { MEMORY_LIMIT_EXIT_CODE } from '../confinement/memory-guard.js';
import type { Backend, BackendStartParams, EnclaveTransport } from '../types.js';
import { startRssWatchdog } from './rss-watchdog.js';

const permissionFlag = process.allowedNodeEnvironmentFlags.has('--permission') ? '--permission' : '--experimental-permission';

/**
 * The child's `-e` program: it can read no file, so it waits for the bootstrap script (the
 * confinement and `ses`, bundled by bundleBootstrap) and the enclave over the IPC channel.
 */
const LOADER = `
process.on('disconnect', () => process.exit(0));
process.once('message', (first) => {
  require('node:vm').runInThisContext(first.bootstrap, { filename: 'secgear-enclave-bootstrap.js' });
  const start = globalThis.secgearEnclaveBootstrap.start;
  delete globalThis.secgearEnclaveBootstrap;
  start(first);
});
`;

let bootstrapSource: Promise<string> | null = null;
/** The child bootstrap and everything it imports as one script, built once per host process. */
function bundleBootstrap(): Promise<string> {
  bootstrapSource ??= build({
    entryPoints: [fileURLToPath(new URL('./child-bootstrap.js', import.meta.url))],
    bundle: true,
    write: false,
    format: 'iife',
    globalName: 'secgearEnclaveBootstrap',
    platform: 'node',
    target: 'node20',
    logLevel: 'silent',
    legalComments: 'none',
  }).then((result) => result.outputFiles[0].text);
  return bootstrapSource;
}

/**
 * Each enclave in its own OS process under Node's permission model (it may read no file, write
 * none, spawn nothing, start no worker, load no addon), confined inside by the same allow-list
 * as `sim`, with a watchdog on its resident memory.
 */
export const processBackend: Backend = {
  name: 'process',
  isolation:
    "simulation: separate OS process under Node's permission model (no file reads or writes, child processes, workers or addons); inside it, enclave code runs in a hardened compartment (ses lockdown) that sees only allow-listed globals and built-in facades (no env, network, signals, inspector, trace events or os); heap + ArrayBuffer + Wasm memory limit, and a host-side watchdog on the process's resident memory; platform secrets stay in the host; no hardware protection, the host's OS can read enclave memory",
  strength: 20,
  supportsSwitchless: false,
  available: () =>
    process.allowedNodeEnvironmentFlags.has(permissionFlag)
      ? { ok: true }
      : { ok: false, reason: `this Node.js has no ${permissionFlag} (the permission model); use Node 20 or newer` },
  createPlatform: createSimulatedPlatform,
  async start({ image, init, heapLimitMb, memoryLimitMb }: BackendStartParams): Promise<EnclaveTransport> {
    const bootstrap = await bundleBootstrap();
    const args = [permissionFlag, '--disable-warning=ExperimentalWarning', `--max-old-space-size=${heapLimitMb}`, '-e', LOADER];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], serialization: 'advanced', env: {} });
    const debug = init.identity.debug;
    let stderrTail = '';
    let dying = false;
    // enclave code has no stdio; what Node itself prints (uncaught errors with their stack and
    // source line, V8's fatal-error report) reaches the host's stderr for debug images only
    child.stdout?.on('data', (chunk: Buffer) => {
      if (debug) process.stdout.write(chunk);
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      stderrTail = (stderrTail + text).slice(-2000);
      if (dying || !debug) return;
      const fatal = text.search(/<--- Last few GCs --->|FATAL ERROR:/);
      if (fatal < 0) {
        process.stderr.write(chunk);
        return;
      }
      dying = true;
      if (fatal > 0) process.stderr.write(text.slice(0, fatal));
    });
    let exitHandler: ((reason: string) => void) | null = null;
    let terminated = false;
    let rssExceeded: number | null = null;
    const watchdog = child.pid
      ? startRssWatchdog(child.pid, memoryLimitMb, (rssBytes) => {
          rssExceeded = rssBytes;
          child.kill('SIGKILL');
        })
      : null;
    // 'close' comes after 'exit' once the child's pipes are closed too: nothing of it is left
    const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
    child.once('exit', (code, signal) => {
      watchdog?.stop();
      if (terminated) return;
      const oom = /heap out of memory|Reached heap limit/.test(stderrTail);
      exitHandler?.(
        rssExceeded !== null
          ? `the enclave ran out of memory (resident memory ${Math.round(rssExceeded / 1048576)} MiB over the limit for ${memoryLimitMb} MiB)`
          : code === MEMORY_LIMIT_EXIT_CODE
            ? `the enclave ran out of memory (memory limit ${memoryLimitMb} MiB: heap, ArrayBuffers and Wasm)`
            : oom
              ? `the enclave ran out of memory (heap limit ${heapLimitMb} MiB)`
              : signal
                ? `the enclave process was killed (${signal})`
                : `the enclave process exited (code ${code})`,
      );
    });
    child.on('error', () => {
      /* reported through 'exit' */
    });
    child.send({ bootstrap, init, bundle: image.bundle, memoryLimitBytes: memoryLimitMb * 1024 * 1024 });
    return {
      pid: child.pid,
      send: (message) => {
        if (child.connected) child.send(message);
      },
      onMessage: (handler) => child.on('message', (m: unknown) => handler(m)),
      onExit: (handler) => {
        exitHandler = handler;
      },
      async terminate() {
        if (terminated) return;
        terminated = true;
        watchdog?.stop();
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        await exited;
      },
    };
  },
};

