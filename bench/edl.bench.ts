/**
 * EDL code generator benchmarks (issue 3), each beside a baseline measured in the same run:
 *  - parse + check + generate a 1,000-function EDL (target: under 1 s) vs TypeScript's
 *    transpileModule of the very files generated (what any build spends on them anyway);
 *  - parse + check alone vs JSON.parse of the same interface as canonical JSON (the same
 *    information in the cheapest format the platform reads);
 *  - the generated boundary checks on a 1 KiB-argument ecall (target: at most +10%) vs the
 *    same ecall in the same enclave without them (a plain function, called raw).
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
  const len = BigInt(payload.length);
  const checked = () => take1k(enclave, payload);
  const raw = () => enclave.ecall.take1k_raw(payload, len) as Promise<unknown>;
  // alternate rounds so drift (JIT, GC, CPU frequency) hits both sides alike; keep the best round of each
  const p50 = { checked: Infinity, raw: Infinity };
  const tput = { checked: 0, raw: 0 };
  for (let round = 0; round < 3; round++) {
    p50.raw = Math.min(p50.raw, median(await latencies(raw, 10_000)));
    p50.checked = Math.min(p50.checked, median(await latencies(checked, 10_000)));
    tput.raw = Math.max(tput.raw, await concurrentThroughput(raw, 8, 1));
    tput.checked = Math.max(tput.checked, await concurrentThroughput(checked, 8, 1));
  }
  await enclave.destroy();
  return { p50, tput };
}

const suite: BenchSuite = {
  name: 'EDL code generator',
  async run() {
    const g = await generatorFigures();
    const o = await checkOverhead();
    return [
      { name: 'EDL parse+check+generate, 1,000 functions', unit: 'ms', value: g.generateMs, better: 'lower', baseline: { name: 'TypeScript transpileModule of the generated _u.ts+_t.ts', value: g.transpileMs } },
      { name: 'EDL parse+check, 1,000 functions', unit: 'ms', value: g.parseMs, better: 'lower', baseline: { name: 'JSON.parse of the same interface (canonical JSON)', value: g.jsonMs } },
      { name: '1 KiB ecall p50 with generated checks', unit: 'µs', value: o.p50.checked, better: 'lower', baseline: { name: 'same ecall without checks (raw) p50', value: o.p50.raw } },
      { name: '1 KiB ecall throughput with generated checks, 8 in flight', unit: 'calls/s', value: o.tput.checked, better: 'higher', baseline: { name: 'same ecall without checks (raw), 8 in flight', value: o.tput.raw } },
    ];
  },
};

export default suite;
