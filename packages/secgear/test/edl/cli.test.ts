/**
 * `secgear codegen` end to end (the compiled CLI when running compiled, else through tsx),
 * and the `secgear build` manifest step that runs the generator.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { prepareEdlManifest } from '../../src/edl/index.js';
import { normalizeManifest } from '../../src/image/manifest.js';
import { repoRoot } from '../support/paths.js';

const here = dirname(fileURLToPath(import.meta.url));
const compiledCli = join(here, '..', '..', 'src', 'cli', 'main.js');
const distCli = join(repoRoot, 'packages', 'secgear', 'dist', 'src', 'cli', 'main.js');

function cli(args: string[], cwd: string): { status: number | null; stdout: string; stderr: string } {
  // the CLI reads its version from package.json relative to dist/, so run the compiled one
  const main = existsSync(compiledCli) ? compiledCli : distCli;
  const r = spawnSync(process.execPath, [main, ...args], { cwd, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const HELLO = `enclave {
    include "secgear_urts.h"
    from "secgear_tstdc.edl" import *;
    from "lib.edl" import *;
    trusted {
        public int get_string([out, size=BUF_LEN]char *buf);
    };
};
`;

test('cli: secgear codegen writes both sides, honours the directory, search-path, -D and foreign-type flags', { skip: !existsSync(compiledCli) && !existsSync(distCli) && 'build first (npx tsc -b)' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'secgear-codegen-'));
  writeFileSync(join(dir, 'hello.edl'), HELLO);
  const libDir = mkdtempSync(join(tmpdir(), 'secgear-lib-'));
  writeFileSync(join(libDir, 'lib.edl'), 'enclave { untrusted { void lib_ocall([in, isary] key_t k); }; };');
  const ok = cli(['codegen', 'hello.edl', '--trusted-dir', 'enclave', '--untrusted-dir', 'host', '--search-path', `/nonexistent:${libDir}`, '-D', 'BUF_LEN=32', '--foreign-type', 'key_t=uint8_t[16]'], dir);
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /wrote enclave\/hello_t\.ts\nedlHash|wrote host\/hello_u\.ts/);
  assert.match(ok.stdout, /edlHash [0-9a-f]{96}/);
  const u = readFileSync(join(dir, 'host', 'hello_u.ts'), 'utf8');
  const t = readFileSync(join(dir, 'enclave', 'hello_t.ts'), 'utf8');
  assert.match(u, /export async function get_string\(enclave: EcallTarget, options\?: EcallOptions\): Promise<\{ retval: number; 'buf': Uint8Array \}>/);
  assert.match(t, /export async function lib_ocall\(k: Uint8Array\)/);
  assert.match(t, /new Uint8Array\(32\)/);

  const only = cli(['codegen', join(dir, 'hello.edl'), '--untrusted', '--untrusted-dir', join(dir, 'only'), '--search-path', libDir, '-D', 'BUF_LEN=8', '--foreign-type', 'key_t=uint8_t[16]', '--json'], tmpdir());
  assert.equal(only.status, 0, only.stderr);
  const json = JSON.parse(only.stdout) as { files: string[]; manifest: { ecalls: { name: string }[]; ocalls: { name: string }[] } };
  assert.deepEqual(json.files, [join(dir, 'only', 'hello_u.ts')]);
  assert.deepEqual(json.manifest.ecalls.map((e) => e.name), ['get_string']);
  assert.ok(!existsSync(join(dir, 'only', 'hello_t.ts')));
});

test('cli: secgear codegen prints every diagnostic as file:line:col and exits 1; usage errors exit 1', { skip: !existsSync(compiledCli) && !existsSync(distCli) && 'build first (npx tsc -b)' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'secgear-codegen-'));
  writeFileSync(join(dir, 'bad.edl'), 'enclave {\n  trusted {\n    public int f([out, string] char *s, [in] void *p);\n  };\n};\n');
  const bad = cli(['codegen', 'bad.edl'], dir);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /bad\.edl:3:24: error: parameter 's': 'string'\/'wstring' must be used with an 'in' attribute \(fix: /);
  assert.match(bad.stderr, /bad\.edl:3:52: error: 'f': 'p': void pointer 'p' - buffer size unknown/);
  assert.match(bad.stderr, /2 errors; nothing written/);
  assert.ok(!existsSync(join(dir, 'bad_u.ts')));
  const badJson = cli(['codegen', 'bad.edl', '--json'], dir);
  assert.equal(badJson.status, 1);
  const report = JSON.parse(badJson.stdout) as { ok: boolean; code: string; diagnostics: Array<{ line: number; col: number; severity: string; message: string }> };
  assert.equal(report.ok, false);
  assert.equal(report.code, 'CC_ERROR_EDL_SEMANTIC');
  assert.deepEqual(report.diagnostics.filter((d) => d.severity === 'error').map((d) => [d.line, d.col]), [[3, 24], [3, 52]]);
  const missing = cli(['codegen', 'nope.edl'], dir);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /cannot read EDL file "nope\.edl"/);
  const both = cli(['codegen', 'bad.edl', '--trusted', '--untrusted'], dir);
  assert.equal(both.status, 1);
  assert.match(both.stderr, /--trusted and --untrusted exclude each other/);
  writeFileSync(join(dir, 'warn.edl'), 'enclave { trusted { public void f([user_check] void *p); }; };');
  const warn = cli(['codegen', 'warn.edl'], dir);
  assert.equal(warn.status, 0);
  assert.match(warn.stderr, /warn\.edl:1:54: warning: 'f': 'p': user_check pointer 'p' cannot cross a JavaScript boundary/);
});

test('build: a manifest naming an EDL gets its declarations and hash; generated files land beside the EDL', () => {
  const dir = mkdtempSync(join(tmpdir(), 'secgear-build-edl-'));
  writeFileSync(join(dir, 'app.edl'), 'enclave { trusted { public void go(void) transition_using_threads; int cb(void); }; untrusted { void ping(void) allow(cb); }; };');
  const prepared = prepareEdlManifest({ name: 'app', edl: 'app.edl', svn: 2 }, dir);
  const manifest = normalizeManifest(prepared);
  assert.deepEqual(manifest.ecalls, [{ name: 'go', public: true, switchless: true }, { name: 'cb', public: false, switchless: false }]);
  assert.deepEqual(manifest.ocalls, [{ name: 'ping', allow: ['cb'] }]);
  assert.match(manifest.edlHash ?? '', /^[0-9a-f]{96}$/);
  assert.equal(manifest.svn, 2);
  const t = join(dir, 'app_t.ts');
  assert.ok(existsSync(t) && existsSync(join(dir, 'app_u.ts')));
  assert.ok(readFileSync(t, 'utf8').includes(manifest.edlHash!));
  // unchanged output is not rewritten (keeps incremental builds incremental)
  const before = statSync(t).mtimeMs;
  prepareEdlManifest({ name: 'app', edl: 'app.edl' }, dir);
  assert.equal(statSync(t).mtimeMs, before);
  // without edl the input passes through untouched
  const plain = { name: 'plain', ecalls: ['x'] };
  assert.equal(prepareEdlManifest(plain, dir), plain);
});

test('build: manifest errors: both EDL and ecalls, a bad edl field, an EDL with errors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'secgear-build-edl-'));
  writeFileSync(join(dir, 'bad.edl'), 'enclave { trusted { public void f([in] void *p); }; };');
  assert.throws(() => prepareEdlManifest({ name: 'x', edl: 'bad.edl', ecalls: ['f'] }, dir), { code: 'CC_ERROR_INVALID_MANIFEST', message: /the EDL declares them/ });
  assert.throws(() => prepareEdlManifest({ name: 'x', edl: '' }, dir), { code: 'CC_ERROR_INVALID_MANIFEST' });
  assert.throws(() => prepareEdlManifest({ name: 'x', edl: 'bad.edl' }, dir), { code: 'CC_ERROR_EDL_SEMANTIC', message: /bad\.edl:1:46: error: 'f': 'p': void pointer/ });
  assert.throws(() => prepareEdlManifest({ name: 'x', edl: 'missing.edl' }, dir), { code: 'CC_ERROR_EDL_IMPORT' });
});

test('build: a generated file that cannot be written is a build error', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'secgear-build-ro-'));
  writeFileSync(join(dir, 'ro.edl'), 'enclave { trusted { public void go(void); }; };');
  mkdirSync(join(dir, 'ro_u.ts')); // a folder where the file should go: no one can write it, not even root
  assert.throws(() => prepareEdlManifest({ name: 'ro', edl: 'ro.edl' }, dir), { code: 'CC_ERROR_BUILD_FAILED', message: /cannot write the generated .*ro_u\.ts/ });
});

test('build: edlOptions give the EDL step a search path, macros and foreign types; bad options name the field', () => {
  const dir = mkdtempSync(join(tmpdir(), 'secgear-build-edl-opts-'));
  mkdirSync(join(dir, 'edl-lib'));
  writeFileSync(join(dir, 'edl-lib', 'shared.edl'), 'enclave { untrusted { void note(my_handle_t h); }; };');
  writeFileSync(join(dir, 'app.edl'), 'enclave { from "shared.edl" import *; trusted { public int get([out, size=LEN] char *buf); }; };');
  const input = { name: 'app', edl: 'app.edl', edlOptions: { searchPath: ['edl-lib'], defines: { LEN: 48 }, foreignTypes: { my_handle_t: 'handle' } } };
  assert.throws(() => prepareEdlManifest({ name: 'app', edl: 'app.edl' }, dir), { code: 'CC_ERROR_EDL_IMPORT' });
  const manifest = normalizeManifest(prepareEdlManifest(input, dir));
  assert.deepEqual(manifest.ecalls.map((e) => e.name), ['get']);
  assert.ok(manifest.ocalls.some((o) => o.name === 'note'));
  assert.ok(readFileSync(join(dir, 'app_t.ts'), 'utf8').includes('48'), 'the macro sized the buffer');
  for (const [edlOptions, field] of [
    [{ searchPath: 'edl-lib' }, /edlOptions\.searchPath/],
    [{ defines: { LEN: [1] } }, /edlOptions\.defines/],
    [{ foreignTypes: { t: 1 } }, /edlOptions\.foreignTypes/],
    [{ maxBufferBytes: -1 }, /edlOptions\.maxBufferBytes/],
    [{ colour: 'red' }, /unknown field "colour"/],
  ] as const) {
    assert.throws(() => prepareEdlManifest({ name: 'app', edl: 'app.edl', edlOptions: edlOptions as never }, dir), { code: 'CC_ERROR_INVALID_MANIFEST', message: field });
  }
});
