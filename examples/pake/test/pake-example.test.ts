// End-to-end test of examples/pake: real enclave image (sim backend), real TCP, real client.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadImage } from 'secgear';
import { decodeFrame, FramedStream, MAX_FRAME_LENGTH, PakeServiceError } from 'secgear/pake';
import { runDevice } from '../src/device.js';
import { startServer, type RunningServer } from '../src/server.js';

const exampleDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = join(exampleDir, '..', '..', 'packages', 'secgear', 'dist', 'src', 'cli', 'main.js');
const work = mkdtempSync(join(tmpdir(), 'secgear-pake-example-'));
const simDir = join(work, 'sim');
const image = join(work, 'pake.sgimg');
let measurement: Uint8Array;
const running: RunningServer[] = [];

before(async () => {
  process.env.SECGEAR_SIM_DIR = simDir; // this test's own simulated machine
  const key = join(work, 'key.pem');
  execFileSync(process.execPath, [cli, 'keygen', '-o', key]);
  execFileSync(process.execPath, [cli, 'build', join(exampleDir, 'src', 'enclave.ts'), '--manifest', join(exampleDir, 'enclave.json'), '--key', key, '-o', image]);
  measurement = (await loadImage(image)).measurement;
});
after(async () => {
  await Promise.all(running.map((s) => s.close()));
  rmSync(work, { recursive: true, force: true });
});

async function start(storeDir: string) {
  const server = await startServer({ image, storeDir });
  running.push(server);
  return server;
}

const device = (server: RunningServer, password: string, requests: string[] = ['PING']) =>
  runDevice({ port: server.port, idProver: 'thermostat-1', password, measurement, requests });

describe('examples/pake', () => {
  it('npm start: the demo runs every step on the simulation backend', () => {
    const output = execFileSync(process.execPath, [join(exampleDir, 'dist', 'src', 'demo.js'), image], {
      encoding: 'utf8',
      env: { ...process.env, SECGEAR_SIM_DIR: simDir },
    });
    const steps = output.split('\n').filter((l) => /^\[\d\]/.test(l)).map((l) => l.slice(0, 3));
    assert.deepEqual(steps, ['[1]', '[2]', '[3]', '[4]', '[5]', '[6]']);
    assert.match(output, /backend sim/);
    assert.match(output, /only sealed blobs: limits\.sealed, record-746865726d6f737461742d31\.sealed/);
    assert.match(output, /evidence accepted: tee sim/);
    assert.match(output, /AVERAGE -> AVERAGE 22\.00 over 2/);
    assert.match(output, /refused: CC_ERROR_CONFIRMATION_FAILED/);
  });

  it('a device with the password talks to the enclave over TCP; state persists across server restarts', async () => {
    const storeDir = join(work, 'store-a');
    const server = await start(storeDir);
    await server.register('thermostat-1', 'pw-1');
    assert.deepEqual(await device(server, 'pw-1', ['READING 10', 'READING 20', 'AVERAGE']), ['OK 1', 'OK 2', 'AVERAGE 15.00 over 2']);
    // three wrong passwords, then even the right one waits
    for (let i = 0; i < 3; i++) await assert.rejects(device(server, 'pw-2'), (e: unknown) => (e as { code?: string }).code === 'CC_ERROR_CONFIRMATION_FAILED');
    const limited = await device(server, 'pw-1').catch((e: unknown) => e);
    assert.ok(limited instanceof PakeServiceError && limited.code === 'CC_ERROR_RATE_LIMITED', String(limited));
    assert.ok(limited.retryAfterMs > 20_000);
    // a restarted server (new enclave instance) keeps the sealed registration and counters
    await server.close();
    running.splice(running.indexOf(server), 1);
    const restarted = await start(storeDir);
    const stillLimited = await device(restarted, 'pw-1').catch((e: unknown) => e);
    assert.ok(stillLimited instanceof PakeServiceError && stillLimited.code === 'CC_ERROR_RATE_LIMITED');
  });

  it('garbage and oversized frames end only that connection', async () => {
    const server = await start(join(work, 'store-b'));
    await server.register('thermostat-1', 'pw');
    const socket = connect(server.port, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    const framed = new FramedStream(socket, { maxFrameLength: MAX_FRAME_LENGTH });
    framed.send(new Uint8Array([1, 0x10, 0xff]));
    const reply = await framed.next();
    assert.ok(reply);
    const frame = decodeFrame(reply);
    assert.ok(frame.kind === 'ERROR' && frame.code === 'CC_ERROR_INVALID_MESSAGE');
    assert.equal(await framed.next(), null, 'the server closes the connection after an ERROR frame');

    const raw = connect(server.port, '127.0.0.1');
    await new Promise((r) => raw.once('connect', r));
    raw.write(Buffer.from([0xff, 0xff, 0xff, 0xff, 1, 2, 3]));
    await new Promise((r) => raw.once('close', r));

    assert.deepEqual(await device(server, 'pw', ['PING']), ['PONG'], 'the server still serves others');
  });
});
