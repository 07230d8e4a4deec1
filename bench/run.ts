/**
 * `npm run bench [-- filter...]`: runs every `*.bench.js` suite, prints a table and writes
 * `bench/results/latest.json`. With a filter, only matching suites run and their results
 * replace the same-named entries of the previous file. The machine's load average and core
 * count are printed at the start and end of the run and of each suite, recorded with every
 * result (`conditions`), and a figure measured with the load above the core count is "noisy".
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { conditionsBetween, describeLoad, sampleLoad } from './lib/conditions.js';
import type { BenchResult, BenchSuite } from './lib/types.js';

const here = dirname(fileURLToPath(import.meta.url));
const resultsFile = join(here, '..', 'results', 'latest.json');
const filters = process.argv.slice(2);

const files = readdirSync(here).filter((f) => f.endsWith('.bench.js')).sort();
const selected = filters.length ? files.filter((f) => filters.some((p) => f.includes(p))) : files;

const runStart = sampleLoad();
console.log(`start: ${describeLoad(runStart)}`);
const results: BenchResult[] = [];
for (const file of selected) {
  const suite = (await import(pathToFileURL(join(here, file)).href)).default as BenchSuite;
  const start = sampleLoad();
  process.stderr.write(`running ${suite.name} (${file}); ${describeLoad(start)}\n`);
  const figures = await suite.run();
  const suiteConditions = conditionsBetween(start, sampleLoad());
  for (const r of figures) {
    results.push({ ...r, ratio: r.ratio ?? round(r.value / r.baseline.value), conditions: r.conditions ?? suiteConditions });
  }
}
const runEnd = sampleLoad();

let all = results;
if (filters.length && existsSync(resultsFile)) {
  const previous = (JSON.parse(readFileSync(resultsFile, 'utf8')) as { results: BenchResult[] }).results;
  const fresh = new Set(results.map((r) => r.name));
  all = [...previous.filter((r) => !fresh.has(r.name)), ...results];
}
mkdirSync(dirname(resultsFile), { recursive: true });
writeFileSync(resultsFile, JSON.stringify({ results: all }, null, 2) + '\n');

const rows = results.map((r) => [
  r.name,
  `${fmt(r.value)} ${r.unit}`,
  `${r.baseline.name}: ${fmt(r.baseline.value)}`,
  `${r.ratio.toFixed(3)}x (${r.better} is better)`,
  `${r.conditions?.noisy ? 'noisy: ' : ''}load ${r.conditions?.load ?? '?'}${r.conditions?.benchLoadThreads ? ` (+${r.conditions.benchLoadThreads} busy threads)` : ''}`,
]);
const header = ['benchmark', 'ours', 'baseline', 'ratio', `conditions (${runEnd.cores} cores)`];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
console.log(line(header));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const row of rows) console.log(line(row));
console.log(`\nstart: ${describeLoad(runStart)}\nend:   ${describeLoad(runEnd)}`);
const noisy = results.filter((r) => r.conditions?.noisy).length;
if (noisy) console.log(`${noisy} of ${results.length} figures are marked noisy: measured with the load average above ${runEnd.cores} cores`);
console.log(`wrote ${resultsFile}`);

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
function fmt(x: number): string {
  return x >= 100 ? Math.round(x).toLocaleString('en-US') : x.toPrecision(4);
}
