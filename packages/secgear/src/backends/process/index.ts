import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { ALLOWED_BUILTINS } from '../../common/builtin-policy.js';
import { denyNetwork, lockdownGlobals } from '../enclave-sandbox.js';
import { createSimulatedPlatform } from '../sim-platform/index.js';
import type { EnclaveMessage } from '../../common/protocol.js';
import type { Backend, BackendStartParams, EnclaveTransport } from '../types.js';

const permissionFlag = process.allowedNodeEnvironmentFlags.has('--permission') ? '--permission' : '--experimental-permission';

let bootstrapSource: string | null = null;
/** The child's whole program: the sandbox (network entry points, lockdown), then the bootstrap. */
function bootstrap(): string {
  bootstrapSource ??= [
    `import { createRequire as sandboxRequire, syncBuiltinESMExports as sandboxSync } from 'node:module';`,
    `(${denyNetwork.toString()})(sandboxRequire(import.meta.url), sandboxSync);`,
    `(${lockdownGlobals.toString()})(${JSON.stringify([...ALLOWED_BUILTINS])});`,
    readFileSync(new URL('./child-bootstrap.js', import.meta.url), 'utf8'),
  ].join('\n');
  return bootstrapSource;
}

/**
 * Each enclave in its own OS process under Node's permission model: it may read only its own
 * image, and may not write files, spawn processes, start workers, load addons or use WASI.
 */
export const processBackend: Backend = {
  name: 'process',
  isolation:
    "simulation: separate OS process under Node's permission model (reads only its own image; no file writes, child processes, workers or addons) and the built-ins' network entry points disabled; no hardware protection, the host's OS can read enclave memory",
  strength: 20,
  supportsSwitchless: false,
  available: () =>
    process.allowedNodeEnvironmentFlags.has(permissionFlag)
      ? { ok: true }
      : { ok: false, reason: `this Node.js has no ${permissionFlag} (the permission model); use Node 20 or newer` },
  createPlatform: createSimulatedPlatform,
  async start({ image, init, heapLimitMb }: BackendStartParams): Promise<EnclaveTransport> {
    const args = [
      permissionFlag,
      '--disable-warning=ExperimentalWarning',
      ...(image.path ? [`--allow-fs-read=${image.path}`] : []),
      `--max-old-space-size=${heapLimitMb}`,
      '--input-type=module',
      '-e',
      bootstrap(),
    ];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'inherit', 'pipe', 'ipc'], serialization: 'advanced', env: {} });
    let stderrTail = '';
    let dying = false;
    child.stderr?.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      stderrTail = (stderrTail + text).slice(-2000);
      if (dying) return;
      // V8's fatal-error report (GC log, native stack) says nothing the CC_ERROR_ENCLAVE_LOST
      // reason does not; keep the host's stderr readable
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
    // 'close' comes after 'exit' once the child's pipes are closed too: nothing of it is left
    const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
    child.once('exit', (code, signal) => {
      if (terminated) return;
      const oom = /heap out of memory|Reached heap limit/.test(stderrTail);
      exitHandler?.(
        oom
          ? `the enclave ran out of memory (heap limit ${heapLimitMb} MiB)`
          : signal
            ? `the enclave process was killed (${signal})`
            : `the enclave process exited (code ${code})`,
      );
    });
    child.on('error', () => {
      /* reported through 'exit' */
    });
    child.send({ init, bundle: image.bundle });
    return {
      pid: child.pid,
      send: (message) => {
        if (child.connected) child.send(message);
      },
      onMessage: (handler) => child.on('message', (m) => handler(m as EnclaveMessage)),
      onExit: (handler) => {
        exitHandler = handler;
      },
      async terminate() {
        if (terminated) return;
        terminated = true;
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        await exited;
      },
    };
  },
};
