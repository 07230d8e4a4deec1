/**
 * The built-in SGX types: every header block parsed once into EDL type definitions, and the
 * typedef table that maps the names EDL files use (`sgx_report_t`, `sgx_isv_svn_t`, ...) to
 * them. The checker pulls a definition in only when an EDL file names it.
 */
import type { TypeDef } from '../ast.js';
import { tokenize } from '../lexer.js';
import { parseTokens } from '../parser.js';
import { STD_PREFIX } from '../stdlib.js';
import { ARCHITECTURAL_ENCLAVE_TYPES, ATTESTATION_TYPES } from './attestation-types.js';
import type { HeaderBlock } from './header-block.js';
import { SDK_CORE_TYPES } from './sdk-core-types.js';

export type { HeaderBlock } from './header-block.js';

export const SGX_HEADER_BLOCKS: readonly HeaderBlock[] = [...SDK_CORE_TYPES, ...ATTESTATION_TYPES, ...ARCHITECTURAL_ENCLAVE_TYPES];

export interface BuiltinTypes {
  /** Struct, union and enum definitions by name. */
  defs: ReadonlyMap<string, TypeDef>;
  /** typedef name → EDL type; each definition's own name maps to `struct name` / `enum name`. */
  typedefs: Readonly<Record<string, string>>;
}

let cached: BuiltinTypes | null = null;

/** The built-in SGX types (parsed on first use). */
export function sgxBuiltinTypes(): BuiltinTypes {
  cached ??= build(SGX_HEADER_BLOCKS);
  return cached;
}

/** Parses header blocks; a mistake in them is a bug, so it throws. */
export function build(blocks: readonly HeaderBlock[]): BuiltinTypes {
  const defs = new Map<string, TypeDef>();
  const typedefs: Record<string, string> = {};
  const claim = (name: string, header: string) => {
    if (defs.has(name) || Object.hasOwn(typedefs, name)) throw new Error(`built-in SGX type '${name}' is declared twice (again in ${header})`);
  };
  for (const block of blocks) {
    const file = `${STD_PREFIX}sgx/${block.header}`;
    const ast = parseTokens(tokenize(`enclave {${block.edl}\n};`, file), file);
    for (const def of ast.types) {
      claim(def.name, block.header);
      if (def.kind !== 'enum' && block.packed) def.packed = true;
      const tail = block.flexible?.[def.name];
      if (def.kind !== 'enum' && tail) def.flexibleTail = tail;
      defs.set(def.name, def);
      typedefs[def.name] = `${def.kind} ${def.name}`;
    }
    for (const name of Object.keys(block.flexible ?? {})) {
      if (!ast.types.some((d) => d.name === name)) throw new Error(`built-in SGX type '${name}' is marked flexible but not defined in ${block.header}`);
    }
    for (const [name, type] of Object.entries(block.typedefs ?? {})) {
      claim(name, block.header);
      typedefs[name] = type;
    }
  }
  return { defs, typedefs };
}
