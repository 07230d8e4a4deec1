/**
 * `secgear kms ...`: contributed by this package to the `secgear` CLI (which loads
 * `@secgear/kms/cli` when its first argument is `kms`), so the SDK does not depend on EKMS.
 */
import type { Command } from 'commander';
import { registerAdmin } from './admin.js';
import { registerAudit } from './audit.js';
import { registerServe } from './serve.js';

export function register(program: Command): void {
  const kms = program.command('kms').description('EKMS: the enclave key management service speaking the AWS KMS API');
  registerServe(kms);
  registerAdmin(kms);
  registerAudit(kms);
}
