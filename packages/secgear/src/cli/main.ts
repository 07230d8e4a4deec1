#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { SecGearError } from '../common/errors.js';
import { registerCommands } from './commands/index.js';
import { extensionHelp, loadExtension } from './extensions.js';

const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };

const program = new Command('secgear')
  .description('secGear for TypeScript: build, sign, inspect and run enclaves; verify TEE evidence')
  .version(pkg.version)
  .exitOverride()
  .showHelpAfterError();

registerCommands(program);
program.addHelpText('after', extensionHelp());

try {
  await loadExtension(program, process.argv);
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // help and version exit 0; usage errors exit 1 (commander already printed the message)
    process.exitCode = error.exitCode === 0 ? 0 : 1;
  } else if (error instanceof SecGearError) {
    process.stderr.write(`secgear: ${error.code}: ${error.message}\n`);
    process.exitCode = 1;
  } else if (error instanceof Error && typeof (error as NodeJS.ErrnoException).syscall === 'string') {
    // a file the user named could not be read or written: say which, without a stack trace
    process.stderr.write(`secgear: ${error.message}\n`);
    process.exitCode = 1;
  } else {
    process.stderr.write(`secgear: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  }
}
