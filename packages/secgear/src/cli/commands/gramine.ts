import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { toHex } from '../../common/bytes.js';
import { ErrorCode, SecGearError } from '../../common/errors.js';
import { verifyImageBytes } from '../../image/verify-image.js';
import { ENCLAVE_IMAGE_FILE, ENCLAVE_MAIN_FILE, gramineManifestTemplate } from '../../backends/gramine-sgx/manifest-template.js';
import { bundleEnclaveMain } from '../../backends/gramine-sgx/bundle-enclave-main.js';
import { formatLayoutLine, measureGramineEnclave, parseGramineSize } from '../../backends/gramine-sgx/measure/gramine-layout.js';
import { readSgxAttributes } from '../../backends/gramine-sgx/measure/manifest-sgx-reader.js';
import { mrSignerOfKey } from '../../backends/gramine-sgx/measure/mrsigner.js';

/** `secgear gramine manifest|measure`: run an image under Gramine on SGX, and pin its MRENCLAVE. */
export function registerGramine(program: Command): void {
  const gramine = program.command('gramine').description('run enclave images under Gramine on Intel SGX (the gramine-sgx backend)');
  gramine
    .command('manifest')
    .description('write a Gramine manifest template, the bundled enclave main and a copy of the image into a folder, ready for gramine-manifest and gramine-sgx-sign')
    .argument('<image>', 'verified .sgimg file')
    .requiredOption('-o, --out <dir>', 'output folder (mounted into the enclave as /secgear)')
    .option('--node <path>', 'node binary to run inside the enclave', process.execPath)
    .option('--json', 'print JSON')
    .action(async (image: string, opts: { out: string; node: string; json?: boolean }) => {
      const verified = verifyImageBytes(new Uint8Array(readFileSync(image)));
      const out = resolve(opts.out);
      if (!isAbsolute(opts.node)) throw new SecGearError(ErrorCode.BAD_PARAMETERS, '--node must be an absolute path');
      mkdirSync(out, { recursive: true });
      copyFileSync(image, join(out, ENCLAVE_IMAGE_FILE));
      writeFileSync(join(out, ENCLAVE_MAIN_FILE), await bundleEnclaveMain());
      const templateName = `${verified.manifest.name}.manifest.template`;
      writeFileSync(join(out, templateName), gramineManifestTemplate({ manifest: verified.manifest, appDir: out, nodePath: opts.node }));
      const result = { folder: out, template: join(out, templateName), image: join(out, ENCLAVE_IMAGE_FILE), main: join(out, ENCLAVE_MAIN_FILE), measurement: toHex(verified.measurement) };
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        return;
      }
      process.stdout.write(
        `wrote ${result.template}\n      ${result.main}\n      ${result.image}\nnext:\n` +
          `  gramine-manifest ${templateName} ${verified.manifest.name}.manifest\n` +
          `  gramine-sgx-sign --manifest ${verified.manifest.name}.manifest --output ${verified.manifest.name}.manifest.sgx\n` +
          `  secgear gramine measure --manifest-sgx ${verified.manifest.name}.manifest.sgx   # the MRENCLAVE to pin\n`,
      );
    });
  gramine
    .command('measure')
    .description('compute the MRENCLAVE gramine-sgx-sign computes (Gramine ≥ 1.6.1) for a .manifest.sgx and libpal.so; with --key, the MRSIGNER too')
    .requiredOption('-m, --manifest-sgx <file>', 'the .manifest.sgx gramine-sgx-sign wrote (its exact bytes are measured)')
    .option('-l, --libpal <file>', 'sgx/libpal.so of the same Gramine installation', '/usr/lib/x86_64-linux-gnu/gramine/sgx/libpal.so')
    .option('-k, --key <pem>', 'the RSA-3072 signing key (private or public PEM) to print MRSIGNER')
    .option('--enclave-size <size>', 'override sgx.enclave_size (e.g. 4G)')
    .option('--max-threads <n>', 'override sgx.max_threads')
    .option('-v, --verbose', 'print the memory layout as gramine-sgx-sign --verbose does')
    .option('--json', 'print JSON')
    .action((opts: { manifestSgx: string; libpal: string; key?: string; enclaveSize?: string; maxThreads?: string; verbose?: boolean; json?: boolean }) => {
      const manifestBytes = new Uint8Array(readFileSync(opts.manifestSgx));
      const attributes = readSgxAttributes(new TextDecoder('utf-8', { fatal: true }).decode(manifestBytes));
      if (opts.enclaveSize) attributes.enclaveSize = parseGramineSize(opts.enclaveSize);
      if (opts.maxThreads) {
        if (!/^\d+$/.test(opts.maxThreads)) throw new SecGearError(ErrorCode.BAD_PARAMETERS, '--max-threads must be a whole number');
        attributes.maxThreads = Number(opts.maxThreads);
      }
      const measured = measureGramineEnclave(manifestBytes, new Uint8Array(readFileSync(opts.libpal)), attributes);
      const mrSigner = opts.key ? toHex(mrSignerOfKey(readFileSync(opts.key, 'utf8'))) : undefined;
      const result = {
        mrEnclave: toHex(measured.mrEnclave),
        ...(mrSigner ? { mrSigner } : {}),
        enclaveSize: `0x${attributes.enclaveSize.toString(16)}`,
        maxThreads: attributes.maxThreads,
        edmm: attributes.edmm,
        pages: measured.pages,
      };
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        return;
      }
      if (opts.verbose) process.stdout.write(`Memory:\n${measured.layout.map(formatLayoutLine).join('\n')}\n`);
      process.stdout.write(`mrenclave ${result.mrEnclave}\n${mrSigner ? `mrsigner  ${mrSigner}\n` : ''}`);
    });
}
