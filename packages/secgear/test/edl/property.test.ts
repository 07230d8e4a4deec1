import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { EdlError, generate, parseEdl } from '../../src/edl/index.js';
import { edlFile, tokenSoup } from './arbitrary.js';
import { memFs, TYPECHECK_MODULES, typeCheck } from './support.js';

const opts = { fileName: '/edl/rand.edl', fs: memFs({}) };

test('property: random EDL files built from the grammar parse, generate, and type-check under strict settings', () => {
  const files: Record<string, string> = {};
  let n = 0;
  fc.assert(
    fc.property(edlFile, (spec) => {
      let parsed;
      try {
        parsed = parseEdl(spec.text, opts);
      } catch (error) {
        throw new Error(`valid EDL refused:\n${spec.text}\n${error instanceof EdlError ? error.diagnostics.map((d) => d.message).join('\n') : String(error)}`);
      }
      assert.equal(parsed.model.ecalls.length >= spec.ecalls, true);
      const result = generate(parsed, { modules: TYPECHECK_MODULES });
      assert.equal(result.files.length, 2);
      assert.match(result.manifest.edlHash, /^[0-9a-f]{96}$/);
      for (const f of result.files) files[`${n}/${f.name}`] = f.contents;
      files[`${n}/rand.edl.txt`] = spec.text;
      n++;
    }),
    { seed: 0x5ec6ea4, numRuns: 60 },
  );
  // one program for all of them keeps this fast
  const roots = Object.fromEntries(Object.entries(files).filter(([k]) => k.endsWith('.ts')));
  const diagnostics = typeCheck(roots);
  if (diagnostics.length) {
    const first = diagnostics[0].split(':')[0].split('/')[0];
    assert.fail(`generated code does not type-check:\n${diagnostics.slice(0, 10).join('\n')}\n--- EDL ${first} ---\n${files[`${first}/rand.edl.txt`]}`);
  }
});

test('property: the EDL hash changes with the interface and not with comments or layout', () => {
  fc.assert(
    fc.property(edlFile, (spec) => {
      const a = parseEdl(spec.text, opts).edlHash;
      const b = parseEdl(`/* header */\n${spec.text.replace(/\n {4}/g, '\n  // note\n\t')}`, opts).edlHash;
      assert.equal(a, b);
      const changed = parseEdl(spec.text.replace('trusted {', 'trusted {\n public void extra_ecall(int x);'), opts).edlHash;
      assert.notEqual(a, changed);
    }),
    { seed: 7, numRuns: 40 },
  );
});

test('property: random bytes never crash the front end: a result or an EdlError with a located diagnostic', () => {
  const check = (text: string) => {
    try {
      const parsed = parseEdl(text, opts);
      generate(parsed);
    } catch (error) {
      assert.ok(error instanceof EdlError, `not an EdlError: ${String(error)}\ninput: ${JSON.stringify(text.slice(0, 200))}`);
      assert.ok(error.diagnostics.length > 0);
      for (const d of error.diagnostics) {
        assert.ok(d.loc.line >= 1 && d.loc.col >= 1 && d.message.length > 0, JSON.stringify(d));
      }
      assert.match(error.code, /^CC_ERROR_EDL_(SYNTAX|SEMANTIC|IMPORT)$/);
    }
  };
  fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => check(new TextDecoder().decode(bytes))), { seed: 1, numRuns: 1500 });
  fc.assert(fc.property(fc.string({ maxLength: 200 }), check), { seed: 2, numRuns: 1500 });
  fc.assert(fc.property(tokenSoup, check), { seed: 3, numRuns: 3000 });
  // valid files with one random byte changed
  fc.assert(
    fc.property(edlFile, fc.nat(), fc.integer({ min: 0, max: 127 }), (spec, at, byte) => {
      const i = at % spec.text.length;
      check(spec.text.slice(0, i) + String.fromCharCode(byte) + spec.text.slice(i + 1));
      check(spec.text.slice(0, i));
    }),
    { seed: 4, numRuns: 300 },
  );
});

test('property: integers cross unchanged within their C range and are refused just outside it', async () => {
  const { boundary, loadGenerated, rejectsWith } = await import('./support.js');
  const types: [string, bigint, bigint][] = [
    ['int8_t', -(2n ** 7n), 2n ** 7n - 1n],
    ['uint8_t', 0n, 2n ** 8n - 1n],
    ['short', -(2n ** 15n), 2n ** 15n - 1n],
    ['uint16_t', 0n, 2n ** 16n - 1n],
    ['int', -(2n ** 31n), 2n ** 31n - 1n],
    ['unsigned int', 0n, 2n ** 32n - 1n],
    ['long', -(2n ** 63n), 2n ** 63n - 1n],
    ['size_t', 0n, 2n ** 64n - 1n],
  ];
  const edl = `enclave { trusted { ${types.map(([c], i) => `public ${c} echo${i}(${c} v);`).join(' ')} }; };`;
  const loaded = await loadGenerated(edl);
  const impl = Object.fromEntries(types.map((_t, i) => [`echo${i}`, (v: unknown) => v]));
  const enclave = boundary(loaded, loaded.t.createEcallTable(impl));
  for (const [c, min, max] of types) {
    const i = types.findIndex((t) => t[0] === c);
    const wide = max > 2n ** 32n;
    const as = (v: bigint) => (wide ? v : Number(v));
    await fc.assert(
      fc.asyncProperty(fc.bigInt(min, max), async (v) => {
        assert.equal(await loaded.u[`echo${i}`](enclave, as(v)), as(v));
      }),
      { seed: i, numRuns: 60 },
    );
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.bigInt(max + 1n, max * 4n + 4n), fc.bigInt(min * 4n - 4n, min - 1n)), async (v) => {
        await rejectsWith(loaded.u[`echo${i}`](enclave, as(v)), 'CC_ERROR_BAD_PARAMETERS', new RegExp(`ecall echo${i}: v: expected`));
      }),
      { seed: i + 100, numRuns: 30 },
    );
    // the other numeric kind is refused too: numbers for 64-bit types, bigints for narrower ones
    await rejectsWith(loaded.u[`echo${i}`](enclave, wide ? 1 : 1n), 'CC_ERROR_BAD_PARAMETERS');
  }
});
