import type { Command } from 'commander';
import { ErrorCode, SecGearError } from '../../common/errors.js';

/** The service package's CLI entry, loaded only when `secgear as` runs. */
const SERVICE_CLI = '@secgear/attestation/cli';

interface ServiceCli {
  runServiceCli(args: string[]): Promise<number>;
}

/**
 * `secgear as ...`: the attestation service (`@secgear/attestation`). The base package must not
 * depend on the service (imports point down: service → base), so this command imports the
 * service's CLI at run time and hands it the arguments; the service package owns its options.
 * Without the package installed, the command says how to get it.
 */
export function registerAs(program: Command): void {
  program
    .command('as')
    .description('attestation service: serve, policy, reference (needs @secgear/attestation; see secgear as --help)')
    .argument('[args...]', 'serve | policy | reference, and their options')
    .allowUnknownOption()
    .helpOption(false)
    .action(async (args: string[]) => {
      let cli: ServiceCli;
      try {
        cli = (await import(SERVICE_CLI)) as ServiceCli;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' && String((error as Error).message).includes('@secgear/attestation')) {
          throw new SecGearError(ErrorCode.NOT_SUPPORTED, 'secgear as needs the attestation service package: npm install @secgear/attestation', { cause: error });
        }
        throw error;
      }
      process.exitCode = await cli.runServiceCli(args.length === 0 ? ['--help'] : args);
    });
}
