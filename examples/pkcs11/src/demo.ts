// The PKCS#11 example: `secgear p11 serve` runs the token in an enclave; OpenSC's pkcs11-tool,
// loading p11-kit's p11-kit-client.so, initializes it, makes an EC key pair and signs; node:crypto
// verifies the signature with the public key read back from the token.
import { spawn, spawnSync } from 'node:child_process';
import { createHash, createPublicKey, verify } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const MODULE = '/usr/lib/x86_64-linux-gnu/pkcs11/p11-kit-client.so';
const work = mkdtempSync(join(tmpdir(), 'secgear-pkcs11-example-'));
const socket = join(work, 'token.sock');
const secgear = createRequire(import.meta.url).resolve('secgear/package.json').replace(/package\.json$/, 'bin/secgear.js');

for (const need of [MODULE]) {
  if (!existsSync(need)) {
    console.error(`${need} is missing: apt-get install p11-kit p11-kit-modules opensc`);
    process.exit(1);
  }
}

// 1. the token: an enclave image built from the secgear package, signed with a development key
const server = spawn(process.execPath, [secgear, 'p11', 'serve', '--socket', socket, '--store', join(work, 'store'), '--sim-dir', join(work, 'sim')], { stdio: ['ignore', 'pipe', 'inherit'] });
try {
  await new Promise<void>((resolve, reject) => {
    server.stdout!.on('data', (d: Buffer) => d.toString().includes('serving') && resolve());
    server.once('exit', (code) => reject(new Error(`secgear p11 serve exited with ${code}`)));
  });
  console.log(`[1] secgear p11 serve --socket ${socket}: the token runs in an enclave (sim backend)`);
  const env = { ...process.env, P11_KIT_SERVER_ADDRESS: `unix:path=${socket}` };
  const tool = (...args: string[]) => {
    const r = spawnSync('pkcs11-tool', ['--module', MODULE, ...args], { env, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`pkcs11-tool ${args.join(' ')} failed:\n${r.stdout}${r.stderr}`);
    return r.stdout;
  };
  tool('--init-token', '--so-pin', '87654321', '--label', 'enclave');
  tool('--init-pin', '--so-pin', '87654321', '--pin', '2468');
  console.log('[2] pkcs11-tool --init-token / --init-pin: PIN verifiers sealed inside the enclave');
  tool('--pin', '2468', '--keypairgen', '--key-type', 'EC:prime256v1', '--id', '01', '--label', 'signing-key');
  console.log('[3] pkcs11-tool --keypairgen EC:prime256v1: the private key is generated and kept in the enclave');
  const message = Buffer.from('signed by a key that never left the enclave');
  writeFileSync(join(work, 'hash'), createHash('sha256').update(message).digest());
  tool('--pin', '2468', '--sign', '--id', '01', '-m', 'ECDSA', '--signature-format', 'openssl', '-i', join(work, 'hash'), '-o', join(work, 'sig'));
  tool('--read-object', '--type', 'pubkey', '--id', '01', '-o', join(work, 'pub.der'));
  const publicKey = createPublicKey({ key: readFileSync(join(work, 'pub.der')), format: 'der', type: 'spki' });
  console.log(`[4] pkcs11-tool --sign -m ECDSA: node:crypto verifies the signature: ${verify('sha256', message, publicKey, readFileSync(join(work, 'sig')))}`);
  const objects = tool('--pin', '2468', '-O');
  console.log(`[5] the private key is ${/Private Key Object[\s\S]*?Access:\s+([^\n]+)/.exec(objects)?.[1]}`);
  console.log(`[6] the host holds only sealed blobs: ${spawnSync('ls', [join(work, 'store')], { encoding: 'utf8' }).stdout.trim().split('\n').filter((f) => f.endsWith('.sealed')).length} files *.sealed`);
} finally {
  if (server.pid !== undefined && server.exitCode === null) {
    const exited = new Promise((r) => server.once('exit', r));
    process.kill(server.pid, 'SIGTERM');
    await exited;
  }
  rmSync(work, { recursive: true, force: true });
  console.log('[7] server stopped');
}
