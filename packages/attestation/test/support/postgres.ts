/**
 * A throwaway PostgreSQL server for tests: initdb in a temp folder, listening on a free port on
 * 127.0.0.1 (and a socket in the same folder), stopped and removed by `stop()`. PostgreSQL
 * refuses to run as root, so as root it runs as the `postgres` user (created by Debian's
 * package) through runuser. .ci/run installs the package.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export interface TestPostgres {
  url: string;
  stop(): Promise<void>;
}

function binDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  for (const v of versions) if (existsSync(join(root, v, 'bin', 'initdb'))) return join(root, v, 'bin');
  throw new Error('PostgreSQL is not installed: apt-get install postgresql (listed in DEBIAN_PACKAGES of .ci/run)');
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function startPostgres(): Promise<TestPostgres> {
  const bin = binDir();
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'secgear-pg-'));
  const data = join(dir, 'data');
  if (asRoot) {
    const { uid, gid } = JSON.parse(spawnSync('sh', ['-c', 'printf "{\\"uid\\":%s,\\"gid\\":%s}" $(id -u postgres) $(id -g postgres)'], { encoding: 'utf8' }).stdout) as { uid: number; gid: number };
    chownSync(dir, uid, gid);
  }
  const as = (command: string, args: string[]) => (asRoot ? { cmd: 'runuser', args: ['-u', 'postgres', '--', command, ...args] } : { cmd: command, args });
  const init = as(join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'secgear', '--no-sync', '-E', 'UTF8']);
  const r = spawnSync(init.cmd, init.args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`initdb failed: ${r.stderr}`);
  const port = await freePort();
  const run = as(join(bin, 'postgres'), ['-D', data, '-p', String(port), '-h', '127.0.0.1', '-k', dir, '-c', 'fsync=off', '-c', 'max_connections=40']);
  const server: ChildProcess = spawn(run.cmd, run.args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  server.stderr!.on('data', (c: Buffer) => (log += c.toString()));
  const url = `postgres://secgear@127.0.0.1:${port}/postgres`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.end();
      break;
    } catch {
      await client.end().catch(() => undefined);
      if (server.exitCode !== null || Date.now() > deadline) throw new Error(`PostgreSQL did not start: ${log}`);
      await new Promise((f) => setTimeout(f, 200));
    }
  }
  return {
    url,
    async stop() {
      if (server.exitCode === null) {
        const exited = new Promise((f) => server.once('exit', f));
        // runuser does not pass signals on to PostgreSQL: pg_ctl asks the server itself (fast: no waiting for clients)
        const stop = as(join(bin, 'pg_ctl'), ['-D', data, 'stop', '-m', 'fast', '-w']);
        spawnSync(stop.cmd, stop.args, { encoding: 'utf8', timeout: 30_000 });
        const timer = setTimeout(() => server.kill('SIGKILL'), 30_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
