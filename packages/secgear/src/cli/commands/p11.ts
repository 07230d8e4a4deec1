import type { Command } from 'commander';
import { ErrorCode, SecGearError } from '../../common/errors.js';
import { startToken } from '../../pkcs11/token-image.js';

interface ServeOptions {
  socket: string;
  store: string;
  image?: string;
  key?: string;
  backend: string;
  simDir?: string;
  logLevel: string;
}

export function registerP11(program: Command): void {
  const p11 = program.command('p11').description('the enclave-backed PKCS#11 token');
  p11
    .command('serve')
    .description('serve the token on a UNIX socket in p11-kit RPC (point P11_KIT_SERVER_ADDRESS=unix:path=SOCKET and load p11-kit-client.so)')
    .requiredOption('--socket <path>', 'UNIX socket to listen on (created with mode 0600)')
    .option('--store <dir>', 'folder of the sealed token record and objects', '.secgear/p11')
    .option('--image <file>', 'a signed token image (default: build one from this package and sign it with --key)')
    .option('--key <file>', 'P-384 signing key for the built image (default: <store>/signing-key.pem, created if missing: development only)')
    .option('--backend <type>', 'enclave backend: sim, process or auto', 'sim')
    .option('--sim-dir <dir>', 'simulated platform state folder (sim and process backends)')
    .option('--log-level <level>', 'enclave log level: error, warn, info or debug', 'info')
    .action(async (opts: ServeOptions) => {
      if (!['error', 'warn', 'info', 'debug'].includes(opts.logLevel)) throw new SecGearError(ErrorCode.BAD_PARAMETERS, '--log-level must be error, warn, info or debug');
      const token = await startToken({
        socketPath: opts.socket,
        storeDir: opts.store,
        image: opts.image,
        key: opts.key,
        enclave: { type: opts.backend, logLevel: opts.logLevel as 'info', platform: opts.simDir ? { stateDir: opts.simDir } : undefined },
        onProtocolError: (reason) => process.stderr.write(`secgear p11: closed a connection: ${reason}\n`),
      });
      process.stdout.write(`P11_KIT_SERVER_ADDRESS=unix:path=${opts.socket}\nserving the ${token.enclave.info.name} token (backend ${opts.backend}); stop with Ctrl-C\n`);
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await token.close();
    });
}
