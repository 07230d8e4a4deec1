#!/usr/bin/env node
// Runs every compiled test file (`dist/test/**/*.test.js` of each workspace) with Node's
// built-in test runner and its spec reporter, which ends with the runner's summary.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const roots = ['packages', 'examples'];
const filter = process.argv.slice(2);
const files = [];

function walk(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (name.endsWith('.test.js')) files.push(path);
  }
}

for (const root of roots) {
  if (!existsSync(root)) continue;
  for (const ws of readdirSync(root)) {
    const testDir = join(root, ws, 'dist', 'test');
    if (existsSync(testDir)) walk(testDir);
  }
}

const selected = filter.length ? files.filter((f) => filter.some((p) => f.includes(p))) : files;
if (selected.length === 0) {
  console.error('no test files found: run `npm run build` first');
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ['--test', '--test-reporter=spec', '--test-concurrency=2', '--test-timeout=120000', ...selected.sort()],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
