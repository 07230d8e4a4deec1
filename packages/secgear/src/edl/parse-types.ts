/**
 * The token cursor and the type-level grammar of EDL (types, declarators, attribute lists,
 * size expressions), which the parser builds on.
 */
import type { Attribute, BuiltinName, Declarator, SizeExpr, TypeRef, TypeSpec, VarDecl } from './ast.js';
import { SyntaxFailure, syntaxError } from './diagnostics.js';
import type { Token } from './lexer.js';

/** Words edger8r's lexer turns into keywords; they cannot name anything. */
export const EDL_KEYWORDS = new Set([
  'enclave', 'trusted', 'untrusted', 'from', 'import', 'allow', 'public', 'transition_using_threads', 'include',
  'propagate_errno', 'const', 'char', 'short', 'unsigned', 'signed', 'int', 'float', 'double', 'long', 'void',
  'int8_t', 'int16_t', 'int32_t', 'int64_t', 'uint8_t', 'uint16_t', 'uint32_t', 'uint64_t', 'size_t', 'wchar_t',
  'struct', 'union', 'enum', 'sizeof',
]);

const SIMPLE_BUILTINS = new Set(['float', 'double', 'void', 'int8_t', 'int16_t', 'int32_t', 'int64_t', 'uint8_t', 'uint16_t', 'uint32_t', 'uint64_t', 'size_t', 'wchar_t']);

export function describe(t: Token): string {
  switch (t.kind) {
    case 'eof':
      return 'end of file';
    case 'ident':
      return EDL_KEYWORDS.has(t.text) ? `keyword '${t.text}'` : `identifier '${t.text}'`;
    case 'number':
      return `number ${t.text}`;
    case 'string':
      return `string "${t.text}"`;
    case 'error':
      return `invalid token ${JSON.stringify(t.text.slice(0, 20))}`;
    default:
      return `'${t.text}'`;
  }
}

const MAX_EXPR_NODES = 256;

export class TypeParser {
  protected pos = 0;
  private exprNodes = 0;

  constructor(
    protected readonly tokens: Token[],
    protected readonly fileName: string,
  ) {
    const last = tokens[tokens.length - 1];
    if (!last || last.kind !== 'eof') tokens.push({ kind: 'eof', text: '', loc: last?.loc ?? { file: fileName, line: 1, col: 1 } });
  }

  protected peek(offset = 0): Token {
    return this.tokens[Math.min(this.pos + offset, this.tokens.length - 1)];
  }

  protected next(): Token {
    const t = this.peek();
    if (t.kind !== 'eof') this.pos++;
    return t;
  }

  protected is(text: string, offset = 0): boolean {
    const t = this.peek(offset);
    return (t.kind === 'punct' || t.kind === 'ident') && t.text === text;
  }

  protected fail(message: string, hint?: string, at: Token = this.peek()): never {
    const failure = syntaxError(at.loc, message, hint);
    // an error token was reported by the lexer: recover without a second message
    throw at.kind === 'error' ? new SyntaxFailure(failure.diagnostic, true) : failure;
  }

  protected expect(text: string, context: string, hint?: string): Token {
    if (!this.is(text)) this.fail(`expected '${text}' ${context}, found ${describe(this.peek())}`, hint);
    return this.next();
  }

  protected ident(what: string): Token {
    const t = this.peek();
    if (t.kind !== 'ident') this.fail(`expected ${what}, found ${describe(t)}`);
    if (EDL_KEYWORDS.has(t.text)) this.fail(`'${t.text}' is an EDL keyword and cannot be used as ${what}`, 'choose another name');
    return this.next();
  }

  typeAlone(): { type: TypeRef; dims: number[] } {
    const type = this.typeRef(false);
    const dims: number[] = [];
    while (this.is('[')) {
      this.next();
      const n = this.next();
      if (n.kind !== 'number' || n.value === 0n || n.value! > 0x7fffffffn) this.fail(`expected a positive array size, found ${describe(n)}`, undefined, n);
      dims.push(Number(n.value));
      this.expect(']', 'to close the array size');
    }
    if (this.peek().kind !== 'eof') this.fail(`unexpected ${describe(this.peek())} after the type`);
    return { type, dims };
  }

  protected varDecl(what: 'parameter' | 'member'): VarDecl {
    const attrsLoc = this.is('[') ? this.peek().loc : null;
    const attrs = attrsLoc ? this.attrBlock() : null;
    const type = this.typeRef(what === 'parameter');
    const decl = this.declarator(what);
    return { attrs, attrsLoc, type, decl };
  }

  protected declarator(what: string): Declarator {
    const name = this.ident(`a ${what} name`);
    const dims: number[] = [];
    while (this.is('[')) {
      const open = this.next();
      if (this.is(']')) this.fail('flexible array members/parameters are not supported', 'give the array a fixed size, or use a pointer with size=/count=', open);
      const n = this.next();
      if (n.kind !== 'number') this.fail(`expected an array size, found ${describe(n)}`, 'array sizes are integer literals (or macros that expand to one)', n);
      if (n.value === 0n) this.fail('zero-length arrays are not supported', 'give the array at least one element', n);
      if (n.value! > 0x7fffffffn) this.fail(`array size ${n.text} is too large`, 'use a pointer with size=/count= for large buffers', n);
      dims.push(Number(n.value));
      this.expect(']', 'to close the array size');
    }
    return { name: name.text, dims, loc: name.loc };
  }

  protected attrBlock(): Attribute[] {
    const open = this.next();
    if (this.is(']')) this.fail('no attribute specified in []', 'remove the empty [] or add attributes such as [in]', open);
    const attrs: Attribute[] = [];
    for (;;) {
      const key = this.peek();
      if (key.kind !== 'ident') this.fail(`expected an attribute name, found ${describe(key)}`, 'attributes look like [in, size=len]');
      this.next();
      const attr: Attribute = { key: key.text, loc: key.loc };
      if (this.is('=')) {
        this.next();
        attr.value = this.attrValue();
      }
      attrs.push(attr);
      if (!this.is(',')) break;
      this.next();
    }
    this.expect(']', 'to close the attribute list', "separate attributes with ','");
    return attrs;
  }

  /** additive := multiplicative (('+'|'-') multiplicative)* */
  /** Attribute value: a size expression (counts its terms). */
  protected attrValue(): SizeExpr {
    this.exprNodes = 0;
    return this.sizeExpr();
  }

  protected sizeExpr(): SizeExpr {
    let left = this.sizeTerm();
    while (this.is('+') || this.is('-')) {
      const op = this.next();
      left = { kind: 'bin', op: op.text as '+' | '-', left, right: this.sizeTerm(), loc: op.loc };
    }
    return left;
  }

  protected sizeTerm(): SizeExpr {
    let left = this.sizeUnary();
    while (this.is('*') || this.is('/') || this.is('%')) {
      const op = this.next();
      left = { kind: 'bin', op: op.text as '*' | '/' | '%', left, right: this.sizeUnary(), loc: op.loc };
    }
    return left;
  }

  protected sizeUnary(): SizeExpr {
    const t = this.peek();
    // nesting and length are bounded, so hostile input cannot exhaust the stack later on
    if (++this.exprNodes > MAX_EXPR_NODES) this.fail(`size expression too long or nested too deeply (more than ${MAX_EXPR_NODES} terms)`, 'simplify the expression');
    if (this.is('-')) {
      this.next();
      return { kind: 'neg', operand: this.sizeUnary(), loc: t.loc };
    }
    if (this.is('(')) {
      this.next();
      const e = this.sizeExpr();
      this.expect(')', 'to close the parenthesized expression');
      return e;
    }
    if (this.is('sizeof')) {
      this.next();
      this.expect('(', "after 'sizeof'");
      const type = this.typeRef(false);
      this.expect(')', 'to close sizeof(...)');
      return { kind: 'sizeof', type, loc: t.loc };
    }
    if (t.kind === 'number') {
      this.next();
      return { kind: 'num', value: t.value!, loc: t.loc };
    }
    if (t.kind === 'ident' && !EDL_KEYWORDS.has(t.text)) {
      this.next();
      return { kind: 'name', name: t.text, loc: t.loc };
    }
    return this.fail(`expected a number, a parameter name or '(' in the attribute value, found ${describe(t)}`);
  }

  protected typeRef(allowConst: boolean): TypeRef {
    const start = this.peek();
    let isConst = false;
    if (this.is('const')) {
      if (!allowConst) this.fail("'const' is allowed only on pointer parameters", "remove 'const'");
      this.next();
      isConst = true;
    }
    const spec = this.typeSpec();
    let pointers = 0;
    while (this.is('*')) {
      this.next();
      pointers++;
    }
    if (this.is('const')) this.fail("'const' after the type is not EDL", "write 'const' before the type: const char *s");
    if (isConst && pointers === 0) this.fail("'const' applies only to pointer parameters", "remove 'const' (a value parameter is a copy already)", start);
    return { spec, pointers, isConst, loc: start.loc };
  }

  protected typeSpec(): TypeSpec {
    const t = this.peek();
    if (t.kind !== 'ident') this.fail(`expected a type, found ${describe(t)}`);
    const builtin = (name: BuiltinName): TypeSpec => ({ kind: 'builtin', name });
    if (t.text === 'struct' || t.text === 'union' || t.text === 'enum') {
      this.next();
      const name = this.ident(`a ${t.text} name`);
      if (this.is('{')) this.fail(`${t.text} definitions go at the enclave level, not inside a declaration`, `define ${t.text} ${name.text} { ... }; before its use`);
      return { kind: t.text, name: name.text };
    }
    if (SIMPLE_BUILTINS.has(t.text)) {
      this.next();
      return builtin(t.text as BuiltinName);
    }
    if (t.text === 'unsigned' || t.text === 'signed') {
      this.next();
      const u = t.text === 'unsigned' ? 'unsigned ' : '';
      if (this.is('char')) return this.next(), builtin(`${u}char` as BuiltinName);
      return builtin(`${u}${this.intRest(true)}` as BuiltinName);
    }
    if (t.text === 'char') return this.next(), builtin('char');
    if (t.text === 'short' || t.text === 'long' || t.text === 'int') {
      if (t.text === 'long' && this.is('double', 1)) {
        this.next();
        this.next();
        return builtin('long double');
      }
      return builtin(this.intRest(false) as BuiltinName);
    }
    if (EDL_KEYWORDS.has(t.text)) this.fail(`expected a type, found ${describe(t)}`);
    this.next();
    return { kind: 'foreign', name: t.text };
  }

  /** short [int] | long [long] [int] | int; after `unsigned`/`signed` the whole may be absent. */
  protected intRest(optional: boolean): string {
    if (this.is('short')) {
      this.next();
      if (this.is('int')) this.next();
      return 'short';
    }
    if (this.is('long')) {
      this.next();
      let name = 'long';
      if (this.is('long')) {
        this.next();
        name = 'long long';
      }
      if (this.is('int')) this.next();
      return name;
    }
    if (this.is('int')) {
      this.next();
      return 'int';
    }
    if (optional) return 'int';
    return this.fail(`expected a type, found ${describe(this.peek())}`);
  }
}
