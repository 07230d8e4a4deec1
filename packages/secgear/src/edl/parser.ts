/**
 * Recursive-descent parser for Intel's EDL grammar (as edger8r's Parser.mly has it), over
 * preprocessed tokens. It stops at the first syntax error, like edger8r; attribute meaning
 * is checked later (`attributes.ts`, `checker.ts`) so those errors can be many and precise.
 */
import type { EdlFile, EnumDef, EnumItem, FuncDecl, StructDef, TypeRef, VarDecl } from './ast.js';
import type { SourceLocation } from './diagnostics.js';
import type { Token } from './lexer.js';
import { TypeParser, describe } from './parse-types.js';

export { EDL_KEYWORDS } from './parse-types.js';

export function parseTokens(tokens: Token[], file: string): EdlFile {
  return new Parser(tokens, file).file();
}

/** Parses `type` or `type[N]...` alone (foreign type mappings). Throws SyntaxFailure. */
export function parseTypeTokens(tokens: Token[], file: string): { type: TypeRef; dims: number[] } {
  return new TypeParser(tokens, file).typeAlone();
}

class Parser extends TypeParser {
  private readonly out: EdlFile;

  constructor(tokens: Token[], fileName: string) {
    super(tokens, fileName);
    this.out = { file: fileName, includes: [], imports: [], types: [], trusted: [], untrusted: [] };
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
}
