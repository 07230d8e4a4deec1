import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const exampleDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = join(exampleDir, '..', '..', 'packages', 'secgear', 'dist', 'src', 'cli', 'main.js');

test('attestation: local attestation between two enclaves, evidence verified only with allowSimulation, replay refused', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'secgear-attestation-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const env = { ...process.env, SECGEAR_SIM_DIR: join(dir, 'sim') };
  const key = join(dir, 'key.pem');
  execFileSync(process.execPath, [cli, 'keygen', '-o', key]);
  for (const [entry, manifest, image] of [['app-enclave.ts', 'app.json', 'app.sgimg'], ['service-enclave.ts', 'service.json', 'service.sgimg']]) {
    execFileSync(process.execPath, [cli, 'build', join(exampleDir, 'src', entry), '--manifest', join(exampleDir, manifest), '--key', key, '-o', join(dir, image)]);
  }
  const output = execFileSync(process.execPath, [join(exampleDir, 'dist', 'src', 'host.js'), join(dir, 'app.sgimg'), join(dir, 'service.sgimg')], { encoding: 'utf8', env });
  const steps = output.split('\n').filter((l) => /^\[\d\]/.test(l));
  assert.deepEqual(steps.map((l) => l.slice(0, 3)), ['[1]', '[2]', '[3]', '[4]', '[5]', '[6]', '[7]', '[8]', '[9]']);
  assert.match(output, /\[2\] local attestation: the service admitted the app: enclave [0-9a-f]{16}\.\.\. \(prodId 3, svn 2\) vouched for "open the vault"/);
  assert.match(output, /\[3\] .*refused: the report does not bind this message/);
  assert.match(output, /\[4\] a report made for another enclave is refused: CC_ERROR_INVALID_REPORT/);
  assert.match(output, /\[5\] evidence: application\/vnd\.secgear\.sim-evidence/);
  assert.match(output, /evidence binds the nonce and the enclave public key: yes/);
  assert.match(output, /enclave\.getEvidence\(\{ nonce \}\) from the host, no ecall needed: verified true, binds the nonce and no data: true/);
  assert.match(output, /\[6\] verifier with allowSimulation: verified true, affirming; tee sim, svn 2/);
  assert.match(output, /\[7\] verifier without allowSimulation: verified false, contraindicated\n {4}reason: .*no hardware protection/);
  assert.match(output, /\[8\] .*verified false, failed check binding/);

  // the same enclave through the CLI: secgear attest, then secgear verify-evidence
  const evidence = join(dir, 'evidence.bin');
  const nonce = 'ab'.repeat(32);
  execFileSync(process.execPath, [cli, 'attest', join(dir, 'app.sgimg'), '--nonce', nonce, '-o', evidence], { env });
  const verified = JSON.parse(execFileSync(process.execPath, [cli, 'verify-evidence', evidence, '--nonce', nonce, '--allow-sim', '--json'], { encoding: 'utf8', env }));
  assert.equal(verified.verified, true);
});
