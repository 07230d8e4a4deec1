/**
 * `secgear verify-evidence` through the real compiled binary: collateral and anchors given as
 * files and folders (roles recognised by content), exit codes 0 / 2 / 1.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { listVerifiers } from '../../src/attest/index.js';
import { loadSimPlatformState, ROOT_CERT_FILE } from '../../src/backends/sim-platform/index.js';
import { getEvidence } from '../../src/enclave/evidence.js';
import { repoRoot, vectorPath } from '../support/paths.js';
import { enterEnclave, makeIdentity, tempStateDir } from '../support/sim-platform-harness.js';

const cli = join(repoRoot, 'packages', 'secgear', 'dist', 'src', 'cli', 'main.js');
const run = (...args: string[]) => spawnSync(process.execPath, [cli, 'verify-evidence', ...args], { encoding: 'utf8' });
const v = vectorPath;

interface Json {
  verified: boolean;
  format: string;
  tee: string;
  failure: { check: string; message: string } | null;
  claims: { tcbStatus: string | null; advisoryIds: string[]; measurement: string; reportData: string } | null;
  rawClaims: Record<string, unknown>;
  appraisal: { status: string; reasons: string[] };
}
const json = (r: ReturnType<typeof run>) => JSON.parse(r.stdout) as Json;

describe('secgear verify-evidence', () => {
  const temp = mkdtempSync(join(tmpdir(), 'secgear-verify-evidence-'));
  after(() => rmSync(temp, { recursive: true, force: true }));

  it('verifies the dcap-qvl SGX quote with its collateral bundle: exit 0, status and advisories, bytes as hex', () => {
    const r = run(v('sgx-dcap/dcap-qvl/sgx_quote.bin'), '--collateral', v('sgx-dcap/dcap-qvl/sgx_quote_collateral.json'), '--at', '2025-07-19T10:01:17Z', '--json');
    assert.equal(r.status, 0, r.stderr);
    const out = json(r);
    assert.equal(out.verified, true);
    assert.equal(out.format, 'sgx-dcap');
    assert.equal(out.claims?.tcbStatus, 'ConfigurationAndSWHardeningNeeded');
    assert.deepEqual(out.claims?.advisoryIds, ['INTEL-SA-00289', 'INTEL-SA-00615']);
    assert.match(out.claims?.measurement ?? '', /^[0-9a-f]{64}$/);
    assert.match(out.claims?.reportData ?? '', /^[0-9a-f]{128}$/);
    assert.equal(out.appraisal.status, 'warning');
  });

  it('exits 2 with the failed check once the collateral has expired', () => {
    const r = run(v('sgx-dcap/dcap-qvl/sgx_quote.bin'), '--collateral', v('sgx-dcap/dcap-qvl/sgx_quote_collateral.json'), '--at', '2025-07-20T00:00:00Z', '--json');
    assert.equal(r.status, 2);
    assert.match(json(r).failure?.check ?? '', /validity$/);
  });

  it('takes collateral as repeated folders and files, detects the format, and skips what is not collateral', () => {
    const r = run(
      v('tdx/automata/tdx_v4_quote_0625.bin'),
      '--collateral', v('tdx/automata/0625'),
      '--collateral', v('sgx-dcap/automata/pcs_certs'),
      '--collateral', v('tdx/automata/platform_crl_0625_from_sol.der'),
      '--at', '2025-06-05T03:45:00Z',
      '--json',
    );
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const out = json(r);
    assert.equal(out.format, 'tdx');
    assert.equal(out.rawClaims.trailingBytes, 3065);
    assert.equal(out.claims?.tcbStatus, 'OutOfDate');
    assert.match(r.stderr, /skipped .*\.hex/, 'hex copies of certificates are listed as skipped');
  });

  it('accepts a test root only when passed with --anchors, and --only-anchors drops the built-in roots', () => {
    const dir = v('sgx-dcap/intel-qvl-sampledata-SYNTHETIC');
    const collateral = ['tcbInfo.json', 'qeIdentity.json', 'intermediateCaCrl.der', 'rootCaCrl.der', 'tcbSignChain.pem', 'pckCert.pem', 'pckSignChain.pem'].flatMap((f) => ['--collateral', join(dir, f)]);
    const at = ['--at', '2025-01-01T00:00:00Z', '--json'];
    assert.equal(run(join(dir, 'quote.dat'), ...collateral, ...at).status, 2, 'not against the built-in Intel root');
    const explicit = run(join(dir, 'quote.dat'), ...collateral, '--anchors', join(dir, 'trustedRootCaCert.pem'), ...at);
    assert.equal(explicit.status, 0, explicit.stdout);
    assert.equal(json(explicit).claims?.tcbStatus, 'UpToDate');
    const realOnly = run(join(dir, 'quote.dat'), ...collateral, '--anchors', v('roots/intel-sgx-root-ca/dcap-qvl_TrustedRootCA.der'), '--only-anchors', ...at);
    assert.equal(realOnly.status, 2);
    const none = run(v('tdx/trustee/tdx_quote_4.dat'), '--only-anchors', '--at', '2026-01-01T00:00:00Z', '--json');
    assert.equal(none.status, 2);
  });

  it('reads quotes stored as 0x-prefixed hex text; without collateral the TCB status is unknown', () => {
    const r = run(v('tdx/dcap-qvl/tdx-quote.hex'), '--at', '2026-01-01T00:00:00Z', '--json');
    assert.equal(r.status, 0, r.stdout);
    const out = json(r);
    assert.equal(out.claims?.tcbStatus, null);
    assert.equal(out.appraisal.status, 'warning');
  });

  it('checks --nonce against REPORTDATA', () => {
    const quote = v('tdx/trustee/tdx_quote_4.dat');
    const r = run(quote, '--nonce', 'deadbeef', '--at', '2026-01-01T00:00:00Z', '--json');
    assert.equal(r.status, 2);
    assert.equal(json(r).failure?.check, 'nonce.binding');
  });

  it('prints a readable summary without --json', () => {
    const r = run(v('tdx/trustee/tdx_quote_4.dat'), '--at', '2026-01-01T00:00:00Z');
    assert.equal(r.status, 0);
    assert.match(r.stdout, /^VERIFIED /);
    assert.match(r.stdout, /ok {3}quote\.signature/);
  });

  it('accepts simulated evidence only with --allow-sim (and its sim root as anchor)', async () => {
    const state = tempStateDir();
    try {
      loadSimPlatformState(state.dir);
      enterEnclave(makeIdentity({ prodId: 1, svn: 1 }), state.dir);
      const nonce = new Uint8Array(16).fill(7);
      const envelope = await getEvidence({ nonce });
      const file = join(temp, 'sim.evidence');
      writeFileSync(file, envelope.data);
      const args = [file, '--anchors', join(state.dir, ROOT_CERT_FILE), '--nonce', Buffer.from(nonce).toString('hex'), '--json'];
      const allowed = run(...args, '--allow-sim');
      assert.equal(allowed.status, 0, allowed.stdout + allowed.stderr);
      assert.equal(json(allowed).tee, 'sim');
      assert.equal(run(...args).status, 2);
    } finally {
      state.cleanup();
    }
  });

  it('exits 1 on usage errors', () => {
    const quote = v('tdx/trustee/tdx_quote_4.dat');
    const junk = join(temp, 'junk.txt');
    writeFileSync(junk, 'nothing to see');
    for (const args of [[], [quote, '--at', 'yesterday'], [quote, '--format', 'tpm'], [quote, '--nonce', 'xyz'], [join(temp, 'missing.bin')], [quote, '--collateral', junk], [quote, '--anchors', junk]]) {
      const r = run(...args);
      assert.equal(r.status, 1, `${args.join(' ')} -> ${r.status}: ${r.stderr}`);
      assert.ok(r.stderr.length > 0, 'says why on stderr');
    }
  });

  // one accepted sample per registered format, with collateral and anchors recognised by content
  const manifest = JSON.parse(readFileSync(v('manifest.json'), 'utf8')) as {
    entries: Array<{ id: string; format: string; evidence: string; collateral: Record<string, string>; anchors: string[]; at: string | null; expect: { verified: boolean } }>;
  };
  const formats = new Set<string>(listVerifiers().map((x) => x.format));
  const seen = new Set<string>();
  for (const entry of manifest.entries) {
    if (!entry.expect.verified || seen.has(entry.format) || !formats.has(entry.format)) continue;
    seen.add(entry.format);
    it(`${entry.format}: ${entry.id} verifies through the CLI (exit 0, or 2 when the appraisal is contraindicated)`, () => {
      const args = [v(entry.evidence), '--format', entry.format, '--at', entry.at ?? '2026-01-01T00:00:00Z', '--json'];
      for (const path of Object.values(entry.collateral)) args.push('--collateral', v(path));
      for (const path of entry.anchors) args.push('--anchors', v(path));
      const r = run(...args);
      const result = json(r);
      assert.equal(result.verified, true, r.stdout + r.stderr);
      // verified but contraindicated (e.g. a virtCCA token with no platform token) must not pass a script's check
      assert.equal(r.status, result.appraisal.status === 'contraindicated' ? 2 : 0, r.stdout + r.stderr);
    });
  }
});
