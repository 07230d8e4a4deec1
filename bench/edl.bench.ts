/**
 * EDL code generator benchmarks (issue 3), each beside a baseline measured in the same run:
 *  - parse + check + generate a 1,000-function EDL (target: under 1 s) vs TypeScript's
 *    transpileModule of the very files generated (what any build spends on them anyway);
 *  - parse + check alone vs JSON.parse of the same interface as canonical JSON (the same
 *    information in the cheapest format the platform reads);
 *  - the generated boundary checks on a 1 KiB-argument ecall (target: at most +10%) vs the
 *    same ecall in the same enclave without them (a plain function, called raw): p50 and
 *    throughput end to end, and the checks' own CPU time as a share of a raw call.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { buildImage, createEnclave, generateSigningKey } from 'secgear';
import { canonicalInterface, generate, parseEdl, prepareEdlManifest } from 'secgear/edl';
import { concurrentThroughput, latencies, percentile } from './lib/measure.js';
import type { BenchSuite } from './lib/types.js';
import { take1k } from './enclaves/edl-bench_u.js';
import { createEcallTable } from './enclaves/edl-bench_t.js';

const here = dirname(fileURLToPath(import.meta.url));
const sourceDir = join(here, '..');

/** A 1,000-function EDL using every common parameter form. */
function bigEdl(functions: number): string {
  const lines = [
    'enclave {',
    '    struct Point { int32_t x; int32_t y; };',
    '    struct Blob { size_t len; [size=len] uint8_t *data; struct Point at; };',
    '    enum Mode { OFF, ON, AUTO };',
    '    trusted {',
  ];
  const forms = [
    (i: number) => `public int f${i}([out, size=len] char *buf, size_t len);`,
    (i: number) => `public uint64_t f${i}([in, count=n] const int32_t *v, size_t n, enum Mode m);`,
    (i: number) => `public void f${i}([in, string] const char *s, [in, out] struct Point *p, double d);`,
    (i: number) => `public int32_t f${i}([in] struct Blob *b, [out, count=4] struct Point *pts) transition_using_threads;`,
  ];
  const ecalls = Math.floor(functions * 0.8);
  for (let i = 0; i < ecalls; i++) lines.push(`        ${forms[i % forms.length](i)}`);
  lines.push('    };', '    untrusted {');
  for (let i = ecalls; i < functions; i++) lines.push(`        int o${i}([in, size=len] const uint8_t *buf, size_t len, [out] int64_t *r);`);
  lines.push('    };', '};', '');
  return lines.join('\n');
}

function median(samples: number[]): number {
  return percentile(samples, 50);
}

function time(fn: () => void, runs: number): number {
  fn(); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    samples.push(performance.now() - t0);
  }
  return median(samples);
}

async function generatorFigures() {
  const source = bigEdl(1000);
  let files: string[] = [];
  const generateMs = time(() => {
    files = generate(parseEdl(source, { fileName: '/bench/big.edl' })).files.map((f) => f.contents);
  }, 7);
  const transpileMs = time(() => {
    for (const f of files) ts.transpileModule(f, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } });
  }, 7);
  const parseMs = time(() => void parseEdl(source, { fileName: '/bench/big.edl' }), 7);
  const json = canonicalInterface(parseEdl(source, { fileName: '/bench/big.edl' }).model);
  const jsonMs = time(() => void JSON.parse(json), 7);
  process.stderr.write(`edl: 1,000 functions: ${source.length} bytes of EDL, ${files.reduce((a, f) => a + f.length, 0)} bytes generated, interface JSON ${json.length} bytes\n`);
  return { generateMs, transpileMs, parseMs, jsonMs };
}

async function checkOverhead() {
  const dir = mkdtempSync(join(tmpdir(), 'secgear-edl-bench-'));
  const image = join(dir, 'edl-bench.sgimg');
  await buildImage({ entry: join(sourceDir, 'enclaves', 'edl-bench-enclave.ts'), manifest: join(sourceDir, 'enclaves', 'edl-bench.json'), key: generateSigningKey(), output: image, prepareManifest: prepareEdlManifest });
  const enclave = await createEnclave(image, { type: 'sim' });
  const payload = new Uint8Array(1024);
  const checked = () => take1k(enclave, payload);
  // the raw caller still supplies len, as the EDL says; it just checks nothing
  const raw = () => enclave.ecall.take1k_raw(payload, BigInt(payload.length)) as Promise<unknown>;
  // many short rounds in alternating order, so drift (JIT, GC, other load on the machine)
  // hits both sides alike. Round trips on this machine are bimodal (the enclave thread either
  // stays hot or is descheduled), so each side reports its best round: like against like.
  const rounds = { p50: { checked: [] as number[], raw: [] as number[] }, tput: { checked: [] as number[], raw: [] as number[] } };
  for (let round = 0; round < 8; round++) {
    const order: ['checked' | 'raw', () => Promise<unknown>][] = round % 2 === 0 ? [['checked', checked], ['raw', raw]] : [['raw', raw], ['checked', checked]];
    for (const [side, fn] of order) {
      rounds.p50[side].push(median(await latencies(fn, 4000)));
      rounds.tput[side].push(await concurrentThroughput(fn, 8, 0.5));
    }
  }
  if (process.env.EDL_BENCH_DEBUG) process.stderr.write(`${JSON.stringify(rounds)}\n`);
  const p50 = { checked: Math.min(...rounds.p50.checked), raw: Math.min(...rounds.p50.raw) };
  const tput = { checked: Math.max(...rounds.tput.checked), raw: Math.max(...rounds.tput.raw) };
  await enclave.destroy();
  return { p50, tput };
}

/**
 * The checks' own CPU time per call, without the transport: the host proxy and the enclave
 * table around a function that returns at once, minus the same call made raw. In process, so
 * machine noise that swamps the end-to-end figures above barely touches it.
 */
async function checkCpu(): Promise<number> {
  const table = createEcallTable({ take1k: (b) => b.byteLength, take1k_raw: (b) => b.byteLength });
  const payload = new Uint8Array(1024);
  const viaTable = { ecall: { take1k: (b: Uint8Array, len: bigint) => table.take1k(b, len) } };
  const direct = (b: Uint8Array, _len: bigint) => Promise.resolve(b.byteLength);
  const perCall = async (fn: () => Promise<unknown>) => {
    const n = 200_000;
    for (let i = 0; i < n / 4; i++) await fn();
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await fn();
    return ((performance.now() - t0) * 1000) / n;
  };
  const samples: number[] = [];
  for (let i = 0; i < 5; i++) {
    const checked = await perCall(() => take1k(viaTable, payload));
    const raw = await perCall(() => direct(payload, BigInt(payload.length)));
    samples.push(checked - raw);
  }
  return median(samples);
}

const suite: BenchSuite = {
  name: 'EDL code generator',
  async run() {
    const g = await generatorFigures();
    const o = await checkOverhead();
    const cpu = await checkCpu();
    return [
      { name: 'EDL parse+check+generate, 1,000 functions', unit: 'ms', value: g.generateMs, better: 'lower', baseline: { name: 'TypeScript transpileModule of the generated _u.ts+_t.ts', value: g.transpileMs } },
      { name: 'EDL parse+check, 1,000 functions', unit: 'ms', value: g.parseMs, better: 'lower', baseline: { name: 'JSON.parse of the same interface (canonical JSON)', value: g.jsonMs } },
      { name: '1 KiB ecall p50 with generated checks', unit: 'µs', value: o.p50.checked, better: 'lower', baseline: { name: 'same ecall without checks (raw) p50', value: o.p50.raw } },
      { name: 'generated checks: CPU per 1 KiB call, both sides, in process', unit: 'µs', value: cpu, better: 'lower', baseline: { name: 'the raw 1 KiB ecall round trip p50 (share of a call the checks add)', value: o.p50.raw } },
      { name: '1 KiB ecall throughput with generated checks, 8 in flight', unit: 'calls/s', value: o.tput.checked, better: 'higher', baseline: { name: 'same ecall without checks (raw), 8 in flight', value: o.tput.raw } },
    ];
  },
};

export default suite;
