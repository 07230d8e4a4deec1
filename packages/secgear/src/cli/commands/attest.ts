import { writeFileSync } from 'node:fs';
import { InvalidArgumentError, type Command } from 'commander';
import { fromHex, isBytes, toHex } from '../../common/bytes.js';
import { ErrorCode, SecGearError } from '../../common/errors.js';
import { MAX_BINDING_DATA_SIZE, MAX_BINDING_NONCE_SIZE as MAX_NONCE_SIZE } from '../../common/evidence-binding.js';
import { defaultBuiltinOcalls } from '../../host/builtin-ocalls.js';
import { createEnclave } from '../../host/create-enclave.js';
import { loadImage } from '../../image/verify-image.js';

interface Options {
  nonce: Uint8Array;
  output: string;
  reportData?: Uint8Array;
  type: string;
  ecall?: string;
  debug?: boolean;
  simDir?: string;
  json?: boolean;
}

const hexOption = (max: number) => (value: string): Uint8Array => {
  let bytes: Uint8Array;
  try {
    bytes = fromHex(value);
  } catch (error) {
    throw new InvalidArgumentError(error instanceof Error ? error.message : String(error));
  }
  if (bytes.byteLength > max) throw new InvalidArgumentError(`at most ${max} bytes (${2 * max} hex digits)`);
  return bytes;
};

/**
 * `secgear attest`: starts an enclave, asks the runtime inside it for evidence for the nonce
 * (`enclave.getEvidence`, no data bound) or, with `--ecall`, calls an evidence ecall of the
 * image's own as `(nonce, reportData)`; writes the evidence bytes and destroys the enclave. The
 * host cannot make evidence by itself: only trusted code can, as on hardware.
 */
export function registerAttest(program: Command): void {
  program
    .command('attest')
    .description('start an enclave, get remote-attestation evidence from it, write it to a file (verify with secgear verify-evidence)')
    .argument('<image>', '.sgimg file')
    .requiredOption('--nonce <hex>', `the verifier's challenge, up to ${MAX_NONCE_SIZE} bytes`, hexOption(MAX_NONCE_SIZE))
    .requiredOption('-o, --output <file>', 'where to write the evidence (binary)')
    .option('--report-data <hex>', `with --ecall: up to ${MAX_BINDING_DATA_SIZE} bytes passed to that ecall as its second argument`, hexOption(MAX_BINDING_DATA_SIZE))
    .option('--type <backend>', 'enclave backend: sim, process or auto', 'sim')
    .option('--ecall <name>', "call this ecall of the image as (nonce, reportData) instead of the runtime's built-in evidence")
    .option('--debug', 'allow starting a debug image')
    .option('--sim-dir <dir>', 'simulated platform state folder (default $SECGEAR_SIM_DIR or ~/.secgear/sim)')
    .option('--json', 'print a JSON summary')
    .action(async (image: string, opts: Options) => {
      if (opts.reportData && !opts.ecall) {
        throw new SecGearError(
          ErrorCode.BAD_PARAMETERS,
          "--report-data needs --ecall: the built-in evidence lets the host choose only the nonce; report data is the enclave's to bind",
        );
      }
      // the enclave's own ocalls have no host here: each fails when called, with a reason
      const { manifest } = await loadImage(image);
      const refuse = (name: string) => () => {
        throw new SecGearError(ErrorCode.OCALL_FAILED, `ocall "${name}" has no implementation under secgear attest`);
      };
      const ocalls = Object.fromEntries(manifest.ocalls.filter((o) => !defaultBuiltinOcalls.has(o.name)).map((o) => [o.name, refuse(o.name)]));
      const enclave = await createEnclave(image, {
        type: opts.type,
        ocalls,
        debug: opts.debug ?? false,
        platform: opts.simDir ? { stateDir: opts.simDir } : {},
        onLog: (level, message) => process.stderr.write(`[enclave] ${level}: ${message}\n`),
      });
      let evidence: { mediaType: string; data: Uint8Array };
      try {
        let result: unknown;
        try {
          result = opts.ecall ? await enclave.call(opts.ecall, [opts.nonce, opts.reportData]) : await enclave.getEvidence({ nonce: opts.nonce });
        } catch (error) {
          if ((error as { code?: string }).code === ErrorCode.ECALL_NOT_FOUND) {
            throw new SecGearError(
              ErrorCode.ECALL_NOT_FOUND,
              `${image} has no ecall "${opts.ecall}": define and declare it, or leave out --ecall to use the runtime's built-in evidence`,
              { cause: error },
            );
          }
          throw error;
        }
        evidence = result as typeof evidence;
        if (!evidence || typeof evidence.mediaType !== 'string' || !isBytes(evidence.data)) {
          throw new SecGearError(ErrorCode.BAD_PARAMETERS, `ecall "${opts.ecall}" did not return evidence ({ mediaType, data }); return getEvidence({ nonce, reportData }) from it`);
        }
      } finally {
        await enclave.destroy();
      }
      try {
        writeFileSync(opts.output, evidence.data);
      } catch (error) {
        throw new SecGearError(ErrorCode.BAD_PARAMETERS, `cannot write ${opts.output}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
      }
      const summary = {
        output: opts.output,
        mediaType: evidence.mediaType,
        bytes: evidence.data.byteLength,
        backend: enclave.info.backend,
        simulated: enclave.info.simulated,
        measurement: toHex(enclave.info.measurement),
        signer: toHex(enclave.info.signer),
        nonce: toHex(opts.nonce),
      };
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
        return;
      }
      process.stdout.write(
        `wrote ${summary.bytes} bytes of evidence (${summary.mediaType}) to ${summary.output}\n` +
          `enclave ${enclave.info.name} on ${summary.backend}, measurement ${summary.measurement}\n` +
          (summary.simulated ? 'simulated evidence: verifiers accept it only with --allow-sim, it gives no hardware protection\n' : ''),
      );
    });
}
