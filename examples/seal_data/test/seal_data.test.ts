import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const exampleDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = join(exampleDir, '..', '..', 'packages', 'secgear', 'dist', 'src', 'cli', 'main.js');

test('seal_data: a secret sealed by one enclave is used by the next; tampering and a wrong name are refused', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'secgear-seal-data-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const key = join(dir, 'key.pem');
  const image = join(dir, 'seal_data.sgimg');
  execFileSync(process.execPath, [cli, 'keygen', '-o', key]);
  execFileSync(process.execPath, [cli, 'build', join(exampleDir, 'src', 'enclave.ts'), '--manifest', join(exampleDir, 'enclave.json'), '--key', key, '-o', image]);
  const output = execFileSync(process.execPath, [join(exampleDir, 'dist', 'src', 'host.js'), image, join(dir, 'secret.sealed')], {
    encoding: 'utf8',
    env: { ...process.env, SECGEAR_SIM_DIR: join(dir, 'sim') },
  });
  const steps = output.split('\n').filter((l) => /^\[\d\]/.test(l));
  assert.deepEqual(steps.map((l) => l.slice(0, 3)), ['[1]', '[2]', '[3]', '[4]', '[5]', '[6]', '[7]']);
  assert.match(output, /132-byte blob/);
  assert.match(output, /contains the secret in the clear: false/);
  assert.match(output, /matches HMAC-SHA-256\(secret, "hello"\): true/);
  assert.match(output, /tampered blob refused: CC_ERROR_MAC_INVALID/);
  assert.match(output, /another name refused: CC_ERROR_MAC_INVALID/);
  assert.match(output, /simulation-grade/);
});
