// Untrusted side: verifies the image, creates the enclave, makes an ecall, serves an ocall,
// destroys the enclave. Run with `npm start` (builds and signs the image first).
// helloworld_u.ts is generated from helloworld.edl: typed proxies that check what comes back.
import { createEnclave, loadImage, toHex } from 'secgear';
import { createOcallTable, get_string } from './helloworld_u.js';

export async function main(imagePath: string, out: (line: string) => void = console.log): Promise<void> {
  const image = await loadImage(imagePath);
  out(`[1] image verified: ${image.manifest.name} ${image.manifest.version}`);
  out(`    measurement ${toHex(image.measurement)}`);
  out(`    signer      ${toHex(image.signer)}`);

  const ocalls = createOcallTable({
    print_string: (message) => out(`[4] ocall print_string from the enclave: ${message}`),
  });
  const enclave = await createEnclave(imagePath, { type: 'sim', ocalls, expect: { measurement: image.measurement } });
  out(`[2] enclave created: backend ${enclave.info.backend}`);
  out(`    isolation: ${enclave.info.isolation}`);

  out('[3] ecall get_string([out, size=32] char *buf) into the enclave');
  const { retval, buf } = await get_string(enclave);
  const end = buf.indexOf(0);
  const text = new TextDecoder().decode(buf.subarray(0, end < 0 ? buf.length : end));
  out(`    get_string returned ${retval} and ${buf.byteLength} bytes: "${text}"`);

  await enclave.destroy();
  out('[5] enclave destroyed');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const imagePath = process.argv[2];
  if (!imagePath) {
    console.error('usage: node dist/src/host.js <image.sgimg>   (or: npm start)');
    process.exit(1);
  }
  main(imagePath).catch((error: unknown) => {
    console.error(error instanceof Error ? `${(error as { code?: string }).code ?? 'error'}: ${error.message}` : error);
    process.exit(1);
  });
}
