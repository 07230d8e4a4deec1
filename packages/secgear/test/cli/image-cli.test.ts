import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../support/paths.js';
import { fixtureEntry, scratchDir } from '../support/fixtures.js';

const cli = join(repoRoot, 'packages', 'secgear', 'dist', 'src', 'cli', 'main.js');
const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });

test('secgear keygen, build, inspect --json and verify work end to end; verify exits 2 on a tampered image', () => {
  const dir = scratchDir();
  const key = join(dir, 'cli-key.pem');
  const image = join(dir, 'cli.sgimg');
  const manifest = join(repoRoot, 'packages', 'secgear', 'test', 'fixtures', 'enclaves', 'conformance.json');
  assert.equal(run('keygen', '-o', key).status, 0);
  assert.equal(statSync(key).mode & 0o777, 0o600);
  const again = run('keygen', '-o', key);
  assert.equal(again.status, 1, 'keygen does not overwrite without --force');
  assert.match(again.stderr, /already exists.*--force/);
  const built = JSON.parse(execFileSync(process.execPath, [cli, 'build', fixtureEntry('conformance'), '--manifest', manifest, '--key', key, '-o', image, '--json'], { encoding: 'utf8' }));
  const info = JSON.parse(run('inspect', image, '--json').stdout);
  assert.deepEqual(
    { name: info.name, version: info.version, prodId: info.prodId, svn: info.svn, debug: info.debug },
    { name: 'conformance', version: '1.0.0', prodId: 7, svn: 3, debug: false },
  );
  assert.equal(info.measurement, built.measurement);
  assert.equal(info.signer, built.signer);
  assert.ok(info.ecalls.some((e: { name: string; switchless?: boolean }) => e.name === 'fastAdd' && e.switchless));
  assert.ok(info.ocalls.some((o: { name: string; allow?: string[] }) => o.name === 'reenter' && o.allow?.includes('inner')));
  const ok = run('verify', image, '--json');
  assert.equal(ok.status, 0);
  assert.equal(JSON.parse(ok.stdout).measurement, built.measurement);
  assert.equal(run('verify', image, '--signer', '00'.repeat(48)).status, 2);
  assert.equal(run('verify', image, '--signer', '00').status, 1, 'a malformed --signer is a usage error');

  const bytes = readFileSync(image);
  bytes[bytes.length - 5] ^= 1;
  const tampered = join(dir, 'cli-tampered.sgimg');
  writeFileSync(tampered, bytes);
  const bad = run('verify', tampered, '--json');
  assert.equal(bad.status, 2);
  assert.equal(JSON.parse(bad.stdout).code, 'CC_ERROR_INVALID_SIGNATURE');
  assert.equal(run('build').status, 1, 'usage errors exit 1');
  const missing = run('inspect', join(dir, 'no-such.sgimg'));
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /^secgear: CC_ERROR_BAD_PARAMETERS: cannot read the enclave image: .*no-such\.sgimg does not exist; check the path \(ENOENT\)/);
  assert.doesNotMatch(missing.stderr, /internal error|\n\s+at /);
});
