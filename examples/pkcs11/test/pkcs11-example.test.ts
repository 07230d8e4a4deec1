import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const exampleDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const missing = !existsSync('/usr/lib/x86_64-linux-gnu/pkcs11/p11-kit-client.so') || spawnSync('sh', ['-c', 'command -v pkcs11-tool']).status !== 0;

test('pkcs11 example: pkcs11-tool initializes the enclave token, generates a key and signs; node:crypto verifies', { skip: missing && 'needs p11-kit-modules and opensc (.ci/run installs them)' }, () => {
  const output = execFileSync(process.execPath, [join(exampleDir, 'dist', 'src', 'demo.js')], { encoding: 'utf8', timeout: 120_000 });
  const steps = output.split('\n').filter((l) => /^\[\d\]/.test(l));
  assert.deepEqual(steps.map((l) => l.slice(0, 3)), ['[1]', '[2]', '[3]', '[4]', '[5]', '[6]', '[7]']);
  assert.match(output, /node:crypto verifies the signature: true/);
  assert.match(output, /the private key is sensitive, always sensitive, never extractable, local/);
  assert.match(output, /[1-9]\d* files \*\.sealed/);
});
