import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { toHex } from '../../common/bytes.js';
import { ErrorCode, SecGearError } from '../../common/errors.js';
import { decodeImage } from '../../image/format.js';
import { normalizeManifest } from '../../image/manifest.js';
import { computeSigner } from '../../image/measure.js';

/** Describes an image without trusting it (use `secgear verify` to check it). */
export function describeImage(bytes: Uint8Array): Record<string, unknown> {
  const parts = decodeImage(bytes);
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(parts.manifest));
  } catch (error) {
    throw new SecGearError(ErrorCode.INVALID_IMAGE, 'the image manifest is not valid JSON', { cause: error });
  }
  const m = normalizeManifest(parsed, 'image manifest');
  return {
    name: m.name,
    version: m.version,
    prodId: m.prodId,
    svn: m.svn,
    debug: m.debug,
    measurement: toHex(parts.measurement),
    signer: toHex(computeSigner(parts.publicKey)),
    heapLimitMb: m.heapLimitMb,
    maxConcurrentEcalls: m.maxConcurrentEcalls,
    switchless: m.switchless,
    ecalls: m.ecalls,
    ocalls: m.ocalls,
    ...(m.edlHash ? { edlHash: m.edlHash } : {}),
    ...(m.gramine ? { gramine: m.gramine } : {}),
    bundleBytes: parts.bundle.byteLength,
  };
}

export function registerInspect(program: Command): void {
  program
    .command('inspect')
    .description('print what an enclave image declares (name, version, identity, ecalls, ocalls); does not verify it')
    .argument('<image>', '.sgimg file')
    .option('--json', 'print JSON')
    .action((image: string, opts: { json?: boolean }) => {
      const info = describeImage(new Uint8Array(readFileSync(image)));
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(info, null, 2)}\n`);
        return;
      }
      process.stdout.write('(as the image declares it, not verified: `secgear verify` checks it)\n');
      for (const [key, value] of Object.entries(info)) {
        process.stdout.write(`${key.padEnd(20)} ${typeof value === 'object' ? JSON.stringify(value) : String(value)}\n`);
      }
    });
}
