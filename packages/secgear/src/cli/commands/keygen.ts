import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { toHex } from '../../common/bytes.js';
import { ErrorCode, SecGearError } from '../../common/errors.js';
import { computeSigner } from '../../image/measure.js';
import { generateSigningKey, loadSigningKey, publicKeySpki } from '../../image/signing-key.js';

export function registerKeygen(program: Command): void {
  program
    .command('keygen')
    .description('create an ECDSA P-384 enclave signing key (PKCS#8 PEM, mode 0600)')
    .requiredOption('-o, --output <file>', 'where to write the private key')
    .option('--force', 'overwrite an existing file')
    .action((opts: { output: string; force?: boolean }) => {
      const pem = generateSigningKey();
      try {
        writeFileSync(opts.output, pem, { mode: 0o600, flag: opts.force ? 'w' : 'wx' });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        throw new SecGearError(ErrorCode.BAD_PARAMETERS, `${opts.output} already exists; keep it, or pass --force to replace it (images signed with it will then have another signer)`);
      }
      const signer = computeSigner(publicKeySpki(loadSigningKey(pem)));
      process.stdout.write(`wrote ${opts.output}\nsigner ${toHex(signer)}\n`);
    });
}
