// Child-process servers for tests and benchmarks that drive p11-kit-client.so: `secgear p11 serve`
// (the CLI, as users run it) and SoftHSM behind `p11-kit server`. Each runs in a temp folder and
// is stopped by its pid.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../support/paths.js';

export const P11_KIT_CLIENT = '/usr/lib/x86_64-linux-gnu/pkcs11/p11-kit-client.so';
export const SOFTHSM = '/usr/lib/softhsm/libsofthsm2.so';

export interface ChildServer {
  socketPath: string;
  dir: string;
  child: ChildProcess;
  /** Environment for a p11-kit-client.so process talking to this server. */
  env: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

/** What a test needs from Debian: p11-kit's client, and the tool it drives. */
export function missingTools(...tools: string[]): string | undefined {
  if (!existsSync(P11_KIT_CLIENT)) return `${P11_KIT_CLIENT} (Debian package p11-kit-modules)`;
  for (const t of tools) if (spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0) return t;
  return undefined;
}

function waitForSocket(child: ChildProcess, socketPath: string, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr?.on('data', (d) => (err += d));
    const timer = setInterval(() => {
      if (existsSync(socketPath)) {
        clearInterval(timer);
        resolve();
      }
    }, 50);
    child.once('exit', (code) => {
      clearInterval(timer);
      reject(new Error(`${what} exited with ${code} before listening: ${err}`));
    });
  });
}

async function stopChild(child: ChildProcess, dir: string): Promise<void> {
  if (child.exitCode === null && child.pid !== undefined) {
    const exited = new Promise((r) => child.once('exit', r));
    process.kill(child.pid, 'SIGTERM');
    await exited;
  }
  rmSync(dir, { recursive: true, force: true });
}

/** `secgear p11 serve` in a child process, with its own store and simulated platform. */
export async function startSecgearServer(options: { keyPem: string; backend?: string; extraArgs?: string[] }): Promise<ChildServer> {
  const dir = mkdtempSync(join(tmpdir(), 'secgear-p11-cli-'));
  const socketPath = join(dir, 'token.sock');
  const keyPath = join(dir, 'key.pem');
  writeFileSync(keyPath, options.keyPem, { mode: 0o600 });
  const bin = join(repoRoot, 'packages', 'secgear', 'bin', 'secgear.js');
  const child = spawn(process.execPath, [bin, 'p11', 'serve', '--socket', socketPath, '--store', join(dir, 'store'), '--key', keyPath, '--sim-dir', join(dir, 'sim'), '--backend', options.backend ?? 'sim', ...(options.extraArgs ?? [])], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await waitForSocket(child, socketPath, 'secgear p11 serve');
  return { socketPath, dir, child, env: { ...process.env, P11_KIT_SERVER_ADDRESS: `unix:path=${socketPath}` }, stop: () => stopChild(child, dir) };
}

/** SoftHSM 2 with one initialized token, served by `p11-kit server` in a child process. */
export async function startSoftHsmServer(options: { soPin: string; pin: string; label: string }): Promise<ChildServer> {
  const dir = mkdtempSync(join(tmpdir(), 'secgear-softhsm-'));
  const tokens = join(dir, 'tokens');
  mkdirSync(tokens);
  const conf = join(dir, 'softhsm2.conf');
  writeFileSync(conf, `directories.tokendir = ${tokens}\nobjectstore.backend = file\nlog.level = ERROR\n`);
  const env = { ...process.env, SOFTHSM2_CONF: conf };
  const init = spawnSync('softhsm2-util', ['--init-token', '--free', '--label', options.label, '--so-pin', options.soPin, '--pin', options.pin], { env, encoding: 'utf8' });
  if (init.status !== 0) throw new Error(`softhsm2-util failed: ${init.stderr}`);
  const socketPath = join(dir, 'softhsm.sock');
  const child = spawn('p11-kit', ['server', '-f', '-n', socketPath, '--provider', SOFTHSM, `pkcs11:token=${options.label}`], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  await waitForSocket(child, socketPath, 'p11-kit server');
  return { socketPath, dir, child, env: { ...process.env, P11_KIT_SERVER_ADDRESS: `unix:path=${socketPath}` }, stop: () => stopChild(child, dir) };
}
