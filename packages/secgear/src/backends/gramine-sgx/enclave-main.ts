/**
 * The program Gramine runs inside the SGX enclave: `node enclave-main.mjs /secgear/image.sgimg`
 * (see manifest-template.ts). Both files are Gramine trusted files, so their bytes are covered
 * by MRENCLAVE. The host's address and key arrive in two passthrough environment variables;
 * they are untrusted and only used to reach the host, whom the channel does not trust either.
 */
import { readFileSync } from 'node:fs';
import { nodeFilePort } from '../tee-files/file-port.js';
import { runTeeEnclave } from './enclave-runner.js';

const imagePath = process.argv[2];
try {
  if (!imagePath) throw new Error('usage: enclave-main.mjs <image.sgimg>');
  await runTeeEnclave({
    imageBytes: new Uint8Array(readFileSync(imagePath)),
    files: nodeFilePort(),
    channel: process.env.SECGEAR_CHANNEL ?? '',
    hostKeyHex: process.env.SECGEAR_CHANNEL_KEY ?? '',
  });
} catch (error) {
  process.stderr.write(`secgear enclave failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(70);
}
