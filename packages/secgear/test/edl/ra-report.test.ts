/**
 * sg_ra_report.edl (after secGear's): the remote-attestation report ecall that the generated
 * enclave code implements. Through a copying boundary (the default implementation, the short
 * buffer contract, the host's reader, property tests) and through a real enclave on the sim
 * backend, whose evidence then verifies.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import ts from 'typescript';
import { evidenceBinding, verifyEvidence } from '../../src/attest/index.js';
import { loadSimPlatformState, readSimRootCertificate } from '../../src/backends/sim-platform/index.js';
import { SecGearError } from '../../src/common/errors.js';
import { generate } from '../../src/edl/index.js';
import { createEnclave } from '../../src/host/index.js';
import { buildImage } from '../../src/image/build-image.js';
import { testKey } from '../support/fixtures.js';
import { repoRoot } from '../support/paths.js';
import { tempStateDir } from '../support/sim-platform-harness.js';
import { boundary, errorsModule, loadGenerated, memFs, parse, rejectsWith, runtimeModule } from './support.js';

const SHORT_BUFFER = 0xffff0010 | 0;
const SIM_TYPE = 'application/vnd.secgear.sim-evidence';

/** secGear's examples/helloworld/helloworld.edl on its qt_dev branch, the file it imports, as they are. */
const HELLOWORLD = `enclave {
    include "secgear_urts.h"
    from "secgear_tstdc.edl" import *;
    from "sg_ra_report.edl" import *;
    trusted {
        public int get_string([out, size=32]char *buf);
        public int get_random([out, size=buf_len]char *buf, int buf_len);
    };
};`;

const bytes = (...b: number[]) => new Uint8Array(b);

async function setup(source = HELLOWORLD) {
  const loaded = await loadGenerated(source);
  const seen: unknown[] = [];
  let evidence = { mediaType: SIM_TYPE, data: new Uint8Array([1, 2, 3, 4, 5]) };
  loaded.onEvidence(async (options) => {
    seen.push(structuredClone(options));
    return structuredClone(evidence);
  });
  const impl = { get_string: (buf: Uint8Array) => (buf.fill(1), 0), get_random: () => 0 };
  const enclave = boundary(loaded, loaded.t.createEcallTable(impl));
  return { ...loaded, seen, enclave, impl, setEvidence: (e: typeof evidence) => (evidence = e) };
}

test('sg_ra_report: secGear\'s helloworld EDL with its sg_ra_report.edl import parses, checks and declares the report ecall', () => {
  const { model } = parse(HELLOWORLD);
  assert.deepEqual(model.ecalls.map((e) => [e.name, e.isPublic]), [['qt_enclave_att_report', true], ['get_string', true], ['get_random', true]]);
  const qt = model.ecalls[0];
  assert.deepEqual(qt.params.map((p) => p.name), ['nonce', 'nonce_len', 'report', 'report_len', 'real_len']);
  const result = generate(parse(HELLOWORLD));
  assert.deepEqual(result.manifest.ecalls[0], { name: 'qt_enclave_att_report', public: true, switchless: false });
  const t = result.files.find((f) => f.side === 'trusted')!.contents;
  assert.match(t, /import \{ getEvidence as \$getEvidence, ocall as \$ocall \} from 'secgear\/enclave';/);
  assert.match(t, /\$getEvidence\(\{ nonce \}\)/, 'the generated implementation passes the nonce and nothing else');
  assert.doesNotMatch(t, /reportData/, 'nothing the host sends can become report data');
  assert.match(result.files.find((f) => f.side === 'untrusted')!.contents, /export function decodeRaReport\(/);
});

test('sg_ra_report: the generated implementation answers with the evidence as a CMW record; the host chooses only the nonce', async () => {
  const { u, enclave, seen } = await setup();
  const nonce = new Uint8Array(32).fill(0xa5);
  const r = await u.qt_enclave_att_report(enclave, nonce, 4096);
  assert.equal(r.retval, 0);
  assert.equal(r.report.length, 4096);
  // [ "application/vnd.secgear.sim-evidence", h'0102030405' ] in CBOR
  const type = new TextEncoder().encode(SIM_TYPE);
  const expected = new Uint8Array([0x82, 0x78, type.length, ...type, 0x45, 1, 2, 3, 4, 5]);
  assert.equal(r.real_len, expected.length);
  assert.deepEqual(r.report.subarray(0, r.real_len), expected);
  assert.ok(r.report.subarray(r.real_len).every((b: number) => b === 0));
  assert.deepEqual(u.decodeRaReport(r), { mediaType: SIM_TYPE, data: bytes(1, 2, 3, 4, 5) });
  assert.deepEqual(seen, [{ nonce }], 'getEvidence saw the nonce and no report data');
  // no nonce (nonce_len 0) is an empty nonce
  await u.qt_enclave_att_report(enclave, new Uint8Array(0), 64);
  assert.deepEqual(seen[1], { nonce: new Uint8Array(0) });
});

test('sg_ra_report: a report buffer too small gets nothing, retval CC_ERROR_SHORT_BUFFER and the size needed', async () => {
  const { u, enclave } = await setup();
  const full = await u.qt_enclave_att_report(enclave, bytes(1), 1024);
  const short = await u.qt_enclave_att_report(enclave, bytes(1), full.real_len - 1);
  assert.deepEqual([short.retval, short.real_len], [SHORT_BUFFER, full.real_len]);
  assert.ok(short.report.every((b: number) => b === 0), 'nothing written');
  assert.throws(() => u.decodeRaReport(short), (e: SecGearError) => e.code === 'CC_ERROR_BAD_PARAMETERS' && new RegExp(`needs ${full.real_len} bytes, report_len was ${full.real_len - 1}`).test(e.message));
  const exact = await u.qt_enclave_att_report(enclave, bytes(1), full.real_len);
  assert.deepEqual(u.decodeRaReport(exact), u.decodeRaReport(full));
  const empty = await u.qt_enclave_att_report(enclave, bytes(1), 0);
  assert.deepEqual([empty.retval, empty.report.length], [SHORT_BUFFER, 0]);
});

test('sg_ra_report: bad values are refused on both sides; the platform\'s refusal reaches the host', async () => {
  const { u, t, enclave, seen, onEvidence } = await setup();
  await rejectsWith(u.qt_enclave_att_report(enclave, bytes(1)), 'CC_ERROR_BAD_PARAMETERS', /size of report: .*got undefined/);
  await rejectsWith(u.qt_enclave_att_report(enclave, [1, 2], 64), 'CC_ERROR_BAD_PARAMETERS', /ecall qt_enclave_att_report: nonce: expected a Uint8Array/);
  await rejectsWith(u.qt_enclave_att_report(enclave, bytes(1), 2 ** 31), 'CC_ERROR_BAD_PARAMETERS', /size of report: expected a size from 0 to 67108864/);
  const table = t.createEcallTable({ get_string: () => 0, get_random: () => 0 });
  await rejectsWith(table.qt_enclave_att_report(bytes(1, 2), 1, null, 64, null), 'CC_ERROR_BAD_PARAMETERS', /nonce: expected a Uint8Array of 1 bytes/);
  await rejectsWith(table.qt_enclave_att_report(bytes(1), 1, null, 2 ** 32, null), 'CC_ERROR_BAD_PARAMETERS', /report_len: expected a uint32/);
  await rejectsWith(table.qt_enclave_att_report(bytes(1), 1, new Uint8Array(64), 64, null), 'CC_ERROR_BAD_PARAMETERS', /report: expected null/);
  await rejectsWith(table.qt_enclave_att_report(bytes(1), 1, null, 64, null, 'extra'), 'CC_ERROR_BAD_PARAMETERS', /expected 5 arguments, got 6/);
  assert.equal(seen.length, 0, 'no bad call reached getEvidence');
  onEvidence(async () => {
    throw new SecGearError('CC_ERROR_BAD_PARAMETERS', 'nonce must be a Uint8Array of at most 64 bytes');
  });
  await rejectsWith(table.qt_enclave_att_report(new Uint8Array(65), 65, null, 64, null), 'CC_ERROR_BAD_PARAMETERS', /at most 64 bytes/);
});

test('sg_ra_report: the trusted code may override the implementation; it need not write it, but must write its own ecalls', async () => {
  const loaded = await setup();
  const { t, u } = loaded;
  const own = t.createEcallTable({
    get_string: () => 0,
    get_random: () => 0,
    qt_enclave_att_report: (_n: Uint8Array, _l: number, report: Uint8Array, _rl: number, real: { value: number }) => {
      report.set(bytes(0x82, 0x61, 0x78, 0x40));
      real.value = 4;
      return 0;
    },
  });
  assert.deepEqual(u.decodeRaReport(await u.qt_enclave_att_report(boundary(loaded, own), bytes(), 8)), { mediaType: 'x', data: bytes() });
  assert.throws(() => t.createEcallTable({ get_random: () => 0 }), /the implementation has no function "get_string"/);
  // an EDL that declares nothing else still gets a complete table
  const only = await loadGenerated('enclave { from "sg_ra_report.edl" import *; };');
  only.onEvidence(async () => ({ mediaType: 'a/b', data: bytes(9) }));
  const r = await only.u.qt_enclave_att_report(boundary(only, only.t.createEcallTable()), bytes(7), 16);
  assert.deepEqual(only.u.decodeRaReport(r), { mediaType: 'a/b', data: bytes(9) });
  // the host function's name is taken
  assert.throws(
    () => generate(parse('enclave {\n  from "sg_ra_report.edl" import *;\n  trusted { public void decodeRaReport(); };\n};')),
    /test\.edl:3:25: error: 'decodeRaReport' would be exported twice from test_u\.ts/,
  );
  // a file of the same name on the search path is the application's: no generated implementation
  const mine = parse('enclave { from "sg_ra_report.edl" import *; };', { fs: memFs({ '/mine/sg_ra_report.edl': 'enclave { trusted { public int qt_enclave_att_report(); }; };' }), searchPath: ['/mine'] });
  const files = generate(mine).files;
  assert.doesNotMatch(files.find((f) => f.side === 'trusted')!.contents, /\$stdEcalls|getEvidence/);
  assert.doesNotMatch(files.find((f) => f.side === 'untrusted')!.contents, /decodeRaReport/);
});

test('sg_ra_report: lengths use CBOR\'s shortest form at every boundary', async () => {
  const { u, enclave, setEvidence } = await setup();
  const heads: [number, number[]][] = [[23, [0x57]], [24, [0x58, 24]], [255, [0x58, 255]], [256, [0x59, 1, 0]], [65535, [0x59, 255, 255]], [65536, [0x5a, 0, 1, 0, 0]]];
  for (const [n, head] of heads) {
    const data = new Uint8Array(n).map((_, i) => i);
    // the media type and the evidence share the head encoding (major types 3 and 2)
    setEvidence({ mediaType: 't'.repeat(n), data });
    const r = await u.qt_enclave_att_report(enclave, bytes(), 140_000);
    assert.deepEqual([...r.report.subarray(1, 1 + head.length)], [head[0] + 0x20, ...head.slice(1)], `media type of ${n} bytes`);
    const at = 1 + head.length + n;
    assert.deepEqual([...r.report.subarray(at, at + head.length)], head, `evidence of ${n} bytes`);
    assert.equal(r.real_len, at + head.length + n);
    assert.deepEqual(u.decodeRaReport(r), { mediaType: 't'.repeat(n), data });
  }
});

test('sg_ra_report: decodeRaReport refuses anything but one CMW record, with a clear error', async () => {
  const { u } = await setup();
  const read = (report: Uint8Array, real_len = report.length, retval = 0) => u.decodeRaReport({ retval, report, real_len });
  const bad: [Uint8Array, RegExp, number?][] = [
    [bytes(), /expected an array at byte 0/],
    [bytes(0x83, 0x61, 0x78, 0x40, 0x00), /expected an array of 2 items/],
    [bytes(0xa2), /expected an array at byte 0/],
    [bytes(0x82, 0x41, 0x78, 0x40), /expected a text string \(the media type\) at byte 1/],
    [bytes(0x82, 0x60, 0x40), /empty media type/],
    [bytes(0x82, 0x65, 0x78), /truncated/],
    [bytes(0x82, 0x62, 0xc3, 0x28, 0x40), /the media type is not UTF-8/],
    [bytes(0x82, 0x61, 0x78, 0x60), /expected a byte string \(the evidence\) at byte 3/],
    [bytes(0x82, 0x61, 0x78, 0x43, 1, 2), /truncated/],
    [bytes(0x82, 0x61, 0x78, 0x41, 1, 2), /1 bytes after the record/],
    [bytes(0x82, 0x61, 0x78, 0x58, 3, 1, 2, 3), /a length at byte 3 is not in shortest form/],
    [bytes(0x82, 0x61, 0x78, 0x59, 0, 3, 1, 2, 3), /not in shortest form/],
    [bytes(0x82, 0x61, 0x78, 0x5b, 0, 0, 0, 0, 0, 0, 0, 1, 1), /unsupported length encoding at byte 3/],
    [bytes(0x82, 0x61, 0x78, 0x5f, 0x41, 1, 0xff), /unsupported length encoding/],
    [bytes(0x82, 0x61, 0x78, 0x5a, 0, 0), /truncated/],
  ];
  for (const [report, message] of bad) {
    assert.throws(() => read(report), (e: SecGearError) => e.code === 'CC_ERROR_INVALID_EVIDENCE' && message.test(e.message) && /not a CMW record/.test(e.message), `${Buffer.from(report).toString('hex')}`);
  }
  for (const realLen of [-1, 1.5, 5, Number.NaN]) assert.throws(() => read(bytes(0x82, 0x61, 0x78, 0x40), realLen), /real_len .* is outside the report buffer/);
  assert.throws(() => read(bytes(), 0, 7), (e: SecGearError) => e.code === 'CC_ERROR_GENERIC' && /failed with retval 7/.test(e.message));
  // what follows real_len is not the record's
  assert.deepEqual(read(bytes(0x82, 0x61, 0x78, 0x40, 0xff, 0xff), 4), { mediaType: 'x', data: bytes() });
  // the evidence is a copy: the caller's buffer can be reused
  const report = bytes(0x82, 0x61, 0x78, 0x41, 7);
  const out = read(report);
  report[4] = 0;
  assert.deepEqual(out.data, bytes(7));
});

test('sg_ra_report: property: every evidence comes back as it went in; no byte string crashes the reader', async () => {
  const { u, enclave, setEvidence } = await setup();
  await fc.assert(
    fc.asyncProperty(fc.string({ minLength: 1, maxLength: 300, unit: 'grapheme' }), fc.uint8Array({ maxLength: 600 }), async (mediaType, data) => {
      setEvidence({ mediaType, data });
      const r = await u.qt_enclave_att_report(enclave, bytes(1), 2048);
      assert.deepEqual(u.decodeRaReport(r), { mediaType, data });
    }),
    { seed: 0x5a7e, numRuns: 150 },
  );
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), fc.nat(70), (report, cut) => {
      try {
        const e = u.decodeRaReport({ retval: 0, report, real_len: Math.min(cut, report.length) });
        assert.equal(typeof e.mediaType, 'string');
        assert.ok(e.data instanceof Uint8Array);
      } catch (error) {
        assert.equal((error as SecGearError).code, 'CC_ERROR_INVALID_EVIDENCE', String(error));
      }
    }),
    { seed: 0x5a7f, numRuns: 2000 },
  );
  // every mutation of a valid record decodes to something or is refused, never a crash
  const valid = bytes(0x82, 0x63, 0x61, 0x2f, 0x62, 0x43, 1, 2, 3);
  fc.assert(
    fc.property(fc.nat(valid.length - 1), fc.integer({ min: 1, max: 255 }), (at, xor) => {
      const m = valid.slice();
      m[at] ^= xor;
      try {
        u.decodeRaReport({ retval: 0, report: m, real_len: m.length });
      } catch (error) {
        assert.equal((error as SecGearError).code, 'CC_ERROR_INVALID_EVIDENCE', String(error));
      }
    }),
    { seed: 0x5a80, numRuns: 500 },
  );
});

// the sim backend starts its worker from compiled code: this one runs under npm test (dist), not tsx
const compiled = import.meta.url.endsWith('.js');

test('sg_ra_report: a real enclave (sim backend) serves the report; its evidence verifies with the nonce and no data bound', { skip: !compiled && 'needs the compiled sim backend: run it with npm test' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'secgear-ra-report-'));
  const state = tempStateDir();
  const src = join(repoRoot, 'packages', 'secgear', 'src');
  const parsed = parse(HELLOWORLD, { fileName: join(dir, 'helloworld.edl') });
  const trusted = generate(parsed, { modules: { errors: join(src, 'common', 'errors.ts'), enclave: join(src, 'enclave', 'index.ts'), runtime: join(src, 'edl', 'runtime', 'index.ts') } });
  for (const f of trusted.files) writeFileSync(join(dir, f.name), f.contents);
  writeFileSync(
    join(dir, 'enclave.ts'),
    [
      `import { defineEnclave } from ${JSON.stringify(join(src, 'enclave', 'index.ts'))};`,
      "import { createEcallTable } from './helloworld_t.js';",
      'defineEnclave({ ecalls: createEcallTable({ get_string: (buf) => (buf.set(new TextEncoder().encode("This is a sample")), 0), get_random: (buf) => (buf.fill(4), 0) }) });',
      '',
    ].join('\n'),
  );
  const { manifest: m } = trusted;
  const built = await buildImage({
    entry: join(dir, 'enclave.ts'),
    manifest: { name: 'ra-report', version: '1.0.0', prodId: 1, svn: 1, heapLimitMb: 32, maxConcurrentEcalls: 2, ecalls: m.ecalls, ocalls: m.ocalls, edlHash: m.edlHash },
    key: testKey(),
  });
  // the host side, as the application compiles it
  const host = generate(parsed, { modules: { errors: errorsModule, enclave: 'unused', runtime: runtimeModule } }).files.find((f) => f.side === 'untrusted')!;
  const hostPath = join(dir, 'helloworld_u.mjs');
  writeFileSync(hostPath, ts.transpileModule(host.contents, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } }).outputText);
  const u = await import(pathToFileURL(hostPath).href);

  const enclave = await createEnclave(built.bytes, { type: 'sim', ocalls: u.createOcallTable({}), platform: { stateDir: state.dir } });
  try {
    const nonce = new Uint8Array(24).fill(0x3c);
    const evidence = u.decodeRaReport(await u.qt_enclave_att_report(enclave, nonce, 16384));
    assert.equal(evidence.mediaType, SIM_TYPE);
    loadSimPlatformState(state.dir);
    const trustAnchors = [{ kind: 'x509' as const, der: readSimRootCertificate(state.dir) as Uint8Array }];
    const ok = await verifyEvidence(evidence, { nonce, allowSimulation: true, trustAnchors });
    assert.equal(ok.verified, true, JSON.stringify(ok.failure));
    assert.deepEqual(ok.claims?.measurement, built.measurement);
    assert.deepEqual(ok.claims?.reportData, evidenceBinding({ nonce }), 'the binding of the nonce and no data: the host chose only the nonce');
    assert.equal((await verifyEvidence(evidence, { nonce, reportData: new Uint8Array(0), allowSimulation: true, trustAnchors })).verified, true);
    const stale = await verifyEvidence(evidence, { nonce: new Uint8Array(24), allowSimulation: true, trustAnchors });
    assert.equal(stale.failure?.check, 'nonce');
    // the same evidence the runtime's built-in gives (enclave.getEvidence)
    assert.equal((await enclave.getEvidence({ nonce })).mediaType, evidence.mediaType);
    const short = await u.qt_enclave_att_report(enclave, nonce, 16);
    assert.equal(short.retval, SHORT_BUFFER);
    assert.ok(short.real_len > 16);
    await rejectsWith(u.qt_enclave_att_report(enclave, new Uint8Array(65), 16384), 'CC_ERROR_BAD_PARAMETERS', /nonce must be a Uint8Array of at most 64 bytes/);
    const hello = await u.get_string(enclave);
    assert.equal(new TextDecoder().decode(hello.buf.subarray(0, 16)), 'This is a sample');
  } finally {
    await enclave.destroy();
    state.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
});
