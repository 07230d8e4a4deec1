import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SyntaxFailure } from '../../src/edl/diagnostics.js';
import { tokenize } from '../../src/edl/lexer.js';

const lexFail = (src: string): SyntaxFailure => {
  try {
    tokenize(src, 'x.edl');
  } catch (error) {
    if (error instanceof SyntaxFailure) return error;
    throw error;
  }
  assert.fail(`expected a lexer error for ${JSON.stringify(src)}`);
};

test('lexer: identifiers, numbers, strings, punctuation with 1-based line:col', () => {
  const tokens = tokenize('enclave {\n  [in, size=0x10] "a.h" 42u;\n}', 'x.edl');
  assert.deepEqual(
    tokens.map((t) => [t.kind, t.text, t.loc.line, t.loc.col]),
    [
      ['ident', 'enclave', 1, 1],
      ['punct', '{', 1, 9],
      ['punct', '[', 2, 3],
      ['ident', 'in', 2, 4],
      ['punct', ',', 2, 6],
      ['ident', 'size', 2, 8],
      ['punct', '=', 2, 12],
      ['number', '0x10', 2, 13],
      ['punct', ']', 2, 17],
      ['string', 'a.h', 2, 19],
      ['number', '42u', 2, 25],
      ['punct', ';', 2, 28],
      ['punct', '}', 3, 1],
      ['eof', '', 3, 2],
    ],
  );
  assert.equal(tokens[7].value, 16n);
  assert.equal(tokens[10].value, 42n);
});

test('lexer: both comment kinds are skipped and keep line numbers', () => {
  const tokens = tokenize('/* a\n b */ x // c\n/**/y', 'x.edl');
  assert.deepEqual(tokens.filter((t) => t.kind === 'ident').map((t) => [t.text, t.loc.line, t.loc.col]), [['x', 2, 7], ['y', 3, 5]]);
});

test('lexer: a # starting a line is one directive token (continuations and comments folded)', () => {
  const tokens = tokenize('  #define A \\\n  5 /* five */\nx', 'x.edl');
  assert.equal(tokens[0].kind, 'directive');
  assert.equal(tokens[0].text.replace(/\s+/g, ' ').trim(), 'define A 5');
  assert.deepEqual([tokens[1].text, tokens[1].loc.line], ['x', 3]);
  assert.match(lexFail('x # y').diagnostic.message, /directives must start a line/);
});

test('lexer: errors name the place and the problem', () => {
  const cases: [string, RegExp, number, number][] = [
    ['a\n  @', /invalid character '@'/, 2, 3],
    ['"abc\n"', /unterminated string/, 1, 1],
    ['x /* open', /unterminated comment/, 1, 3],
    ['12ab', /invalid number "12ab"/, 1, 1],
    ['0x', /no hex digits/, 1, 1],
    ['\u0000', /invalid character U\+0000/, 1, 1],
    ['é', /invalid character U\+00E9/, 1, 1],
  ];
  for (const [src, message, line, col] of cases) {
    const d = lexFail(src).diagnostic;
    assert.match(d.message, message, src);
    assert.deepEqual([d.loc.line, d.loc.col, d.loc.file], [line, col, 'x.edl'], src);
    assert.ok(d.hint, `a hint for ${src}`);
  }
});
