/**
 * Recursive-descent parser for Intel's EDL grammar (as edger8r's Parser.mly has it), over
 * preprocessed tokens. Unlike edger8r it does not stop at the first syntax error: each rule
 * throws a SyntaxFailure to the nearest recovery point (an enclave item, a function
 * declaration, a struct member), which records it and skips to the end of that construct
 * (panic mode: the next `;` at the same brace depth, or the `}` that closes the block), so
 * one run reports every independent mistake. Attribute meaning is checked later
 * (`attributes.ts`, `checker.ts`).
 */
import type { EdlFile, EnumDef, EnumItem, FuncDecl, StructDef, TypeRef, VarDecl } from './ast.js';
import { SyntaxFailure, syntaxError, type Diagnostic, type SourceLocation } from './diagnostics.js';
import type { Token } from './lexer.js';
import { TypeParser, describe } from './parse-types.js';

export { EDL_KEYWORDS } from './parse-types.js';

/** Syntax errors reported per file before the parser gives up on it. */
export const MAX_SYNTAX_ERRORS = 50;

/**
 * Parses one file. With `report`, every syntax error goes there and the (partial) tree comes
 * back; without it, the first error is thrown as a SyntaxFailure.
 */
export function parseTokens(tokens: Token[], file: string, report?: (d: Diagnostic) => void): EdlFile {
  return new Parser(tokens, file, report ?? null).file();
}

/** Parses `type` or `type[N]...` alone (foreign type mappings). Throws SyntaxFailure. */
export function parseTypeTokens(tokens: Token[], file: string): { type: TypeRef; dims: number[] } {
  return new TypeParser(tokens, file).typeAlone();
}

/** Thrown when a file has too many errors to go on. */
class TooManyErrors extends Error {}

class Parser extends TypeParser {
  private readonly out: EdlFile;
  private reported = 0;
  /** Token index of the last error recorded (one message per spot). */
  private lastErrorAt = -1;

  constructor(
    tokens: Token[],
    fileName: string,
    private readonly sink: ((d: Diagnostic) => void) | null,
  ) {
    super(tokens, fileName);
    this.out = { file: fileName, includes: [], imports: [], types: [], trusted: [], untrusted: [] };
  }

  file(): EdlFile {
    try {
      this.fileBody();
    } catch (error) {
      if (!(error instanceof TooManyErrors)) throw error;
    }
    return this.out;
  }

  private fileBody(): void {
    const headerOk = this.attempt(() => {
      this.expect('enclave', 'at the start of an EDL file', 'an EDL file is enclave { ... };');
      this.expect('{', "after 'enclave'");
    });
    if (!headerOk) {
      // go on from the first '{', if there is one, to find more errors
      while (!this.atEof() && !this.is('{')) this.next();
      if (this.atEof()) return;
      this.next();
    }
    this.items(() => this.enclaveItem(), "inside 'enclave { ... }'", "close the enclave block with '};'");
    if (this.atEof()) return;
    this.next();
    this.attempt(() => {
      this.expect(';', "after the enclave block's closing '}'", "end the file with '};'");
      if (!this.atEof()) this.fail(`unexpected ${describe(this.peek())} after the end of the enclave block`, 'an EDL file holds exactly one enclave { ... };');
    });
  }

  private atEof(): boolean {
    return this.peek().kind === 'eof';
  }

  /** Records a syntax error (or throws it when there is no sink). */
  private record(failure: SyntaxFailure): void {
    if (!this.sink) throw failure;
    if (failure.silent || this.pos === this.lastErrorAt) return;
    this.lastErrorAt = this.pos;
    if (++this.reported > MAX_SYNTAX_ERRORS) {
      this.sink(syntaxError(failure.diagnostic.loc, `too many syntax errors in this file (more than ${MAX_SYNTAX_ERRORS}); stopped here`, 'fix the errors above first').diagnostic);
      throw new TooManyErrors();
    }
    this.sink(failure.diagnostic);
  }

  /** Runs a rule; on a syntax error records it and skips to the end of the construct. True when it parsed. */
  private attempt(rule: () => void): boolean {
    const start = this.pos;
    try {
      rule();
      return true;
    } catch (error) {
      if (!(error instanceof SyntaxFailure)) throw error;
      this.record(error);
      this.synchronize(start);
      return false;
    }
  }

  /**
   * Panic mode: skips to just after the next `;` at the brace depth where the failed
   * construct started, or to the `}` closing the enclosing block (left for the caller).
   */
  private synchronize(start: number): void {
    let depth = 0;
    for (let i = start; i < this.pos; i++) {
      const t = this.tokens[i];
      if (t.kind !== 'punct') continue;
      if (t.text === '{') depth++;
      else if (t.text === '}' && depth > 0) depth--;
    }
    for (;;) {
      if (this.atEof()) return;
      if (this.is('}')) {
        if (depth === 0) return;
        depth--;
      } else if (this.is('{')) {
        depth++;
      } else if (this.is(';') && depth === 0) {
        this.next();
        return;
      }
      this.next();
    }
  }

  /** Parses items until the closing `}` (not consumed), recovering after each bad one. */
  private items(item: () => void, where: string, hint: string): void {
    while (!this.is('}')) {
      if (this.atEof()) {
        this.attempt(() => this.fail(`unexpected end of file ${where}`, hint));
        return;
      }
      const before = this.pos;
      this.attempt(item);
      if (this.pos === before && !this.is('}')) this.next(); // always make progress
    }
  }

  /** Expects `text`; when it is missing, records the error and goes on as if it were there. */
  private expectOrInsert(text: string, context: string, hint?: string): void {
    if (this.is(text)) {
      this.next();
      return;
    }
    try {
      this.fail(`expected '${text}' ${context}, found ${describe(this.peek())}`, hint);
    } catch (error) {
      if (!(error instanceof SyntaxFailure)) throw error;
      this.record(error);
    }
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
      const scope = trusted ? 'trusted' : 'untrusted';
      this.expectOrInsert('{', `after '${scope}'`);
      while (this.is('include')) this.include(scope);
      this.items(() => (trusted ? this.trustedFunc() : this.untrustedFunc()), `inside the ${scope} block`, "close it with '};'");
      if (this.atEof()) return;
      this.next();
      this.expectOrInsert(';', `after the ${scope} block's closing '}'`, "write '};'");
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
    let failed = false;
    this.items(
      () => {
        try {
          const member = this.varDecl('member');
          this.expect(';', `after a member of ${kind} '${name.text}'`);
          members.push(member);
        } catch (error) {
          failed = true;
          throw error;
        }
      },
      `inside ${kind} '${name.text}'`,
      "close it with '};'",
    );
    if (this.atEof()) this.fail(`unexpected end of file inside ${kind} '${name.text}'`, "close it with '};'");
    if (members.length === 0 && !failed) this.fail(`${kind} '${name.text}' has no members`, 'declare at least one member');
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
