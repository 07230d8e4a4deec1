/**
 * Names in generated TypeScript. EDL names are C identifiers; some are reserved in
 * JavaScript (renamed with a trailing `_`) or would shadow what the generated code uses
 * (reported). Generated internals all start with `$`, which C identifiers cannot contain.
 */

const JS_RESERVED = new Set([
  'break', 'case', 'catch', 'class', 'const', 'continue', 'debugger', 'default', 'delete', 'do', 'else', 'enum', 'export',
  'extends', 'false', 'finally', 'for', 'function', 'if', 'import', 'in', 'instanceof', 'new', 'null', 'return', 'super',
  'switch', 'this', 'throw', 'true', 'try', 'typeof', 'var', 'void', 'while', 'with', 'yield', 'let', 'static',
  'implements', 'interface', 'package', 'private', 'protected', 'public', 'await', 'arguments', 'eval', 'undefined',
  'NaN', 'Infinity',
]);

/** Type names a struct/union/enum may not take: TypeScript's own and the globals generated code uses. */
const TYPE_RESERVED = new Set([
  'any', 'unknown', 'never', 'object', 'number', 'string', 'boolean', 'bigint', 'symbol', 'undefined', 'null', 'void',
  'this', 'type', 'keyof', 'readonly', 'infer', 'is', 'asserts', 'unique', 'global', 'declare', 'namespace', 'module',
  'Promise', 'PromiseLike', 'Awaited', 'Record', 'Partial', 'Pick', 'Omit', 'Readonly', 'ReadonlySet', 'Set', 'Array',
  'ReadonlyArray', 'Object', 'Error', 'Number', 'BigInt', 'String', 'Boolean', 'Math', 'JSON', 'ArrayBuffer',
  'SharedArrayBuffer', 'ArrayBufferLike', 'ArrayBufferView', 'Uint8Array', 'Int8Array', 'Uint16Array', 'Int16Array',
  'Uint32Array', 'Int32Array', 'BigInt64Array', 'BigUint64Array', 'Float32Array', 'Float64Array', 'DataView',
  'TextEncoder', 'TextDecoder', 'SecGearError', 'ErrorCode', 'EcallTarget', 'EcallOptions', 'EdlHandle', 'EdlRef',
  'AbortSignal',
]);

/** A function or parameter name usable in JavaScript. */
export function jsName(name: string): string {
  return JS_RESERVED.has(name) ? `${name}_` : name;
}

export function isReservedJs(name: string): boolean {
  return JS_RESERVED.has(name);
}

export function isReservedType(name: string): boolean {
  return TYPE_RESERVED.has(name) || JS_RESERVED.has(name);
}

/** helloworld → Helloworld, secgear_ds → SecgearDs, 1x → Edl1x. */
export function pascalCase(name: string): string {
  const parts = name.split(/[^A-Za-z0-9]+/).filter((p) => p.length > 0);
  const joined = parts.map((p) => p[0].toUpperCase() + p.slice(1)).join('') || 'Edl';
  return /^[0-9]/.test(joined) ? `Edl${joined}` : joined;
}

/** A JavaScript string literal. */
export function str(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
}

/** A property access that works for any C identifier under noPropertyAccessFromIndexSignature. */
export function prop(obj: string, name: string): string {
  return `${obj}[${str(name)}]`;
}
