/**
 * The runtime helpers a generated file calls (`$u32`, `$bytes`, ...). They live in the SDK's
 * `secgear/edl-runtime` entry (src/edl/runtime/); a file imports exactly those it uses, so
 * strict `noUnusedLocals` projects compile it.
 */
import * as runtime from '../runtime/index.js';

/** Names the runtime exports for generated code (without their `$`). */
const EXPORTED = new Set(Object.keys(runtime).filter((n) => n.startsWith('$')).map((n) => n.slice(1)));

/** Tracks the helpers a file uses. */
export class HelperSet {
  private readonly used = new Set<string>();

  use(name: string): string {
    if (!EXPORTED.has(name)) throw new Error(`internal: unknown helper ${name}`);
    this.used.add(name);
    return `$${name}`;
  }

  /** The import of the used helpers from `module` (none when no helper is used). */
  importLine(module: string, quote: (s: string) => string): string[] {
    if (this.used.size === 0) return [];
    const names = [...this.used].map((n) => `$${n}`).sort();
    return [`import { ${names.join(', ')} } from ${quote(module)};`];
  }

  /** Whether any used helper takes the buffer limit ($MAX). */
  needsMax(): boolean {
    return ['len', 'elems', 'arrAny', 'bytesAny'].some((n) => this.used.has(n));
  }
}
