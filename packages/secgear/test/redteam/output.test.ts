// Red team: what reaches the host's own output. A production enclave that crashes, logs or
// writes to the console puts no enclave source, stack or data: URL into the host's stdout or
// stderr; its loss reason is one bounded line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildFixture, scratchDir } from '../support/fixtures.js';
import { BACKENDS } from './support.js';

const HOST_PROGRAM = `
import { createEnclave } from ${JSON.stringify(new URL('../../src/host/index.js', import.meta.url).href)};
const [image, type] = process.argv.slice(2);
const enclave = await createEnclave(image, { type, ocalls: { callBack: () => 0, slow: () => 0 } });
await enclave.ecall.consoleLine('console line from the enclave');
await enclave.ecall.crash('uncaught failure with a secret-looking token 0123456789abcdef');
for (let i = 0; i < 100; i++) {
  try { await enclave.ecall.probeNames(); } catch (error) { console.log('LOST ' + error.message); break; }
  await new Promise((r) => setTimeout(r, 20));
}
await enclave.destroy();
`;

for (const type of BACKENDS) {
  test(`${type}: a production enclave's crash and console put no source, stack or data: URL in the host's output`, async () => {
    const image = await buildFixture('hostile');
    const program = join(scratchDir(), 'output-host.mjs');
    writeFileSync(program, HOST_PROGRAM);
    const run = spawnSync(process.execPath, [program, image, type], { encoding: 'utf8', timeout: 60_000 });
    const output = `${run.stdout}\n${run.stderr}`;
    assert.equal(run.status, 0, output);
    assert.match(run.stdout, /LOST enclave hostile was lost: /);
    for (const leak of [/data:text\/javascript/, /function \(require, module, exports\)/, /secgear\.enclave\.hook/, /^\s+at /m, /hostile\.ts/, /defineEnclave/]) {
      assert.doesNotMatch(output, leak);
    }
    // console output goes to the log channel (the host's default logger), not the raw stdio
    assert.match(run.stderr, /\[enclave hostile\] INFO: console line from the enclave/);
  });
}
