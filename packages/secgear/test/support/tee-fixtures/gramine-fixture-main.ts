/**
 * Stands in for Gramine in tests: the same enclave runner the real enclave main uses, with
 * `/dev/attestation` served by the fixture (quotes signed by a throw-away test PKI, MRENCLAVE =
 * SHA-256 of the image file). It writes the test root and collateral to $SECGEAR_FIXTURE_OUT so
 * the test can verify this enclave's quotes, with that root passed explicitly.
 *   node gramine-fixture-main.js <image.sgimg>
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runTeeEnclave } from '../../../src/backends/gramine-sgx/enclave-runner.js';
import { makeIntelFixture } from '../intel-fixture.js';
import { gramineFixture } from './gramine-fixture.js';

const imagePath = process.argv[2];
const imageBytes = new Uint8Array(readFileSync(imagePath));
const mrEnclave = new Uint8Array(createHash('sha256').update(imageBytes).digest());
const intel = makeIntelFixture({ tee: 'sgx', now: new Date() });
const out = process.env.SECGEAR_FIXTURE_OUT;
if (out) {
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'root.der'), intel.rootDer);
  writeFileSync(join(out, 'collateral.json'), JSON.stringify(intel.collateral.map((c) => ({ role: c.role, data: Buffer.from(c.data).toString('base64') }))));
}
const { port } = gramineFixture({ mrEnclave, quoteFor: (reportData) => intel.quoteWith({ mrEnclave, reportData, isvProdId: 7, isvSvn: 3 }) });
try {
  await runTeeEnclave({ imageBytes, files: port, channel: process.env.SECGEAR_CHANNEL ?? '', hostKeyHex: process.env.SECGEAR_CHANNEL_KEY ?? '' });
} catch (error) {
  process.stderr.write(`fixture enclave failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(70);
}
