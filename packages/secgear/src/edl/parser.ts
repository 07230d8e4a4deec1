/**
 * Recursive-descent parser for Intel's EDL grammar (as edger8r's Parser.mly has it), over
 * preprocessed tokens. It stops at the first syntax error, like edger8r; attribute meaning
 * is checked later (`attributes.ts`, `checker.ts`) so those errors can be many and precise.
 */
import type { Attribute, BuiltinName, Declarator, EdlFile, EnumDef, EnumItem, FuncDecl, SizeExpr, StructDef, TrustedFunc, TypeRef, TypeSpec, UntrustedFunc, VarDecl } from './ast.js';
import { syntaxError, type SourceLocation } from './diagnostics.js';
import type { Token } from './lexer.js';

/** Words edger8r's lexer turns into keywords; they cannot name anything. */
export const EDL_KEYWORDS = new Set([
  'enclave', 'trusted', 'untrusted', 'from', 'import', 'allow', 'public', 'transition_using_threads', 'include',
  'propagate_errno', 'const', 'char', 'short', 'unsigned', 'signed', 'int', 'float', 'double', 'long', 'void',
  'int8_t', 'int16_t', 'int32_t', 'int64_t', 'uint8_t', 'uint16_t', 'uint32_t', 'uint64_t', 'size_t', 'wchar_t',
  'struct', 'union', 'enum', 'sizeof',
]);

const SIMPLE_BUILTINS = new Set(['float', 'double', 'void', 'int8_t', 'int16_t', 'int32_t', 'int64_t', 'uint8_t', 'uint16_t', 'uint32_t', 'uint64_t', 'size_t', 'wchar_t']);

function describe(t: Token): string {
  switch (t.kind) {
    case 'eof':
      return 'end of file';
    case 'ident':
      return EDL_KEYWORDS.has(t.text) ? `keyword '${t.text}'` : `identifier '${t.text}'`;
    case 'number':
      return `number ${t.text}`;
    case 'string':
      return `string "${t.text}"`;
    default:
      return `'${t.text}'`;
  }
}

export function parseTokens(tokens: Token[], file: string): EdlFile {
  return new Parser(tokens, file).file();
}

/** Parses `type` or `type[N]...` alone (foreign type mappings). Throws SyntaxFailure. */
export function parseTypeTokens(tokens: Token[], file: string): { type: TypeRef; dims: number[] } {
  return new Parser(tokens, file).typeAlone();
}

class Parser {
  private pos = 0;
  private readonly out: EdlFile;

  constructor(
    private readonly tokens: Token[],
    private readonly fileName: string,
  ) {
    this.out = { file: fileName, includes: [], imports: [], types: [], trusted: [], untrusted: [] };
    const last = tokens[tokens.length - 1];
    if (!last || last.kind !== 'eof') tokens.push({ kind: 'eof', text: '', loc: last?.loc ?? { file: fileName, line: 1, col: 1 } });
  }

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.pos + offset, this.tokens.length - 1)];
  }

  private next(): Token {
    const t = this.peek();
    if (t.kind !== 'eof') this.pos++;
    return t;
  }

  private is(text: string, offset = 0): boolean {
    const t = this.peek(offset);
    return (t.kind === 'punct' || t.kind === 'ident') && t.text === text;
  }

  private fail(message: string, hint?: string, at: Token = this.peek()): never {
    throw syntaxError(at.loc, message, hint);
  }

  private expect(text: string, context: string, hint?: string): Token {
    if (!this.is(text)) this.fail(`expected '${text}' ${context}, found ${describe(this.peek())}`, hint);
    return this.next();
  }

  private ident(what: string): Token {
    const t = this.peek();
    if (t.kind !== 'ident') this.fail(`expected ${what}, found ${describe(t)}`);
    if (EDL_KEYWORDS.has(t.text)) this.fail(`'${t.text}' is an EDL keyword and cannot be used as ${what}`, 'choose another name');
    return this.next();
  }

  file(): EdlFile {
    this.expect('enclave', 'at the start of an EDL file', 'an EDL file is enclave { ... };');
    this.expect('{', "after 'enclave'");
    while (!this.is('}')) {
      if (this.peek().kind === 'eof') this.fail("unexpected end of file inside 'enclave { ... }'", "close the enclave block with '};'");
      this.enclaveItem();
    }
    this.next();
    this.expect(';', "after the enclave block's closing '}'", "end the file with '};'");
    if (this.peek().kind !== 'eof') this.fail(`unexpected ${describe(this.peek())} after the end of the enclave block`, 'an EDL file holds exactly one enclave { ... };');
    return this.out;
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

  private enclaveItem(): void {
    const t = this.peek();
    if (this.is('include')) return this.include('enclave');
    if (this.is('from')) {
      this.importDecl();
      this.expect(';', 'after the import declaration');
      return;
    }
    if (this.is('struct') || this.is('union') || this.is('enum')) {
      this.out.types.push(this.is('enum') ? this.enumDef() : this.structDef());
      this.expect(';', "after the type definition's closing '}'");
      return;
    }
    if (this.is('trusted') || this.is('untrusted')) {
      const trusted = this.next().text === 'trusted';
      this.expect('{', `after '${trusted ? 'trusted' : 'untrusted'}'`);
      const scope = trusted ? 'trusted' : 'untrusted';
      while (this.is('include')) this.include(scope);
      while (!this.is('}')) {
        if (this.peek().kind === 'eof') this.fail(`unexpected end of file inside the ${scope} block`, "close it with '};'");
        if (trusted) this.trustedFunc();
        else this.untrustedFunc();
      }
      this.next();
      this.expect(';', `after the ${scope} block's closing '}'`, "write '};'");
      return;
    }
    if (this.is('import')) this.fail("an import needs a file: from \"file.edl\" import name, ...;", 'write from "file.edl" import *;');
    this.fail(`unexpected ${describe(t)} in the enclave body`, 'the enclave body holds include, from ... import, struct/union/enum definitions, trusted { } and untrusted { } blocks');
  }

  private include(scope: 'enclave' | 'trusted' | 'untrusted'): void {
    const at = this.next();
    const path = this.peek();
    if (path.kind !== 'string') this.fail(`expected a "file name" after 'include', found ${describe(path)}`, 'write include "file.h"');
    this.next();
    if (this.is(';')) this.next(); // edger8r has no ';' here; tolerated
    this.out.includes.push({ path: path.text, loc: at.loc, scope });
  }

  private importDecl(): void {
    const at = this.next();
    const path = this.peek();
    if (path.kind !== 'string') this.fail(`expected a "file.edl" after 'from', found ${describe(path)}`, 'write from "file.edl" import *;');
    this.next();
    this.expect('import', 'after the file name', 'write from "file.edl" import *; or import f1, f2;');
    if (this.is('*')) {
      this.next();
      this.out.imports.push({ path: path.text, names: '*', loc: at.loc });
      return;
    }
    const names: { name: string; loc: SourceLocation }[] = [];
    do {
      const n = this.ident('a function name to import');
      names.push({ name: n.text, loc: n.loc });
    } while (this.is(',') && this.next());
    this.out.imports.push({ path: path.text, names, loc: at.loc });
  }

  private structDef(): StructDef {
    const kw = this.next();
    const kind = kw.text as 'struct' | 'union';
    const name = this.ident(`a ${kind} name`);
    this.expect('{', `to start the ${kind} '${name.text}' definition`);
    const members: VarDecl[] = [];
    while (!this.is('}')) {
      if (this.peek().kind === 'eof') this.fail(`unexpected end of file inside ${kind} '${name.text}'`, "close it with '};'");
      members.push(this.varDecl('member'));
      this.expect(';', `after a member of ${kind} '${name.text}'`);
    }
    if (members.length === 0) this.fail(`${kind} '${name.text}' has no members`, 'declare at least one member');
    this.next();
    return { kind, name: name.text, members, loc: kw.loc, file: this.fileName };
  }

  private enumDef(): EnumDef {
    const kw = this.next();
    let name = '';
    if (!this.is('{')) name = this.ident('an enum name').text;
    this.expect('{', 'to start the enum definition');
    const items: EnumItem[] = [];
    while (!this.is('}')) {
      const n = this.ident('an enumerator name');
      const item: EnumItem = { name: n.text, loc: n.loc };
      if (this.is('=')) {
        this.next();
        const negative = this.is('-') ? (this.next(), true) : false;
        const v = this.next();
        if (v.kind === 'number') item.value = { kind: 'num', value: negative ? -v.value! : v.value! };
        else if (v.kind === 'ident' && !negative) item.value = { kind: 'name', name: v.text };
        else this.fail(`expected a number or a name as the value of '${n.text}', found ${describe(v)}`, undefined, v);
      }
      items.push(item);
      if (!this.is(',')) break;
      this.next();
    }
    this.expect('}', 'to end the enum definition', "separate enumerators with ','");
    return { kind: 'enum', name, items, loc: kw.loc, file: this.fileName };
  }

  private trustedFunc(): void {
    if (this.is('[')) this.fail('trusted functions take no [attributes]', 'attributes belong on parameters; calling conventions apply to untrusted functions only');
    const isPublic = this.is('public') ? (this.next(), true) : false;
    const func = this.funcDecl();
    let switchless = false;
    if (this.is('transition_using_threads')) {
      this.next();
      switchless = true;
    }
    if (this.is('allow')) this.fail('allow(...) applies to untrusted functions (ocalls) only', 'move allow(...) to the ocall during which this ecall may be made');
    if (this.is('propagate_errno')) this.fail('propagate_errno applies to untrusted functions (ocalls) only');
    this.expect(';', `after the declaration of '${func.name}'`);
    this.out.trusted.push({ kind: 'trusted', func, isPublic, switchless, file: this.fileName });
  }

  private untrustedFunc(): void {
    const attrs = this.is('[') ? this.attrBlock() : null;
    if (this.is('public')) this.fail("'public' applies to trusted functions (ecalls) only", "remove 'public'");
    const func = this.funcDecl();
    const allow: { name: string; loc: SourceLocation }[] = [];
    let propagateErrno = false;
    let switchless = false;
    if (this.is('allow')) {
      this.next();
      this.expect('(', "after 'allow'");
      while (!this.is(')')) {
        const n = this.ident('an ecall name in allow(...)');
        allow.push({ name: n.text, loc: n.loc });
        if (!this.is(',')) break;
        this.next();
      }
      this.expect(')', 'to close allow(...)');
    }
    for (;;) {
      if (this.is('propagate_errno') && !propagateErrno) propagateErrno = !!this.next();
      else if (this.is('transition_using_threads') && !switchless) switchless = !!this.next();
      else break;
    }
    this.expect(';', `after the declaration of '${func.name}'`);
    this.out.untrusted.push({ kind: 'untrusted', func, attrs, allow, propagateErrno, switchless, file: this.fileName });
  }

  private funcDecl(): FuncDecl {
    const returnType = this.typeRef(false);
    if (this.is('[')) this.fail('returning an array is not supported', 'return a pointer instead');
    const name = this.ident('a function name');
    if (this.is('[')) this.fail(`'${name.text}': returning an array is not supported`, 'return a pointer instead');
    this.expect('(', `after the function name '${name.text}'`);
    const params: VarDecl[] = [];
    if (this.is('void') && this.is(')', 1)) {
      this.next();
    } else {
      if (!this.is(')')) {
        params.push(this.varDecl('parameter'));
        while (this.is(',')) {
          this.next();
          params.push(this.varDecl('parameter'));
        }
      }
    }
    this.expect(')', `to close the parameter list of '${name.text}'`, "separate parameters with ','");
    return { name: name.text, returnType, params, loc: name.loc };
  }

  private varDecl(what: 'parameter' | 'member'): VarDecl {
    const attrsLoc = this.is('[') ? this.peek().loc : null;
    const attrs = attrsLoc ? this.attrBlock() : null;
    const type = this.typeRef(what === 'parameter');
    const decl = this.declarator(what);
    return { attrs, attrsLoc, type, decl };
  }

  private declarator(what: string): Declarator {
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

  private attrBlock(): Attribute[] {
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
        attr.value = this.sizeExpr();
      }
      attrs.push(attr);
      if (!this.is(',')) break;
      this.next();
    }
    this.expect(']', 'to close the attribute list', "separate attributes with ','");
    return attrs;
  }

  /** additive := multiplicative (('+'|'-') multiplicative)* */
  private sizeExpr(): SizeExpr {
    let left = this.sizeTerm();
    while (this.is('+') || this.is('-')) {
      const op = this.next();
      left = { kind: 'bin', op: op.text as '+' | '-', left, right: this.sizeTerm(), loc: op.loc };
    }
    return left;
  }

  private sizeTerm(): SizeExpr {
    let left = this.sizeUnary();
    while (this.is('*') || this.is('/') || this.is('%')) {
      const op = this.next();
      left = { kind: 'bin', op: op.text as '*' | '/' | '%', left, right: this.sizeUnary(), loc: op.loc };
    }
    return left;
  }

  private sizeUnary(): SizeExpr {
    const t = this.peek();
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

  private typeRef(allowConst: boolean): TypeRef {
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

  private typeSpec(): TypeSpec {
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
  private intRest(optional: boolean): string {
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
