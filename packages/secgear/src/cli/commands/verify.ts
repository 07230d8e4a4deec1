import type { Command } from 'commander';
import { toHex } from '../../common/bytes.js';
import { ErrorCode, SecGearError } from '../../common/errors.js';
import { verifyImageBytes } from '../../image/verify-image.js';
import { readInputFile } from '../output.js';

export function registerVerify(program: Command): void {
  program
    .command('verify')
    .description('check an image: format, manifest, measurement and signature (exit 2 on any mismatch)')
    .argument('<image>', '.sgimg file')
    .option('--signer <hex>', 'also require this signer (SHA-384 of the signing key)')
    .option('--json', 'print JSON')
    .action((image: string, opts: { signer?: string; json?: boolean }) => {
      if (opts.signer !== undefined && !/^[0-9a-fA-F]{96}$/.test(opts.signer)) {
        throw new SecGearError(ErrorCode.BAD_PARAMETERS, '--signer must be 96 hex digits (the SHA-384 that secgear keygen and secgear inspect print)');
      }
      let result: { ok: boolean; measurement?: string; signer?: string; code?: string; error?: string };
      try {
        const verified = verifyImageBytes(readInputFile(image, 'enclave image'));
        result = { ok: true, measurement: toHex(verified.measurement), signer: toHex(verified.signer) };
        if (opts.signer && opts.signer.toLowerCase() !== result.signer) {
          result = { ...result, ok: false, code: 'CC_ERROR_INVALID_SIGNATURE', error: `signer ${result.signer} is not the required ${opts.signer}` };
        }
      } catch (error) {
        if (!(error instanceof SecGearError)) throw error;
        result = { ok: false, code: error.code, error: error.message };
      }
      if (opts.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      else if (result.ok) process.stdout.write(`OK ${image}\nmeasurement ${result.measurement}\nsigner      ${result.signer}\n`);
      else process.stderr.write(`FAILED ${image}: ${result.code}: ${result.error}\n`);
      process.exitCode = result.ok ? 0 : 2;
    });
}
