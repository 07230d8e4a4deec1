/**
 * The enclave PKCS#11 token against SoftHSM 2 behind `p11-kit server`, both reached through
 * Debian's p11-kit-client.so by the same client (graphene-pk11) in the same run. Rounds alternate
 * between the two servers so that load from other processes falls on both alike.
 * - ECDSA P-256 signatures per second (C_SignInit + C_Sign, CKM_ECDSA over a 32-byte hash);
 * - AES 4 KiB encryptions per second: AES-ECB, because Debian 12's p11-kit (0.24.1, client and
 *   server) cannot carry CK_GCM_PARAMS; and AES-GCM 4 KiB through our TypeScript RPC client
 *   against SoftHSM's AES-GCM called in-process (no RPC at all: a harder baseline).
 * Needs the Debian packages p11-kit, p11-kit-modules and softhsm2; skipped without them.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildTokenImage, CKA, CKK, CKM, CKO, P11Client } from 'secgear/pkcs11';
import type { BenchSuite } from './lib/types.js';

type Graphene = typeof import('graphene-pk11');
const require = createRequire(import.meta.url);
const CLIENT = '/usr/lib/x86_64-linux-gnu/pkcs11/p11-kit-client.so';
const SOFTHSM = '/usr/lib/softhsm/libsofthsm2.so';
const PIN = '1234';
const SO_PIN = '12345678';
const ROUND_MS = 1500;
const ROUNDS = 3;

interface Server {
  socket: string;
  child: ChildProcess;
}

function waitFor(path: string, child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setInterval(() => existsSync(path) && (clearInterval(t), resolve()), 50);
    child.once('exit', (code) => (clearInterval(t), reject(new Error(`server exited with ${code}`))));
  });
}

async function startOurs(dir: string): Promise<Server> {
  const image = join(dir, 'token.sgimg');
  const key = spawnSync(process.execPath, ['-e', "process.stdout.write(require('node:crypto').generateKeyPairSync('ec',{namedCurve:'P-384'}).privateKey.export({type:'pkcs8',format:'pem'}))"], { encoding: 'utf8' }).stdout;
  writeFileSync(image, await buildTokenImage({ key }));
  const socket = join(dir, 'ours.sock');
  const bin = require.resolve('secgear/package.json').replace(/package\.json$/, 'bin/secgear.js');
  const child = spawn(process.execPath, [bin, 'p11', 'serve', '--socket', socket, '--store', join(dir, 'store'), '--image', image, '--sim-dir', join(dir, 'sim')], { stdio: 'ignore' });
  await waitFor(socket, child);
  const c = await P11Client.connect({ socketPath: socket });
  await c.call('C_InitToken', [1, Buffer.from(SO_PIN), Buffer.from('bench')]);
  const s = await c.openSession(1, true);
  await c.login(s, 0, SO_PIN);
  await c.call('C_InitPIN', [s, Buffer.from(PIN)]);
  await c.close();
  return { socket, child };
}

async function startSoftHsm(dir: string): Promise<{ server: Server; env: NodeJS.ProcessEnv }> {
  mkdirSync(join(dir, 'tokens'));
  const conf = join(dir, 'softhsm2.conf');
  writeFileSync(conf, `directories.tokendir = ${join(dir, 'tokens')}\nobjectstore.backend = file\nlog.level = ERROR\n`);
  const env = { ...process.env, SOFTHSM2_CONF: conf };
  spawnSync('softhsm2-util', ['--init-token', '--free', '--label', 'bench', '--so-pin', SO_PIN, '--pin', PIN], { env });
  const socket = join(dir, 'softhsm.sock');
  const child = spawn('p11-kit', ['server', '-f', '-n', socket, '--provider', SOFTHSM, 'pkcs11:token=bench'], { env, stdio: 'ignore' });
  await waitFor(socket, child);
  return { server: { socket, child }, env };
}

/** A graphene session through p11-kit-client.so; graphene calls are synchronous, so the servers live in child processes. */
function openThroughClient(graphene: Graphene, socket: string) {
  process.env.P11_KIT_SERVER_ADDRESS = `unix:path=${socket}`;
  const mod = graphene.Module.load(CLIENT, 'p11-kit-client');
  mod.initialize({ flags: 2 });
  const session = mod.getSlots(true).items(0).open(graphene.SessionFlag.SERIAL_SESSION | graphene.SessionFlag.RW_SESSION);
  session.login(PIN);
  const ec = session.generateKeyPair(graphene.KeyGenMechanism.EC, { keyType: graphene.KeyType.EC, token: false, verify: true, paramsECDSA: graphene.NamedCurve.getByName('secp256r1').value }, { keyType: graphene.KeyType.EC, token: false, sign: true });
  const aes = session.generateKey(graphene.KeyGenMechanism.AES, { keyType: graphene.KeyType.AES, valueLen: 32, token: false, encrypt: true, decrypt: true });
  const hash = Buffer.alloc(32, 1);
  const block = Buffer.alloc(4096, 7);
  const out = Buffer.alloc(4096 + 64);
  return {
    sign: () => session.createSign('ECDSA', ec.privateKey).once(hash),
    ecb: () => session.createCipher('AES_ECB', aes).once(block, out),
    close() {
      session.logout();
      session.close();
      mod.finalize();
    },
  };
}

function rate(fn: () => unknown, ms: number): { ops: number; seconds: number } {
  let ops = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    fn();
    ops++;
  }
  return { ops, seconds: (performance.now() - start) / 1000 };
}

async function gcmThroughRpc(socket: string): Promise<number> {
  const c = await P11Client.connect({ socketPath: socket });
  const s = await c.openSession(1, true);
  await c.login(s, 1, PIN);
  const key = await c.generateKey(s, { type: CKM.AES_KEY_GEN, param: null }, [{ type: CKA.CLASS, value: CKO.SECRET_KEY }, { type: CKA.KEY_TYPE, value: CKK.AES }, { type: CKA.VALUE_LEN, value: 32 }]);
  const data = new Uint8Array(4096).fill(9);
  let n = 0;
  let ops = 0;
  const start = performance.now();
  while (performance.now() - start < ROUND_MS * ROUNDS) {
    const iv = new Uint8Array(12);
    new DataView(iv.buffer).setUint32(8, n++);
    await c.encrypt(s, { type: CKM.AES_GCM, param: { kind: 'gcm', iv, ivBits: 96, aad: null, tagBits: 128 } }, key, data, 4096 + 16);
    ops++;
  }
  const seconds = (performance.now() - start) / 1000;
  await c.close();
  return ops / seconds;
}

function gcmSoftHsmInProcess(graphene: Graphene, env: NodeJS.ProcessEnv): number {
  process.env.SOFTHSM2_CONF = env.SOFTHSM2_CONF;
  const mod = graphene.Module.load(SOFTHSM, 'softhsm');
  mod.initialize({ flags: 2 });
  const session = mod.getSlots(true).items(0).open(graphene.SessionFlag.SERIAL_SESSION | graphene.SessionFlag.RW_SESSION);
  session.login(PIN);
  const aes = session.generateKey(graphene.KeyGenMechanism.AES, { keyType: graphene.KeyType.AES, valueLen: 32, token: false, encrypt: true });
  const data = Buffer.alloc(4096, 9);
  const out = Buffer.alloc(4096 + 64);
  let n = 0;
  const r = rate(() => {
    const iv = Buffer.alloc(12);
    iv.writeUInt32BE(n++, 8);
    session.createCipher({ name: 'AES_GCM', params: new graphene.AesGcmParams(iv, undefined, 128) }, aes).once(data, out);
  }, ROUND_MS * ROUNDS);
  session.logout();
  session.close();
  mod.finalize();
  return r.ops / r.seconds;
}

const suite: BenchSuite = {
  name: 'pkcs11',
  async run() {
    if (!existsSync(CLIENT) || !existsSync(SOFTHSM) || spawnSync('sh', ['-c', 'command -v p11-kit']).status !== 0) {
      process.stderr.write('pkcs11: skipped (needs the Debian packages p11-kit, p11-kit-modules, softhsm2)\n');
      return [];
    }
    const graphene = require('graphene-pk11') as Graphene;
    const dir = mkdtempSync(join(tmpdir(), 'secgear-bench-p11-'));
    mkdirSync(join(dir, 'ours'));
    const ours = await startOurs(join(dir, 'ours'));
    const softhsm = await startSoftHsm(dir);
    try {
      // p11-kit-client.so takes its server address at C_Initialize: each round initializes it
      // afresh for one server, and rounds alternate between the two
      const runAlternating = (pick: (x: ReturnType<typeof openThroughClient>) => () => unknown): [number, number] => {
        const sum = [{ ops: 0, seconds: 0 }, { ops: 0, seconds: 0 }];
        for (let i = 0; i < ROUNDS; i++) {
          for (const [j, socket] of [ours.socket, softhsm.server.socket].entries()) {
            const h = openThroughClient(graphene, socket);
            const r = rate(pick(h), ROUND_MS);
            h.close();
            sum[j].ops += r.ops;
            sum[j].seconds += r.seconds;
          }
        }
        return [sum[0].ops / sum[0].seconds, sum[1].ops / sum[1].seconds];
      };
      const [signA, signB] = runAlternating((h) => h.sign);
      const [ecbA, ecbB] = runAlternating((h) => h.ecb);
      const gcmOurs = await gcmThroughRpc(ours.socket);
      const gcmSoftHsm = gcmSoftHsmInProcess(graphene, softhsm.env);
      return [
        { name: 'pkcs11 ECDSA P-256 sign via p11-kit-client.so', unit: 'sign/s', value: signA, better: 'higher', baseline: { name: 'SoftHSM 2 behind p11-kit server, same client', value: signB } },
        { name: 'pkcs11 AES-ECB 4 KiB encrypt via p11-kit-client.so', unit: 'enc/s', value: ecbA, better: 'higher', baseline: { name: 'SoftHSM 2 behind p11-kit server, same client', value: ecbB } },
        { name: 'pkcs11 AES-GCM 4 KiB encrypt via TypeScript RPC client', unit: 'enc/s', value: gcmOurs, better: 'higher', baseline: { name: 'SoftHSM 2 AES-GCM in-process (no RPC)', value: gcmSoftHsm } },
      ];
    } finally {
      for (const child of [ours.child, softhsm.server.child]) {
        if (child.pid !== undefined && child.exitCode === null) {
          const exited = new Promise((r) => child.once('exit', r));
          process.kill(child.pid, 'SIGTERM');
          await exited;
        }
      }
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

export default suite;
