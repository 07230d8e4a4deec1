import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const exampleDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = join(exampleDir, '..', '..', 'packages', 'secgear', 'dist', 'src', 'cli', 'main.js');

test('edl-bank: an EDL-defined enclave end to end on the simulation backend', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'secgear-edl-bank-'));
  const key = join(dir, 'key.pem');
  const image = join(dir, 'edl-bank.sgimg');
  execFileSync(process.execPath, [cli, 'keygen', '-o', key]);
  execFileSync(process.execPath, [cli, 'build', join(exampleDir, 'src', 'enclave.ts'), '--manifest', join(exampleDir, 'enclave.json'), '--key', key, '-o', image]);
  const output = execFileSync(process.execPath, [join(exampleDir, 'dist', 'src', 'host.js'), image], { encoding: 'utf8' });
  // structs, enums and strings both ways; the stdlib print ocall
  assert.match(output, /enclave says: opened account 1 for Alice Æbelø/);
  assert.match(output, /enclave says: opened account 2 for Bob/);
  // an ocall with allow(...): the host calls the private ecall while it serves the ocall
  assert.match(output, /ocall review_transfer: ticket 1, amount 1500, memo "car" -> approved/);
  assert.match(output, /ocall review_transfer: ticket 2, amount 1200, memo "suspicious refund" -> refused/);
  assert.match(output, /transfers: 250 -> OK, 1500 -> OK, 1200 -> REFUSED, 9999 -> INSUFFICIENT_FUNDS/);
  // [out] struct with a fixed char array, [out, count=max] int64 array, [out] scalar
  assert.match(output, /statement OK: Alice Æbelø, balance 1250, last 3: -1500, -250, 3000/);
  // the switchless ecall went through the ring
  const stats = JSON.parse(/calls: (\{.*\})/.exec(output)![1]) as { switchless: number; fallbacks: number };
  assert.match(output, /1000 switchless balance queries, sum 1550000/);
  assert.ok(stats.switchless >= 900, `switchless calls: ${JSON.stringify(stats)}`);
  // an [in, out] buffer, changed in place inside the enclave
  assert.match(output, /redacted 18 digits in place: "card \*{4} \*{4} \*{4} \*{4}, account \*\*"/);
  // bad values never reach the enclave code; privacy of the private ecall holds
  assert.match(output, /a string with NUL is refused: CC_ERROR_BAD_PARAMETERS/);
  assert.match(output, /the private ecall from outside its ocall is refused: CC_ERROR_ECALL_NOT_ALLOWED/);
  assert.match(output, /\[10\] enclave destroyed/);

  const info = JSON.parse(execFileSync(process.execPath, [cli, 'inspect', image, '--json'], { encoding: 'utf8' })) as {
    edlHash: string;
    ecalls: { name: string; public: boolean; switchless: boolean }[];
    ocalls: { name: string; allow: string[] }[];
  };
  assert.ok(readFileSync(join(exampleDir, 'src', 'bank_u.ts'), 'utf8').includes(info.edlHash), 'bank_u.ts is generated from the current bank.edl');
  assert.deepEqual(info.ecalls.find((e) => e.name === 'balance_of'), { name: 'balance_of', public: true, switchless: true });
  assert.deepEqual(info.ecalls.find((e) => e.name === 'pending_amount'), { name: 'pending_amount', public: false, switchless: false });
  assert.deepEqual(info.ocalls.find((o) => o.name === 'review_transfer'), { name: 'review_transfer', allow: ['pending_amount'] });
});
