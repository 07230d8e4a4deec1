// `secgear attest` and `secgear verify-evidence` on simulated evidence, as a user runs them.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { evidenceBinding } from '../../src/attest/index.js';
import { fromHex, toHex } from '../../src/common/bytes.js';
import { buildFixture } from '../support/fixtures.js';
import { repoRoot } from '../support/paths.js';
import { tempStateDir } from '../support/sim-platform-harness.js';

const cli = join(repoRoot, 'packages', 'secgear', 'dist', 'src', 'cli', 'main.js');
const state = tempStateDir();
const elsewhere = tempStateDir();
after(() => {
  state.cleanup();
  elsewhere.cleanup();
});
const run = (env: string, ...args: string[]) =>
  spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...process.env, SECGEAR_SIM_DIR: env } });

const nonce = '0123456789abcdef'.repeat(2);

describe('secgear attest / verify-evidence (simulated)', () => {
  for (const type of ['sim', 'process']) {
    it(`writes evidence from a ${type} enclave that verify-evidence accepts only with --allow-sim`, async () => {
      const image = await buildFixture('seal-attest');
      const out = join(state.dir, `evidence-${type}.bin`);
      const attest = run(state.dir, 'attest', image, '--nonce', nonce, '--ecall', 'boundEvidence', '--report-data', 'cafe', '--type', type, '-o', out, '--json');
      assert.equal(attest.status, 0, attest.stderr);
      const summary = JSON.parse(attest.stdout);
      assert.equal(summary.mediaType, 'application/vnd.secgear.sim-evidence');
      assert.equal(summary.simulated, true);

      const ok = run(state.dir, 'verify-evidence', out, '--nonce', nonce, '--allow-sim', '--json');
      assert.equal(ok.status, 0, ok.stdout + ok.stderr);
      const result = JSON.parse(ok.stdout);
      assert.equal(result.verified, true);
      assert.equal(result.tee, 'sim');
      assert.equal(result.claims.measurement, summary.measurement);
      // the report data slot holds the binding of nonce and data; --report-data checks it
      assert.equal(result.claims.reportData, toHex(evidenceBinding({ nonce: fromHex(nonce), reportData: fromHex('cafe') })));
      const bound = run(state.dir, 'verify-evidence', out, '--nonce', nonce, '--report-data', 'cafe', '--allow-sim', '--json');
      assert.equal(bound.status, 0, bound.stdout + bound.stderr);
      assert.ok(JSON.parse(bound.stdout).checks.some((c: { check: string; ok: boolean }) => c.check === 'binding' && c.ok));
      const otherData = run(state.dir, 'verify-evidence', out, '--nonce', nonce, '--report-data', 'cafd', '--allow-sim', '--json');
      assert.equal(otherData.status, 2);
      assert.equal(JSON.parse(otherData.stdout).failure.check, 'binding');

      const strict = run(state.dir, 'verify-evidence', out, '--nonce', nonce, '--json');
      assert.equal(strict.status, 2);
      const refused = JSON.parse(strict.stdout);
      assert.equal(refused.verified, false);
      assert.match(refused.appraisal.reasons.join(' '), /no hardware protection/);

      assert.equal(run(state.dir, 'verify-evidence', out, '--nonce', 'ff'.repeat(16), '--allow-sim', '--json').status, 2, 'wrong nonce');
    });
  }

  it('verifies on another machine only with that machine\'s sim root as an anchor', async () => {
    const image = await buildFixture('seal-attest');
    const out = join(state.dir, 'evidence-anchor.bin');
    assert.equal(run(state.dir, 'attest', image, '--nonce', nonce, '-o', out).status, 0);
    const foreign = run(elsewhere.dir, 'verify-evidence', out, '--nonce', nonce, '--allow-sim', '--json');
    assert.equal(foreign.status, 2);
    assert.equal(JSON.parse(foreign.stdout).failure.check, 'sim.attestationKey.chain');
    const anchored = run(elsewhere.dir, 'verify-evidence', out, '--nonce', nonce, '--allow-sim', '--anchors', join(state.dir, 'sim-root.pem'), '--json');
    assert.equal(anchored.status, 0, anchored.stdout + anchored.stderr);
  });

  it('exits 1 with a clear message on usage errors', async () => {
    const image = await buildFixture('seal-attest');
    const out = join(state.dir, 'never.bin');
    assert.equal(run(state.dir, 'attest', image, '-o', out).status, 1, 'missing --nonce');
    assert.equal(run(state.dir, 'attest', image, '--nonce', 'xyz', '-o', out).status, 1, 'bad hex');
    assert.equal(run(state.dir, 'attest', image, '--nonce', 'aa'.repeat(65), '-o', out).status, 1, 'nonce too long');
    const noEcall = run(state.dir, 'attest', await buildFixture('conformance'), '--nonce', nonce, '--ecall', 'getEvidence', '-o', out);
    assert.equal(noEcall.status, 1);
    assert.match(noEcall.stderr, /no ecall "getEvidence"/);
    const hostChosen = run(state.dir, 'attest', image, '--nonce', nonce, '--report-data', 'cafe', '-o', out);
    assert.equal(hostChosen.status, 1, 'report data only through an ecall of the image');
    assert.match(hostChosen.stderr, /--report-data needs --ecall/);
    // any image, without an evidence ecall of its own, attests through the runtime's built-in
    const builtin = run(state.dir, 'attest', await buildFixture('conformance'), '--nonce', nonce, '-o', out, '--json');
    assert.equal(builtin.status, 0, builtin.stderr);
    const verified = run(state.dir, 'verify-evidence', out, '--nonce', nonce, '--allow-sim', '--json');
    assert.equal(verified.status, 0, verified.stdout);
    assert.equal(JSON.parse(verified.stdout).claims.reportData, toHex(evidenceBinding({ nonce: fromHex(nonce) })));
    assert.equal(run(state.dir, 'attest', join(state.dir, 'missing.sgimg'), '--nonce', nonce, '-o', out).status, 1);
  });
});
