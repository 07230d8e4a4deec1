import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { ErrorCode, SecGearError } from '../../common/errors.js';
import { EdlError, formatDiagnostic, generate, loadEdl, type GeneratedFile } from '../../edl/index.js';

interface CodegenOptions {
  trusted?: boolean;
  untrusted?: boolean;
  trustedDir: string;
  untrustedDir: string;
  searchPath: string[];
  define: string[];
  foreignType: string[];
  maxBuffer?: string;
  json?: boolean;
}

const collect = (value: string, previous: string[]) => [...previous, value];

function parseDefines(list: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const d of list) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:=(.*))?$/.exec(d);
    if (!m) throw new SecGearError(ErrorCode.BAD_PARAMETERS, `-D ${d}: expected NAME or NAME=VALUE`);
    out[m[1]] = m[2] ?? '1';
  }
  return out;
}

function parseForeign(list: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of list) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.+)$/.exec(f);
    if (!m) throw new SecGearError(ErrorCode.BAD_PARAMETERS, `--foreign-type ${f}: expected NAME=EDL_TYPE, e.g. sgx_key_t=uint8_t[16]`);
    out[m[1]] = m[2];
  }
  return out;
}

/** `secgear codegen`, after secGear's codegen: EDL → <name>_u.ts (host) and <name>_t.ts (enclave). */
export function registerCodegen(program: Command): void {
  program
    .command('codegen')
    .description('generate TypeScript proxies from an EDL file: <name>_u.ts (host) and <name>_t.ts (enclave)')
    .argument('<file.edl>', 'the EDL file')
    .option('--trusted', 'generate only the enclave side (<name>_t.ts)')
    .option('--untrusted', 'generate only the host side (<name>_u.ts)')
    .option('--trusted-dir <dir>', 'where to write <name>_t.ts', '.')
    .option('--untrusted-dir <dir>', 'where to write <name>_u.ts', '.')
    .option('--search-path <dirs>', 'directories searched for imported EDL files, separated by ":" (repeatable)', (v: string, prev: string[]) => [...prev, ...v.split(':').filter(Boolean)], [] as string[])
    .option('-D, --define <NAME[=VALUE]>', 'define a preprocessor macro (repeatable)', collect, [] as string[])
    .option('--foreign-type <NAME=TYPE>', 'map a C header type to an EDL type, e.g. my_key_t=uint8_t[16] (repeatable)', collect, [] as string[])
    .option('--max-buffer <bytes>', 'largest buffer either side accepts (default 67108864)')
    .option('--json', 'print the result (files, manifest declarations, warnings) as JSON')
    .action((file: string, opts: CodegenOptions) => {
      if (opts.trusted && opts.untrusted) throw new SecGearError(ErrorCode.BAD_PARAMETERS, '--trusted and --untrusted exclude each other; give neither to generate both sides');
      const side = opts.trusted ? 'trusted' : opts.untrusted ? 'untrusted' : 'both';
      const maxBufferBytes = opts.maxBuffer === undefined ? undefined : Number(opts.maxBuffer);
      let files: GeneratedFile[];
      let result: ReturnType<typeof generate>;
      try {
        const parsed = loadEdl(file, { searchPath: opts.searchPath.map((p) => resolve(p)), defines: parseDefines(opts.define), foreignTypes: parseForeign(opts.foreignType) });
        result = generate(parsed, { side, maxBufferBytes });
        files = result.files;
      } catch (error) {
        if (!(error instanceof EdlError)) throw error;
        for (const d of error.diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
        const errors = error.diagnostics.filter((d) => d.severity === 'error').length;
        process.stderr.write(`secgear codegen: ${errors} error${errors === 1 ? '' : 's'}; nothing written\n`);
        if (opts.json) {
          const diagnostics = error.diagnostics.map((d) => ({ ...d.loc, severity: d.severity, message: d.message, ...(d.hint ? { hint: d.hint } : {}) }));
          process.stdout.write(`${JSON.stringify({ ok: false, code: error.code, diagnostics }, null, 2)}\n`);
        }
        process.exitCode = 1;
        return;
      }
      for (const w of result.warnings) process.stderr.write(`${formatDiagnostic(w)}\n`);
      const written: string[] = [];
      for (const f of files) {
        const dir = f.side === 'trusted' ? opts.trustedDir : opts.untrustedDir;
        mkdirSync(dir, { recursive: true });
        const path = join(dir, f.name);
        writeFileSync(path, f.contents);
        written.push(path);
      }
      if (opts.json) {
        process.stdout.write(`${JSON.stringify({ ok: true, files: written, manifest: result.manifest, warnings: result.warnings.map(formatDiagnostic) }, null, 2)}\n`);
      } else {
        for (const path of written) process.stdout.write(`wrote ${path}\n`);
        process.stdout.write(`edlHash ${result.manifest.edlHash}\n`);
      }
    });
}
