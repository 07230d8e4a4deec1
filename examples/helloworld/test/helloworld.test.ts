import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const exampleDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = join(exampleDir, '..', '..', 'packages', 'secgear', 'dist', 'src', 'cli', 'main.js');

test('helloworld: the demo prints every step, in order, on the simulation backend', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'secgear-hello-'));
  const key = join(dir, 'key.pem');
  const image = join(dir, 'helloworld.sgimg');
  execFileSync(process.execPath, [cli, 'keygen', '-o', key]);
  execFileSync(process.execPath, [cli, 'build', join(exampleDir, 'src', 'enclave.ts'), '--manifest', join(exampleDir, 'enclave.json'), '--key', key, '-o', image]);
  const output = execFileSync(process.execPath, [join(exampleDir, 'dist', 'src', 'host.js'), image], { encoding: 'utf8' });
  const steps = output.split('\n').filter((l) => /^\[\d\]/.test(l));
  assert.deepEqual(steps.map((l) => l.slice(0, 3)), ['[1]', '[2]', '[3]', '[4]', '[5]']);
  assert.match(output, /measurement [0-9a-f]{96}/);
  assert.match(output, /signer {6}[0-9a-f]{96}/);
  assert.match(output, /backend sim/);
  assert.match(output, /no hardware protection/);
  assert.match(output, /returned 0 and 32 bytes: "This is a sample"/);
  assert.match(output, /ocall print_string from the enclave: hello from enclave "helloworld" \(svn 1\)/);

  // the build ran the EDL generator: the signed manifest records the EDL's hash and declarations
  const info = JSON.parse(execFileSync(process.execPath, [cli, 'inspect', image, '--json'], { encoding: 'utf8' })) as {
    edlHash: string;
    ecalls: { name: string; public: boolean; switchless: boolean }[];
    ocalls: { name: string; allow: string[] }[];
  };
  const generated = readFileSync(join(exampleDir, 'src', 'helloworld_u.ts'), 'utf8');
  assert.match(info.edlHash, /^[0-9a-f]{96}$/);
  assert.ok(generated.includes(`EDL interface hash (SHA-384): ${info.edlHash}`), 'the committed helloworld_u.ts is generated from the current EDL');
  assert.deepEqual(info.ecalls, [{ name: 'get_string', public: true, switchless: false }]);
  assert.deepEqual(info.ocalls.map((o) => o.name).sort(), ['print_string', 'sg_ocall_print_string', 'sg_ocall_sleep_ms', 'sg_ocall_time_ms']);
});
