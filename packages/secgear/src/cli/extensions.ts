/**
 * Service packages contribute their own commands: `secgear <name> ...` loads `@secgear/<name>/cli`
 * when <name> is not a built-in command, and that module's `register(program)` adds them. The
 * SDK thus never depends on its services (they depend on it), and a service that is not
 * installed costs nothing and says how to get it.
 */
import type { Command } from 'commander';
import { ErrorCode, SecGearError } from '../common/errors.js';

export interface CliExtension {
  register(program: Command): void;
}

/** Service commands known to exist, for the help text. */
export const KNOWN_EXTENSIONS: Record<string, string> = {
  kms: 'EKMS, the enclave key management service (package @secgear/kms)',
};

/** Loads the extension named by the command line's first word, when it is not a built-in command. */
export async function loadExtension(program: Command, argv: string[]): Promise<void> {
  const name = argv[2];
  if (!name || !/^[a-z][a-z0-9-]{0,31}$/.test(name)) return;
  if (program.commands.some((c) => c.name() === name || c.aliases().includes(name))) return;
  const specifier = `@secgear/${name}/cli`;
  let extension: Partial<CliExtension>;
  try {
    extension = (await import(specifier)) as Partial<CliExtension>;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'ERR_PACKAGE_PATH_NOT_EXPORTED') throw error;
    // an unknown command: commander reports it; a known service that is not installed: say so
    if (KNOWN_EXTENSIONS[name]) throw new SecGearError(ErrorCode.NOT_SUPPORTED, `\`secgear ${name}\` comes with @secgear/${name}; install it (npm install @secgear/${name}) and build it`);
    return;
  }
  if (typeof extension.register !== 'function') throw new SecGearError(ErrorCode.NOT_SUPPORTED, `${specifier} does not export register(program)`);
  extension.register(program);
}

export function extensionHelp(): string {
  const lines = Object.entries(KNOWN_EXTENSIONS).map(([name, what]) => `  ${name.padEnd(18)}${what}`);
  return `\nService commands (loaded from their packages when installed):\n${lines.join('\n')}\n`;
}
