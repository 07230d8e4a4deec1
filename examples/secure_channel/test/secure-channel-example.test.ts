// End-to-end test of examples/secure_channel: a real enclave image on the sim and process
// backends, real TCP, the data owner's client, and a host that misbehaves.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadImage } from 'secgear';
import { runClient } from '../src/client.js';
import { startServer, type RunningServer } from '../src/server.js';

const exampleDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = join(exampleDir, '..', '..', 'packages', 'secgear', 'dist', 'src', 'cli', 'main.js');
const work = mkdtempSync(join(tmpdir(), 'secgear-channel-example-'));
const simDir = join(work, 'sim');
const image = join(work, 'ledger.sgimg');
let measurement: Uint8Array;
const running: RunningServer[] = [];

before(async () => {
  process.env.SECGEAR_SIM_DIR = simDir;
  const key = join(work, 'key.pem');
  execFileSync(process.execPath, [cli, 'keygen', '-o', key]);
  execFileSync(process.execPath, [cli, 'build', join(exampleDir, 'src', 'enclave.ts'), '--manifest', join(exampleDir, 'enclave.json'), '--key', key, '-o', image]);
  measurement = (await loadImage(image)).measurement;
});
after(async () => {
  await Promise.all(running.map((s) => s.close()));
  rmSync(work, { recursive: true, force: true });
});

describe('examples/secure_channel', () => {
  it('npm start: the demo runs every step on the simulation backend', () => {
    const output = execFileSync(process.execPath, [join(exampleDir, 'dist', 'src', 'demo.js'), image], { encoding: 'utf8', env: { ...process.env, SECGEAR_SIM_DIR: simDir } });
    const steps = output.split('\n').filter((l) => /^\[\d\]/.test(l)).map((l) => l.slice(0, 3));
    assert.deepEqual(steps, ['[1]', '[2]', '[3]', '[4]', '[5]', '[6]']);
    assert.match(output, /enclave verified: tee sim/);
    assert.match(output, /TOTAL -> TOTAL 16100 over 3/);
    assert.match(output, /closed by both ends: true/);
    assert.match(output, /refused before sending anything: CC_ERROR_ATTESTATION_REJECTED/);
    assert.match(output, /refused: .*CC_ERROR_MAC_INVALID/);
  });

  for (const type of ['sim', 'process'] as const) {
    it(`client ↔ host ↔ enclave over TCP on the ${type} backend; a session per connection`, async () => {
      const server = await startServer({ image, type });
      running.push(server);
      const [a, b] = await Promise.all([
        runClient({ port: server.port, measurement, requests: ['PUT a 10', 'PUT b 20', 'TOTAL'] }),
        runClient({ port: server.port, measurement, requests: ['AVERAGE'] }),
      ]);
      assert.equal(a.replies[2], 'TOTAL 30 over 2');
      assert.equal(a.peer.tee, 'sim');
      assert.equal(a.closedByPeer, true);
      assert.match(b.replies[0], /^AVERAGE/);
    });
  }

  it('a host that replays a record gets the session refused (CC_ERROR_REPLAY)', async () => {
    let last: Uint8Array | null = null;
    const server = await startServer({
      image,
      relay: (m) => {
        if (m[5] !== 5) return m;
        // deliver the previous DATA message again instead of this one
        const out = last ?? m;
        last = m;
        return out;
      },
    });
    running.push(server);
    await assert.rejects(runClient({ port: server.port, measurement, requests: ['PUT x 1', 'PUT y 2'] }), /CC_ERROR_REPLAY/);
  });
});
