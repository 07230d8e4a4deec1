/**
 * `parseEdl` / `loadEdl`: EDL text or file → the checked interface, or an EdlError carrying
 * every diagnostic (each with file:line:col, what is wrong and how to fix it).
 */
import { resolve } from 'node:path';
import { ErrorCode, SecGearError } from '../common/errors.js';
import { checkEdl, type CheckOptions } from './checker.js';
import { DiagnosticBag, EdlError, type Diagnostic } from './diagnostics.js';
import { edlHash } from './hash.js';
import { Loader, nodeFileSystem, type LoadOptions } from './loader.js';
import type { EdlModel } from './model.js';

export interface ParseEdlOptions extends LoadOptions, CheckOptions {
  /** The name diagnostics use and imports resolve from. Default `input.edl` in the working directory. */
  fileName?: string;
}

export interface ParsedEdl {
  model: EdlModel;
  /** Warnings (errors throw). */
  warnings: Diagnostic[];
  /** SHA-384 (hex) of the canonical interface; recorded in the image manifest as edlHash. */
  edlHash: string;
}

/** Parses and checks EDL text. Throws EdlError (CC_ERROR_EDL_*) listing every problem. */
export function parseEdl(source: string, options: ParseEdlOptions = {}): ParsedEdl {
  if (typeof source !== 'string') throw new SecGearError(ErrorCode.BAD_PARAMETERS, `parseEdl(source): source must be the EDL text as a string, got ${typeof source}`);
  const bag = new DiagnosticBag();
  const fileName = resolve(options.fileName ?? 'input.edl');
  const loaded = new Loader(bag, options).load(fileName, source);
  const model = loaded && !bag.hasErrors ? checkEdl(loaded, bag, options) : null;
  bag.throwIfErrors();
  if (!model) throw new EdlError(bag.items); // unreachable: a null model always comes with an error
  return { model, warnings: bag.warnings, edlHash: edlHash(model) };
}

/** Reads an EDL file from disk (or `options.fs`) and parses it. */
export function loadEdl(path: string, options: Omit<ParseEdlOptions, 'fileName'> = {}): ParsedEdl {
  const fileName = resolve(path);
  const source = (options.fs ?? nodeFileSystem).readFile(fileName);
  if (source === null) {
    throw new EdlError([{ severity: 'error', kind: 'import', loc: { file: fileName, line: 1, col: 1 }, message: `cannot read EDL file "${path}": no such file`, hint: 'check the path' }]);
  }
  return parseEdl(source, { ...options, fileName });
}
