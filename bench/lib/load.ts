/**
 * A bounded, deliberate CPU load for "loaded" runs: `threads` child processes that each spin
 * until stopped or until their own deadline passes (so a crashed bench never leaves them behind).
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface BusyLoad {
  readonly threads: number;
  stop(): Promise<void>;
}

/** Starts `threads` busy-loop processes that end on stop() or after `maxSeconds`, whichever is first. */
export async function startBusyLoad(threads = 2, maxSeconds = 120): Promise<BusyLoad> {
  const script = `const end = Date.now() + ${Math.round(maxSeconds * 1000)}; let x = 0; process.send('ready'); while (Date.now() < end) x++;`;
  const children: ChildProcess[] = [];
  for (let i = 0; i < threads; i++) {
    children.push(spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] }));
  }
  await Promise.all(children.map((child) => new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`busy-load process exited early (code ${code})`)));
  })));
  return {
    threads,
    async stop() {
      await Promise.all(children.map((child) => new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      })));
    },
  };
}
