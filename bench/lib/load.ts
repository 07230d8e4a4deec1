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

/**
 * The share of one core a busy thread gets here right now: spin for `ms` of wall time and
 * compare the CPU time the process was given. 1 on an idle machine; 0.25 when four runnable
 * threads share each core. How much slower CPU-bound work must get is the ratio of two shares.
 */
export function measureCpuShare(ms = 300): number {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let x = 0;
  while (performance.now() - t0 < ms) x++;
  const cpu = process.cpuUsage(cpu0);
  const wall = (performance.now() - t0) * 1000;
  return Math.min(1, (cpu.user + cpu.system) / wall + (x & 0));
}
