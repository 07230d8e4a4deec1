import type { Command } from 'commander';
import { toHex } from '../../common/bytes.js';
import { buildImage } from '../../image/build-image.js';
import { manifestPreparers } from '../../image/manifest-preparers.js';

export function registerBuild(program: Command): void {
  program
    .command('build')
    .description('bundle an enclave entry with esbuild, measure it and sign it into an image')
    .argument('<entry>', 'enclave entry module (.ts or .js) that calls defineEnclave')
    .requiredOption('-m, --manifest <file>', 'enclave.json')
    .requiredOption('-k, --key <file>', 'P-384 signing key (secgear keygen)')
    .requiredOption('-o, --output <file>', 'image to write (.sgimg)')
    .option('--minify', 'minify the bundle')
    .option('--json', 'print the result as JSON')
    .action(async (entry: string, opts: { manifest: string; key: string; output: string; minify?: boolean; json?: boolean }) => {
      const result = await buildImage({
        entry,
        manifest: opts.manifest,
        key: opts.key,
        output: opts.output,
        minify: opts.minify,
        prepareManifest: async (input, dir) => {
          let out = input;
          for (const prepare of manifestPreparers) out = await prepare(out, dir);
          return out;
        },
      });
      const summary = {
        image: opts.output,
        name: result.manifest.name,
        version: result.manifest.version,
        measurement: toHex(result.measurement),
        signer: toHex(result.signer),
        bytes: result.bytes.byteLength,
      };
      if (opts.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
      else process.stdout.write(`built ${summary.image} (${summary.bytes} bytes)\nmeasurement ${summary.measurement}\nsigner      ${summary.signer}\n`);
    });
}
