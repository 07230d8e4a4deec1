// The device–cloud flow end to end with a real enclave image on the sim and process backends:
// the verifier service runs inside the enclave, the host relays frames and stores sealed blobs
// in a folder, and the device client verifies real (simulated) evidence.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createEnclave, ErrorCode, type Enclave } from '../../src/host/index.js';
import { buildImage } from '../../src/image/build-image.js';
import { loadSimPlatformState, readSimRootCertificate } from '../../src/backends/sim-platform/index.js';
import { PakeClient, PakeServiceError, createRegistration } from '../../src/pake/index.js';
import { PakeServer, createPakeFileStore, type PakeEnclaveEcalls } from '../../src/pake/server.js';
import { testKey } from '../support/fixtures.js';
import { tempStateDir } from '../support/sim-platform-harness.js';
import { isCode } from './helpers.js';

const here = dirname(fileURLToPath(import.meta.url));
// compiled tests run from dist/test/pake; the fixture sources stay in test/pake/fixtures
const fixtures = join(here.replace(`${join('dist', 'test')}`, 'test'), 'fixtures');
const KDF = { N: 1024, r: 8, p: 1 };
const text = (s: string) => new TextEncoder().encode(s);

const state = tempStateDir();
const work = mkdtempSync(join(tmpdir(), 'secgear-pake-e2e-'));
let imagePath: string;
let measurement: Uint8Array;
const open: Enclave<PakeEnclaveEcalls>[] = [];

before(async () => {
  imagePath = join(work, 'pake.sgimg');
  const built = await buildImage({
    entry: join(fixtures, 'pake-enclave.ts'),
    manifest: JSON.parse(readFileSync(join(fixtures, 'pake-enclave.json'), 'utf8')),
    key: testKey(),
    output: imagePath,
  });
  measurement = built.measurement;
  loadSimPlatformState(state.dir);
});
after(async () => {
  await Promise.all(open.map((e) => e.destroy()));
  state.cleanup();
  rmSync(work, { recursive: true, force: true });
});

for (const type of ['sim', 'process'] as const) {
  describe(`PAKE service in a real enclave (${type} backend)`, () => {
    const storeDir = join(work, `store-${type}`);
    const start = async () => {
      const enclave = await createEnclave<PakeEnclaveEcalls>(imagePath, { type, ocalls: createPakeFileStore(storeDir), platform: { stateDir: state.dir } });
      open.push(enclave);
      return { enclave, server: new PakeServer(enclave) };
    };
    const device = (password: string, id = 'meter-7') =>
      new PakeClient({
        idProver: id,
        password,
        idVerifier: 'cloud',
        minKdf: KDF,
        attestation: {
          allowSimulation: true,
          trustAnchors: [{ kind: 'x509', der: readSimRootCertificate(state.dir)! }],
          policy: { measurements: [measurement] },
        },
      });
    const connect = async (server: PakeServer, client: PakeClient) => {
      const conn = server.connection();
      let out: Uint8Array | null = client.hello();
      while (out) {
        const reply = await conn.receive(out);
        assert.ok(reply, 'the enclave answers every handshake frame');
        out = await client.receive(reply);
      }
      return conn;
    };

    it('registers, handshakes and exchanges records; the host holds only sealed blobs', async () => {
      const { server } = await start();
      const registration = await createRegistration('open sesame', { idProver: 'meter-7', idVerifier: 'cloud', kdf: KDF });
      const w0 = Buffer.from(registration.record.w0).toString('hex');
      await server.register('meter-7', registration);
      const client = device('open sesame');
      const conn = await connect(server, client);
      assert.equal(client.state, 'ready');
      const r1 = await conn.receive(client.encrypt(text('reading 42')));
      assert.deepEqual(client.decrypt(r1!), text('#1 for meter-7: READING 42'));
      const r2 = await conn.receive(client.encrypt(text('reading 43')));
      assert.deepEqual(client.decrypt(r2!), text('#2 for meter-7: READING 43'));
      await conn.close();
      const files = readdirSync(storeDir).sort();
      assert.deepEqual(files, ['limits.sealed', 'record-6d657465722d37.sealed']);
      // the identity is in the clear (as the file name and the sealed additional data); w0 is not
      for (const f of files) assert.equal(readFileSync(join(storeDir, f)).toString('hex').includes(w0), false);
    });

    it('wrong passwords are limited, and the limit survives an enclave restart', async () => {
      const { enclave, server } = await start();
      for (let i = 0; i < 2; i++) await assert.rejects(connect(server, device('guess')), isCode(ErrorCode.CONFIRMATION_FAILED));
      const refused = await connect(server, device('open sesame')).catch((e: unknown) => e);
      assert.ok(refused instanceof PakeServiceError && refused.code === ErrorCode.RATE_LIMITED, String(refused));
      assert.ok(refused.retryAfterMs > 0 && refused.retryAfterMs <= 60_000);
      await enclave.destroy();
      const again = await start();
      const stillRefused = await connect(again.server, device('open sesame')).catch((e: unknown) => e);
      assert.ok(stillRefused instanceof PakeServiceError && stillRefused.code === ErrorCode.RATE_LIMITED, String(stillRefused));
    });
  });
}
