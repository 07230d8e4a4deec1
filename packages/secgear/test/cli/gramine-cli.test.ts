// `secgear gramine manifest` and `secgear gramine measure` through the real CLI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../support/paths.js';
import { buildFixture } from '../support/fixtures.js';
import { syntheticElf } from '../support/synthetic-elf.js';
import { measureGramineEnclave } from '../../src/backends/gramine-sgx/measure/gramine-layout.js';
import { readSgxAttributes } from '../../src/backends/gramine-sgx/measure/manifest-sgx-reader.js';

const cli = join(repoRoot, 'packages', 'secgear', 'dist', 'src', 'cli', 'main.js');
const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });

test('secgear gramine manifest writes a template with every file trusted, the bundled enclave main and the image', async () => {
  const image = await buildFixture('seal-attest', { gramine: { enclaveSize: '2G', maxThreads: 16 } });
  const out = mkdtempSync(join(tmpdir(), 'secgear-gramine-cli-'));
  const result = run('gramine', 'manifest', image, '-o', out, '--node', '/usr/bin/node', '--json');
  assert.equal(result.status, 0, result.stderr);
  const written = JSON.parse(result.stdout) as { template: string; main: string; image: string };
  const template = readFileSync(written.template, 'utf8');
  for (const expected of [
    'sgx.enclave_size = "2G"',
    'sgx.max_threads = 16',
    'sgx.isvprodid = 7',
    'sgx.isvsvn = 3',
    'sgx.remote_attestation = "dcap"',
    'sgx.debug = false',
    `"file:${out}/enclave-main.mjs"`,
    `"file:${out}/image.sgimg"`,
    '"file:/usr/bin/node"',
    'loader.env.SECGEAR_CHANNEL = { passthrough = true }',
    'sys.insecure__allow_eventfd = true',
  ]) {
    assert.ok(template.includes(expected), `template has ${expected}`);
  }
  assert.deepEqual(readSgxAttributes(template), { enclaveSize: 2n << 30n, maxThreads: 16, edmm: false });
  assert.deepEqual(readFileSync(written.image), readFileSync(image));
  // the bundled main is self-contained: it verifies the image, then refuses to run without a host channel
  const main = spawnSync(process.execPath, [written.main, written.image], { encoding: 'utf8', env: {} });
  assert.equal(main.status, 70);
  assert.match(main.stderr, /SECGEAR_CHANNEL must be a loopback host:port/);
  const tampered = join(out, 'tampered.sgimg');
  const bytes = readFileSync(image);
  bytes[bytes.length - 3] ^= 1;
  writeFileSync(tampered, bytes);
  const refused = spawnSync(process.execPath, [written.main, tampered], { encoding: 'utf8', env: {} });
  assert.equal(refused.status, 70);
  assert.match(refused.stderr, /signature|measurement/i);
  assert.equal(run('gramine', 'manifest', tampered, '-o', out).status, 1);
  assert.ok(existsSync(join(out, 'seal-attest.manifest.template')));
});

test('secgear gramine measure prints the MRENCLAVE of a .manifest.sgx and libpal, its layout, and MRSIGNER of an RSA-3072 e=3 key', () => {
  const dir = mkdtempSync(join(tmpdir(), 'secgear-gramine-measure-'));
  const manifestSgx = join(dir, 'app.manifest.sgx');
  const libpal = join(dir, 'libpal.so');
  writeFileSync(manifestSgx, '[sgx]\nenclave_size = "1M"\nmax_threads = 1\nedmm_enable = false\n');
  writeFileSync(libpal, syntheticElf(0x40, [{ offset: 0, vaddr: 0, filesz: 0x1800, memsz: 0x3000, flags: 5 }], 0x1800));
  const expected = measureGramineEnclave(readFileSync(manifestSgx), readFileSync(libpal), { enclaveSize: 1n << 20n, maxThreads: 1, edmm: false });
  const json = run('gramine', 'measure', '-m', manifestSgx, '-l', libpal, '--json');
  assert.equal(json.status, 0, json.stderr);
  assert.equal(JSON.parse(json.stdout).mrEnclave, Buffer.from(expected.mrEnclave).toString('hex'));
  const verbose = run('gramine', 'measure', '-m', manifestSgx, '-l', libpal, '--verbose');
  assert.match(verbose.stdout, /Memory:\n {4}00000000000ff000-0000000000100000 \[REG:R--\] \(manifest\) measured/);
  assert.match(verbose.stdout, new RegExp(`mrenclave ${Buffer.from(expected.mrEnclave).toString('hex')}`));
  assert.notEqual(JSON.parse(run('gramine', 'measure', '-m', manifestSgx, '-l', libpal, '--max-threads', '2', '--enclave-size', '2M', '--json').stdout).mrEnclave, JSON.parse(json.stdout).mrEnclave);

  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 3072, publicExponent: 3 });
  const key = join(dir, 'enclave-key.pem');
  writeFileSync(key, privateKey.export({ type: 'pkcs8', format: 'pem' }));
  const modulus = Buffer.from((publicKey.export({ format: 'jwk' }) as { n: string }).n, 'base64url');
  const signed = JSON.parse(run('gramine', 'measure', '-m', manifestSgx, '-l', libpal, '-k', key, '--json').stdout);
  assert.equal(signed.mrSigner, createHash('sha256').update(Uint8Array.from(modulus).reverse()).digest('hex'));
  const weak = join(dir, 'weak.pem');
  writeFileSync(weak, generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }));
  const refused = run('gramine', 'measure', '-m', manifestSgx, '-l', libpal, '-k', weak);
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /RSA-3072 with exponent 3/);
  const notElf = run('gramine', 'measure', '-m', manifestSgx, '-l', manifestSgx);
  assert.equal(notElf.status, 1);
  assert.match(notElf.stderr, /not a usable ELF/);
});
