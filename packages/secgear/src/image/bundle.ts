import { builtinModules } from 'node:module';
import { build, type Plugin } from 'esbuild';
import { ALLOWED_BUILTINS } from '../common/builtin-policy.js';
import { ErrorCode, SecGearError } from '../common/errors.js';
import type { CallPolicy } from '../common/protocol.js';

const builtinPolicy: Plugin = {
  name: 'secgear-builtin-policy',
  setup(b) {
    const builtins = new Set(builtinModules);
    b.onResolve({ filter: /^(node:)?[a-z_/]+$/ }, (args) => {
      const name = args.path.replace(/^node:/, '');
      if (!args.path.startsWith('node:') && !builtins.has(name)) return undefined;
      if (ALLOWED_BUILTINS.has(name)) return { path: `node:${name}`, external: true };
      return {
        errors: [{ text: `enclave code may not import "${args.path}": it reaches outside the enclave. Declare an ocall and let the host do it.` }],
      };
    });
  },
};

/**
 * Bundles an enclave entry (TypeScript or JavaScript) and everything it imports into one
 * CommonJS script. The backends run it in a confined compartment as
 * `(function (require, module, exports) { bundle })`, where `require` hands out only the
 * granted built-in facades; dynamic `import()` becomes that same `require`.
 */
export async function bundleEnclave(entry: string, options: { minify?: boolean; sourcemap?: boolean; callPolicy?: CallPolicy } = {}): Promise<Uint8Array> {
  try {
    const result = await build({
      entryPoints: [entry],
      bundle: true,
      write: false,
      format: 'cjs',
      supported: { 'dynamic-import': false },
      platform: 'node',
      target: 'node20',
      minify: options.minify ?? false,
      sourcemap: options.sourcemap ? 'inline' : false,
      legalComments: 'none',
      logLevel: 'silent',
      plugins: [builtinPolicy],
      // the runtime enforces the manifest's private ecalls and allow lists from its own code
      define: { __SECGEAR_CALL_POLICY__: options.callPolicy ? JSON.stringify(options.callPolicy) : 'undefined' },
    });
    return result.outputFiles[0].contents;
  } catch (error) {
    const errors = (error as { errors?: Array<{ text: string; location?: { file: string; line: number; column: number } | null }> }).errors;
    const detail = errors?.length
      ? errors.map((e) => (e.location ? `${e.location.file}:${e.location.line}:${e.location.column}: ${e.text}` : e.text)).join('\n')
      : (error as Error).message;
    throw new SecGearError(ErrorCode.BUILD_FAILED, `bundling ${entry} failed:\n${detail}`, { cause: error });
  }
}
