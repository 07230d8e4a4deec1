/** `secgear kms serve` as a child process, as an operator runs it (the faults tests kill it). */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'secgear', 'bin', 'secgear.js');

export interface ServeProcess {
  child: ChildProcess;
  url: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Resolves with the exit code or signal. */
  exited: Promise<number | string>;
}

export async function serveProcess(args: string[], env: NodeJS.ProcessEnv): Promise<ServeProcess> {
  const child = spawn(process.execPath, [cli, 'kms', 'serve', '--port', '0', '--log-level', 'warn', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setInterval(() => {
      const m = /EKMS (http:\/\/[\d.]+:\d+)/.exec(err);
      if (m && (!args.includes('--demo') || out.includes('Ctrl-C'))) {
        clearInterval(timer);
        resolve(m[1]);
      }
    }, 20);
    void exited.then((code) => {
      clearInterval(timer);
      reject(new Error(`serve exited (${code}) before listening: ${err}`));
    });
  });
  const id = /AWS_ACCESS_KEY_ID=(\S+)/.exec(out)?.[1];
  const secret = /AWS_SECRET_ACCESS_KEY=(\S+)/.exec(out)?.[1];
  return { child, url, exited, ...(id && secret ? { credentials: { accessKeyId: id, secretAccessKey: secret } } : {}) };
}
