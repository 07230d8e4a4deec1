// The CLI's answers to input it cannot use: the path and what to do for file errors, "is a
// directory" for a directory, no binary or unbounded echo of arguments, an empty evidence
// file as a usage error, and required options marked in --help.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { describeFsError, echo, safeMessage } from '../../src/cli/output.js';
import { repoRoot } from '../support/paths.js';

const cli = join(repoRoot, 'packages', 'secgear', 'dist', 'src', 'cli', 'main.js');
const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
const dir = mkdtempSync(join(tmpdir(), 'secgear-cli-edges-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/;

describe('CLI rough edges', () => {
  it('a missing file is named, with what to do, exit 1', () => {
    const missing = join(dir, 'nope.bin');
    for (const args of [['verify-evidence', missing], ['inspect', missing], ['attest', missing, '--nonce', 'aa', '-o', join(dir, 'out.bin')]]) {
      const r = run(...args);
      assert.equal(r.status, 1, `${args[0]}: ${r.stderr}`);
      assert.ok(r.stderr.includes(`${missing} does not exist; check the path (ENOENT)`), `${args[0]}: ${r.stderr}`);
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    }
  });

  it('a directory where a file is expected says so', () => {
    for (const args of [['verify-evidence', dir], ['inspect', dir], ['verify', dir]]) {
      const r = run(...args);
      assert.notEqual(r.status, 0);
      assert.ok(`${r.stdout}${r.stderr}`.includes(`${dir} is a directory; pass a file (EISDIR)`), `${args[0]}: ${r.stdout}${r.stderr}`);
    }
  });

  it('an unreadable file says permission denied, unless running as root', { skip: process.getuid?.() === 0 && 'root reads every file' }, () => {
    const locked = join(dir, 'locked.bin');
    writeFileSync(locked, 'x');
    chmodSync(locked, 0);
    assert.match(run('verify-evidence', locked).stderr, /permission denied for .*locked\.bin/);
  });

  it('an empty evidence file is a usage error (exit 1), not a rejected verification (exit 2)', () => {
    const empty = join(dir, 'empty.bin');
    writeFileSync(empty, '');
    const r = run('verify-evidence', empty, '--json');
    assert.equal(r.status, 1);
    assert.match(r.stderr, /the evidence file .*empty\.bin is empty; pass the file that holds the evidence bytes/);
    assert.equal(r.stdout, '');
  });

  it('binary or huge arguments are not echoed', () => {
    const binary = '\u0001\u001b[31m\u0007'.repeat(50);
    const huge = 'z'.repeat(100_000);
    for (const value of [binary, huge]) {
      for (const args of [['attest', join(dir, 'x.sgimg'), '--nonce', value, '-o', join(dir, 'o.bin')], ['verify-evidence', join(dir, 'x'), '--format', value], ['verify-evidence', join(dir, 'x'), '--nonce', value]]) {
        const r = run(...args);
        assert.equal(r.status, 1);
        assert.doesNotMatch(r.stderr, CONTROL, 'no control characters reach the terminal');
        assert.ok(r.stderr.length < 4000, `stderr is ${r.stderr.length} characters`);
      }
    }
  });

  it('--help marks the options a command needs', () => {
    const attest = run('attest', '--help').stdout;
    assert.match(attest, /--nonce <hex>.*\(required\)/);
    assert.match(attest, /-o, --output <file>.*\(required\)/);
    assert.doesNotMatch(attest, /--type <backend>.*\(required\)/);
    assert.doesNotMatch(run('verify-evidence', '--help').stdout, /\(required\)/, 'verify-evidence has no required option');
  });

  it('safeMessage and echo bound and escape anything', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 500 }), (s) => {
        for (const out of [echo(s), safeMessage(`argument '${s}' is invalid`)]) assert.doesNotMatch(out, CONTROL);
        assert.ok(echo(s).length <= 4 * 64 + 40);
      }),
    );
    assert.equal(echo('abc'), 'abc');
    assert.equal(safeMessage("argument 'short' is invalid"), "argument 'short' is invalid");
    const err = Object.assign(new Error('x'), { code: 'EISDIR', syscall: 'read' }) as NodeJS.ErrnoException;
    assert.equal(describeFsError(err, '/data'), '/data is a directory; pass a file (EISDIR)');
    assert.equal(describeFsError(Object.assign(new Error('x'), { code: 'EWEIRD', syscall: 'open', path: '/p' })), 'open failed on /p: EWEIRD');
  });
});
