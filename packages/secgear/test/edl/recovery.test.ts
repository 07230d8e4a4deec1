/**
 * Every syntax error of a file is reported, not only the first: the lexer leaves error tokens
 * and goes on, the preprocessor skips bad directives, the parser recovers in panic mode at
 * the end of each declaration. Each test places several independent errors and asserts each
 * one by line and column, and that nothing else is reported (no cascades).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { EdlError, parseEdl, type Diagnostic } from '../../src/edl/index.js';
import { tokenize } from '../../src/edl/lexer.js';
import { MAX_SYNTAX_ERRORS, parseTokens } from '../../src/edl/parser.js';
import { repoRoot } from '../support/paths.js';
import { edlFile } from './arbitrary.js';
import { memFs, parseErrors } from './support.js';

/** The errors as `line:col message`, in order. */
function errorList(diagnostics: Diagnostic[]): string[] {
  return diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.loc.line}:${d.loc.col} ${d.message}`);
}

function expectErrors(diagnostics: Diagnostic[], expected: [number, number, RegExp][]): void {
  const got = errorList(diagnostics);
  assert.equal(got.length, expected.length, `expected ${expected.length} errors, got:\n${got.join('\n')}`);
  expected.forEach(([line, col, message], i) => {
    assert.ok(got[i].startsWith(`${line}:${col} `) && message.test(got[i]), `error ${i + 1}: expected ${line}:${col} ${message}, got ${got[i]}\nall:\n${got.join('\n')}`);
  });
}

const SEVERAL = `enclave {
    struct point { int x; int y };
    struct bad { int a[; int b; };
    trusted {
        public void f1(int a, int b;
        public void f2([in, size=4] uint8_t *p);
        public void f3(int from);
        public void f4([in int *p);
    };
    untrusted {
        void o1(int a) allow(;
        void o2(void)
        void o3(void);
    };
    enum color { RED = , GREEN };
    include a.h
};
`;

test('recovery: several independent parser errors are each reported at their line:col, nothing more', () => {
  expectErrors(parseErrors(SEVERAL), [
    [2, 33, /expected ';' after a member of struct 'point'/],
    [3, 24, /expected an array size/],
    [5, 36, /expected '\)' to close the parameter list of 'f1'/],
    [7, 28, /'from' is an EDL keyword/],
    [8, 28, /expected '\]' to close the attribute list/],
    [11, 30, /expected an ecall name in allow/],
    [13, 9, /expected ';' after the declaration of 'o2'/],
    [15, 24, /expected a number or a name as the value of 'RED'/],
    [16, 13, /expected a "file name" after 'include'/],
  ]);
});

test('recovery: lexer errors are all reported once each, and the parser does not report them again', () => {
  const src = ['enclave {', '    trusted {', '        public void f(int @x);', '        public int 3bad(void);', '        public void g([in, string] char *s, int $y);', '        public void h(int z);', '    };', '    include "unterminated', '};', ''].join('\n');
  expectErrors(parseErrors(src), [
    [3, 27, /invalid character '@'/],
    [4, 20, /invalid number "3bad"/],
    [5, 49, /invalid character '\$'/],
    [8, 13, /unterminated string/],
  ]);
});

test('recovery: preprocessor errors are all reported; a bad #if still pairs with its #endif', () => {
  const src = ['#error first problem', '#frobnicate', '#if 1 +', 'this is skipped, not parsed', '#endif', '#define F(x) x', 'enclave {', '    trusted { public void f(int F); };', '#error second problem', '};', ''].join('\n');
  expectErrors(parseErrors(src), [
    [1, 1, /#error first problem/],
    [2, 1, /unknown preprocessor directive "#frobnicate"/],
    [3, 1, /invalid #if expression/],
    [8, 33, /function-like macro "F" cannot be expanded/],
    [9, 1, /#error second problem/],
  ]);
});

test('recovery: errors in the root and in each imported file are all reported; a file imported twice reports once', () => {
  const files = {
    '/edl/a.edl': 'enclave { trusted { public void fa(int x; }; };',
    '/edl/b.edl': 'enclave { from "a.edl" import *; untrusted { void ob(int @); }; };',
  };
  const d = parseErrors('enclave {\n  from "a.edl" import *;\n  from "b.edl" import *;\n  trusted { public void r(int x) };\n};\n', { fs: memFs(files) });
  const where = d.filter((x) => x.severity === 'error').map((x) => `${x.loc.file}:${x.loc.line}:${x.loc.col}`);
  assert.deepEqual(where.sort(), ['/edl/a.edl:1:41', '/edl/b.edl:1:58', '/edl/test.edl:4:34'].sort());
});

test('recovery: a file with very many errors stops after a bound, saying so', () => {
  const body = Array.from({ length: MAX_SYNTAX_ERRORS + 40 }, (_, i) => `public void f${i}(int a int b);`).join('\n');
  const d = parseErrors(`enclave { trusted {\n${body}\n}; };`);
  const errors = errorList(d);
  assert.equal(errors.length, MAX_SYNTAX_ERRORS + 1);
  assert.match(errors[errors.length - 1], /too many syntax errors/);
});

test('recovery: bad characters and bad directives are bounded per file too (lexer, preprocessor and parser share the bound)', () => {
  for (const src of ['@ x '.repeat(5000), '#error x\n'.repeat(5000), `${'#if 1 +\n#endif\n'.repeat(30)}enclave { trusted {\n${'public void f(int a int b);\n'.repeat(40)}}; };`]) {
    const errors = errorList(parseErrors(src));
    assert.equal(errors.length, MAX_SYNTAX_ERRORS + 1, src.slice(0, 40));
    assert.match(errors[errors.length - 1], /too many syntax errors/);
  }
});

test('recovery: in collecting mode the first error is the one the stop-at-first mode reports', () => {
  const sources = [
    'enclave { trusted { public void f() }; };',
    'enclave {\n  trusted { public void f(); }\n};',
    'enclave { struct S { int a; } };',
    'enclave { trusted {',
    'enclave { trusted { public void f([in, size=1] char *p, ); }; };',
    'enclave { foo; };',
    'enclave { untrusted { public void f(); }; };',
    '',
    'enclave { }',
  ];
  for (const src of sources) {
    let first: string | null = null;
    try {
      parseTokens(tokenize(src, 'a.edl'), 'a.edl');
    } catch (error) {
      first = (error as { diagnostic: Diagnostic }).diagnostic.message;
    }
    const collected: Diagnostic[] = [];
    parseTokens(tokenize(src, 'a.edl', (d) => collected.push(d)), 'a.edl', (d) => collected.push(d));
    assert.ok(first !== null && collected.length >= 1, src);
    assert.equal(collected[0].message, first, src);
  }
});

const here = dirname(fileURLToPath(import.meta.url));
const compiledCli = join(here, '..', '..', 'src', 'cli', 'main.js');
const distCli = join(repoRoot, 'packages', 'secgear', 'dist', 'src', 'cli', 'main.js');
const cliMain = existsSync(compiledCli) ? compiledCli : distCli;

test('recovery: secgear codegen prints every error as file:line:col, counts them and exits 1', { skip: !existsSync(cliMain) && 'build first (npx tsc -b)' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'secgear-recovery-'));
  const file = join(dir, 'several.edl');
  writeFileSync(file, SEVERAL);
  const r = spawnSync(process.execPath, [cliMain, 'codegen', file, '--trusted-dir', dir, '--untrusted-dir', dir], { encoding: 'utf8' });
  assert.equal(r.status, 1);
  const lines = r.stderr.trim().split('\n');
  const located = lines.filter((l) => l.startsWith(`${file}:`));
  assert.deepEqual(
    located.map((l) => l.slice(file.length + 1).split(': ')[0]),
    ['2:33', '3:24', '5:36', '7:28', '8:28', '11:30', '13:9', '15:24', '16:13'],
  );
  assert.match(lines[lines.length - 1], /9 errors; nothing written/);
  assert.equal(existsSync(join(dir, 'several_t.ts')), false);
});

const opts = { fileName: '/edl/prop.edl', fs: memFs({}) };

/** Runs the front end; returns the errors, or null for valid input. Anything but an EdlError fails. */
function frontEnd(text: string): Diagnostic[] | null {
  try {
    parseEdl(text, opts);
    return null;
  } catch (error) {
    assert.ok(error instanceof EdlError, `not an EdlError: ${String(error)}\ninput: ${JSON.stringify(text.slice(0, 300))}`);
    const errors = error.diagnostics.filter((d) => d.severity === 'error');
    assert.ok(errors.length >= 1, 'an EdlError always carries an error');
    return errors;
  }
}

test('property: k independent mistakes in k declarations of a valid file give at least k errors, one on each line', () => {
  const breakers = [
    (line: string) => line.replace(/^(.*?\(.*)\)/, '$1'), // the parameter list's ')' removed
    (line: string) => line.replace(/\(/, '( @ '), // invalid character
    (line: string) => line.replace(/;$/, ' ;;'), // an empty declaration
    (line: string) => line.replace(/\(/, '(int from, '), // a keyword as a name
  ];
  fc.assert(
    fc.property(edlFile, fc.array(fc.nat(), { minLength: 1, maxLength: 4 }), fc.array(fc.nat(), { minLength: 4, maxLength: 4 }), (spec, picks, kinds) => {
      const lines = spec.text.split('\n');
      // function declarations: one per line, indented 8, inside trusted { } / untrusted { }
      const decls = lines.map((l, i) => [l, i] as const).filter(([l]) => /^ {8}\S.*\(.*\).*;$/.test(l));
      if (decls.length === 0) return;
      const chosen = [...new Set(picks.map((p) => decls[p % decls.length][1]))];
      chosen.forEach((lineIndex, i) => {
        lines[lineIndex] = breakers[kinds[i % kinds.length] % breakers.length](lines[lineIndex]);
      });
      const errors = frontEnd(lines.join('\n'));
      assert.ok(errors, `broken file accepted:\n${lines.join('\n')}`);
      const errorLines = new Set(errors.map((e) => e.loc.line));
      for (const lineIndex of chosen) assert.ok(errorLines.has(lineIndex + 1), `no error on line ${lineIndex + 1}:\n${lines[lineIndex]}\ngot ${errorList(errors).join('\n')}`);
    }),
    { seed: 0x9e11, numRuns: 120 },
  );
});

test('property: mutated EDL text terminates with a result or an EdlError; an inserted invalid character is always an error', () => {
  fc.assert(
    fc.property(
      edlFile,
      fc.array(fc.record({ at: fc.nat(), op: fc.constantFrom('delete', 'insert', 'replace', 'duplicate'), text: fc.constantFrom('{', '}', ';', '(', ')', '[', ']', ',', '*', '=', 'int', 'struct', '"', '/*', '#if 1\n', '\n#endif\n', 'public', 'x') }), { minLength: 1, maxLength: 6 }),
      (spec, edits) => {
        let text = spec.text;
        for (const e of edits) {
          const i = e.at % (text.length + 1);
          if (e.op === 'delete') text = text.slice(0, i) + text.slice(i + 1);
          else if (e.op === 'insert') text = text.slice(0, i) + e.text + text.slice(i);
          else if (e.op === 'replace') text = text.slice(0, i) + e.text + text.slice(i + e.text.length);
          else text = text.slice(0, i) + text.slice(i, i + 20) + text.slice(i);
        }
        frontEnd(text);
        // outside comments and strings '@' is never EDL: there must be an error (wherever it lands)
        const at = edits[0].at % (spec.text.length + 1);
        const lineStart = spec.text.lastIndexOf('\n', at - 1) + 1;
        const before = spec.text.slice(lineStart, at);
        const inComment = spec.text.lastIndexOf('/*', at) > spec.text.lastIndexOf('*/', at) || before.includes('//');
        const inString = (before.match(/"/g) ?? []).length % 2 === 1;
        if (!inComment && !inString) assert.ok(frontEnd(spec.text.slice(0, at) + '@' + spec.text.slice(at)), 'an @ was accepted');
      },
    ),
    { seed: 0xed1, numRuns: 300 },
  );
});
