/**
 * Reads an EDL file and everything it imports: preprocessing, parsing, the search path,
 * the built-in standard library, import cycles, and edger8r's import reduction (which
 * functions `from "x.edl" import *;` or `import f1, f2;` bring in).
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { EdlFile, ImportDecl, TrustedFunc, TypeDef, UntrustedFunc } from './ast.js';
import type { Diagnostic, DiagnosticBag, SourceLocation } from './diagnostics.js';
import { tokenize } from './lexer.js';
import { MAX_SYNTAX_ERRORS, parseTokens } from './parser.js';
import { defineMacros, preprocess, type Macro } from './preprocessor.js';
import { SGX_RUNTIME_FUNCTIONS, SGX_SYSTEM_EDL, STD_HEADERS, STD_LIBRARY, STD_PREFIX } from './stdlib.js';

/** Where EDL text comes from; tests and tools may supply their own. */
export interface EdlFileSystem {
  /** The file's text, or null when it does not exist. */
  readFile(path: string): string | null;
}

export const nodeFileSystem: EdlFileSystem = {
  readFile(path) {
    try {
      return readFileSync(path, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return null;
      throw error;
    }
  },
};

export interface LoadOptions {
  /** Directories searched for imported EDL files and #include'd files, in order. */
  searchPath?: string[];
  /** Preprocessor macros, like `cc -D NAME=VALUE`. */
  defines?: Record<string, string | number | boolean>;
  fs?: EdlFileSystem;
}

export interface LoadedFile {
  path: string;
  ast: EdlFile;
  /** Part of the built-in standard library. */
  std: boolean;
  /** Had syntax errors (reported); `ast` holds what parsed. */
  broken?: boolean;
}

/** The root file and what its imports select, before semantic checks. */
export interface LoadResult {
  root: LoadedFile;
  /** Every file reached, root first. */
  files: LoadedFile[];
  types: TypeDef[];
  trusted: TrustedFunc[];
  untrusted: UntrustedFunc[];
}

export class Loader {
  private readonly cache = new Map<string, LoadedFile>();
  private readonly fs: EdlFileSystem;
  private readonly searchPath: string[];

  constructor(
    private readonly bag: DiagnosticBag,
    private readonly options: LoadOptions = {},
  ) {
    this.fs = options.fs ?? nodeFileSystem;
    this.searchPath = options.searchPath ?? [];
  }

  /**
   * Parses `source` as the file `path`, reporting every syntax error of it (in the bag) once.
   * A file with errors comes back `broken`, its tree holding what parsed: its imports are
   * still followed, so their errors are reported in the same run.
   */
  parse(path: string, source: string, std: boolean): LoadedFile {
    const cached = this.cache.get(path);
    if (cached) return cached;
    const macros = new Map<string, Macro>();
    defineMacros(macros, this.options.defines);
    const mark = this.bag.items.length;
    // one bound for the lexer, preprocessor and parser together; the parser stops at it
    let reported = 0;
    const report = (d: Diagnostic) => {
      reported++;
      if (reported <= MAX_SYNTAX_ERRORS) this.bag.items.push(d);
      else if (reported === MAX_SYNTAX_ERRORS + 1) this.bag.error('syntax', d.loc, `too many syntax errors in this file (more than ${MAX_SYNTAX_ERRORS}); stopped here`, 'fix the errors above first');
    };
    const tokens = preprocess(tokenize(source, path, report), {
      macros,
      bag: this.bag,
      report,
      stack: [path],
      resolveInclude: (name, from) => this.findInclude(name, from),
    });
    const ast = parseTokens(tokens, path, report);
    const file: LoadedFile = { path, ast, std };
    if (this.bag.errorsSince(mark)) file.broken = true;
    this.cache.set(path, file);
    return file;
  }

  /** Loads the root and reduces its imports. Null when something failed (see the bag). */
  load(rootPath: string, rootSource: string): LoadResult | null {
    const root = this.parse(rootPath, rootSource, false);
    const result: LoadResult = { root, files: [root], types: [], trusted: [], untrusted: [] };
    const seenFiles = new Set<string>([root.path]);
    const seenFuncs = new Set<TrustedFunc | UntrustedFunc>();
    const take = (_file: LoadedFile, fn: TrustedFunc | UntrustedFunc) => {
      if (seenFuncs.has(fn)) return; // the same declaration reached twice (diamond imports)
      seenFuncs.add(fn);
      if (fn.kind === 'trusted') result.trusted.push(fn);
      else result.untrusted.push(fn);
    };
    const visit = (file: LoadedFile) => {
      if (file !== root && !seenFiles.has(file.path)) {
        seenFiles.add(file.path);
        result.files.push(file);
      }
    };

    // edger8r's reduce_import: `*` takes every function and follows the file's own imports;
    // a list takes the named functions, looking into the file's imports for the missing ones.
    const collect = (file: LoadedFile, names: ImportDecl['names'], stack: string[], at: SourceLocation | null): string[] => {
      visit(file);
      if (names === '*') {
        for (const fn of file.ast.trusted) take(file, fn);
        for (const fn of file.ast.untrusted) take(file, fn);
        for (const imp of file.ast.imports) this.follow(file, imp, stack, (next, s) => collect(next, imp.names, s, imp.loc));
        return [];
      }
      let missing: { name: string; loc: SourceLocation }[] = [];
      for (const want of names) {
        const fn = file.ast.trusted.find((f) => f.func.name === want.name) ?? file.ast.untrusted.find((f) => f.func.name === want.name);
        if (fn) take(file, fn);
        else missing.push(want);
      }
      for (const imp of file.ast.imports) {
        if (missing.length === 0) break;
        this.follow(file, imp, stack, (next, s) => {
          const still = new Set(collect(next, missing, s, at));
          missing = missing.filter((m) => still.has(m.name));
          return [];
        });
      }
      return missing.map((m) => m.name);
    };

    for (const imp of root.ast.imports) {
      this.follow(root, imp, [root.path], (next, stack) => {
        const missing = collect(next, imp.names, stack, imp.loc);
        // a declaration that did not parse is not "missing": its syntax error says why
        if (imp.names !== '*' && !result.files.some((f) => f.broken)) {
          for (const name of missing) {
            const loc = imp.names.find((n) => n.name === name)?.loc ?? imp.loc;
            const sdkFile = next.std && Object.hasOwn(SGX_RUNTIME_FUNCTIONS, name) ? SGX_RUNTIME_FUNCTIONS[name] : undefined;
            if (sdkFile) {
              // named in the SDK's own system EDL, for its C runtime: nothing here calls it
              this.bag.warn('import', loc, `'${name}' serves the SGX SDK's C runtime (${sdkFile}); secGear for TypeScript has no use for it, so the import is ignored`, 'remove it from the import list');
              continue;
            }
            this.bag.error('import', loc, `import failed: function '${name}' is not declared in "${imp.path}" or the files it imports`, `check the spelling, or import it from the file that declares it`);
          }
        }
        return [];
      });
    }
    for (const fn of root.ast.trusted) take(root, fn);
    for (const fn of root.ast.untrusted) take(root, fn);
    for (const file of result.files) result.types.push(...file.ast.types);
    return result.files.some((f) => f.broken) ? null : result;
  }

  /** Resolves and parses an import, detecting cycles, then runs `then` on the imported file. */
  private follow(from: LoadedFile, imp: ImportDecl, stack: string[], then: (file: LoadedFile, stack: string[]) => string[]): void {
    const found = this.findImport(imp.path, from.path);
    if (!found) {
      this.bag.error('import', imp.loc, `cannot find imported file "${imp.path}"`, `add its directory to the search path (--search-path); looked in ${this.describeSearch(from.path)}`);
      return;
    }
    if (stack.includes(found.path)) {
      const cycle = [...stack.slice(stack.indexOf(found.path)), found.path].map(shortName).join(' -> ');
      this.bag.error('import', imp.loc, `import cycle: ${cycle}`, 'remove one of the imports; shared declarations belong in a third file both import');
      return;
    }
    then(this.parse(found.path, found.source, found.std), [...stack, found.path]);
  }

  private candidates(name: string, fromFile: string): string[] {
    if (isAbsolute(name)) return [name];
    const dirs = fromFile.startsWith(STD_PREFIX) ? [] : [dirname(fromFile)];
    return [...dirs, ...this.searchPath].map((d) => resolve(join(d, name)));
  }

  private describeSearch(fromFile: string): string {
    const dirs = [fromFile.startsWith(STD_PREFIX) ? null : dirname(fromFile), ...this.searchPath].filter((d): d is string => d !== null);
    return `${dirs.map((d) => `"${d}"`).join(', ') || 'no directories'} and the built-in library`;
  }

  private findImport(name: string, fromFile: string): { path: string; source: string; std: boolean } | null {
    for (const path of this.candidates(name, fromFile)) {
      const cached = this.cache.get(path);
      if (cached) return { path, source: '', std: cached.std };
      const source = this.fs.readFile(path);
      if (source !== null) return { path, source, std: false };
    }
    const std = Object.hasOwn(STD_LIBRARY, name) ? STD_LIBRARY[name] : Object.hasOwn(SGX_SYSTEM_EDL, name) ? SGX_SYSTEM_EDL[name] : undefined;
    if (std !== undefined) return { path: `${STD_PREFIX}${name}`, source: std, std: true };
    return null;
  }

  private findInclude(name: string, fromFile: string): { file: string; source: string } | null {
    for (const path of this.candidates(name, fromFile)) {
      const source = this.fs.readFile(path);
      if (source !== null) return { file: path, source };
    }
    const std = Object.hasOwn(STD_HEADERS, name) ? STD_HEADERS[name] : undefined;
    return std === undefined ? null : { file: `${STD_PREFIX}${name}`, source: std };
  }
}

function shortName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
