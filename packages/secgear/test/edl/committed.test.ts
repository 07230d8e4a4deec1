/**
 * Generated files committed beside their EDL (the examples', the benchmark's) must be what
 * the generator produces today: the host side is compiled from them before `secgear build`
 * regenerates anything.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { generate, loadEdl } from '../../src/edl/index.js';
import { repoRoot } from '../support/paths.js';

const EDLS = ['examples/helloworld/src/helloworld.edl', 'examples/edl-bank/src/bank.edl', 'bench/enclaves/edl-bench.edl'];

for (const edl of EDLS) {
  test(`committed: the generated files of ${edl} are up to date`, () => {
    const path = join(repoRoot, edl);
    for (const f of generate(loadEdl(path)).files) {
      const committed = readFileSync(join(dirname(path), f.name), 'utf8');
      assert.ok(committed === f.contents, `${f.name} is stale: run secgear codegen ${edl} --trusted-dir ${dirname(edl)} --untrusted-dir ${dirname(edl)}`);
    }
  });
}
