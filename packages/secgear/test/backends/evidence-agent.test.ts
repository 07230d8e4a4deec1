// The cvm evidence agent: owns configfs-tsm (a fixture here) and serves reports on a 0600 UNIX
// socket; its client checks every answer as it would check the device.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requestReportFromAgent, startEvidenceAgent } from '../../src/backends/cvm/evidence-agent.js';
import { createCvmBackend, createEnclave, ErrorCode, registerBackend } from '../../src/host/index.js';
import { verifyEvidence } from '../../src/attest/index.js';
import { makeIntelFixture } from '../support/intel-fixture.js';
import { configfsTsmFixture } from '../support/tee-fixtures/configfs-tsm-fixture.js';
import { buildFixture } from '../support/fixtures.js';
import { rejectsWith } from '../support/assertions.js';

const tdx = makeIntelFixture({ tee: 'tdx', version: 4 });
const inblob = new Uint8Array(64).map((_, i) => i + 1);

function raw(socketPath: string, request: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath, () => socket.write(request));
    let text = '';
    socket.on('data', (chunk) => (text += chunk.toString()));
    socket.on('end', () => resolve(JSON.parse(text) as Record<string, unknown>));
    socket.on('error', reject);
  });
}

describe('evidence agent', () => {
  test('serves configfs-tsm reports on a 0600 socket; the cvm backend can use it instead of the files', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'secgear-agent-'));
    const fixture = configfsTsmFixture({ provider: 'tdx_guest', outblobFor: (blob) => tdx.quoteWith({ reportData: blob }) });
    const agent = await startEvidenceAgent({ socketPath: join(dir, 'agent.sock'), files: fixture.port });
    t.after(() => agent.close());
    assert.equal(statSync(agent.socketPath).mode & 0o777, 0o600);
    const report = await requestReportFromAgent(agent.socketPath, inblob);
    assert.equal(report.format, 'tdx');
    const verified = await verifyEvidence({ mediaType: 'application/vnd.intel.tdx.quote', data: report.outblob }, { trustAnchors: [tdx.anchor], replaceBuiltInAnchors: true, collateral: tdx.collateral, now: tdx.now });
    assert.equal(verified.verified, true, verified.failure?.message);

    fixture.port.inject(/outblob$/, 'open', 'EBUSY', 1);
    assert.equal((await requestReportFromAgent(agent.socketPath, inblob)).format, 'tdx', 'the agent retries EBUSY');
    fixture.port.inject(/outblob$/, 'read', 'EIO', 1);
    await assert.rejects(requestReportFromAgent(agent.socketPath, inblob), rejectsWith(ErrorCode.TEE_DEVICE, /evidence agent: .*EIO/));

    registerBackend(createCvmBackend({ name: 'cvm-agent', agentSocket: agent.socketPath, rtmr: false }));
    await using enclave = await createEnclave(await buildFixture('seal-attest'), { type: 'cvm-agent' });
    assert.equal((await enclave.getEvidence({ nonce: new Uint8Array(16) })).mediaType, 'application/vnd.intel.tdx.quote');
  });

  test('malformed requests get an error answer, never a crash', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'secgear-agent-'));
    const fixture = configfsTsmFixture({ provider: 'tdx_guest', outblobFor: (blob) => tdx.quoteWith({ reportData: blob }) });
    const agent = await startEvidenceAgent({ socketPath: join(dir, 'agent.sock'), files: fixture.port });
    t.after(() => agent.close());
    for (const request of ['not json\n', '{"op":"delete"}\n', '{"op":"report","inblob":"AAAA"}\n', 'null\n', `${'x'.repeat(5000)}`]) {
      const answer = await raw(agent.socketPath, request);
      assert.equal(answer.ok, false, request.slice(0, 20));
      assert.equal(answer.code, ErrorCode.BAD_PARAMETERS);
    }
    assert.deepEqual(fixture.port.entries('/sys/kernel/config/tsm/report'), []);
    await assert.rejects(requestReportFromAgent(agent.socketPath, new Uint8Array(10)), rejectsWith(ErrorCode.BAD_PARAMETERS));
  });

  test('a hostile or broken agent answer is refused by the client', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'secgear-agent-'));
    const socketPath = join(dir, 'fake.sock');
    let answer = '';
    const server = createServer((socket) => socket.once('data', () => socket.end(answer)));
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const good = { ok: true, provider: 'tdx_guest', format: 'tdx', generation: 1, outblob: Buffer.from(tdx.quoteWith({ reportData: inblob })).toString('base64'), auxblob: '' };
    const cases: Array<[string, RegExp]> = [
      ['not json', /malformed: not JSON/],
      [JSON.stringify({ ...good, provider: 'evil' }), /unknown provider/],
      [JSON.stringify({ ...good, outblob: Buffer.from(tdx.quoteWith({ reportData: new Uint8Array(64) })).toString('base64') }), /does not carry our report data/],
      [JSON.stringify({ ...good, outblob: '!!' }), /not base64/],
      [JSON.stringify({ ...good, generation: 'x' }), /generation/],
    ];
    for (const [text, pattern] of cases) {
      answer = text;
      await assert.rejects(requestReportFromAgent(socketPath, inblob), rejectsWith(ErrorCode.TEE_DEVICE, pattern));
    }
    answer = JSON.stringify({ ok: false, code: 'EVIL', message: 'x' });
    await assert.rejects(requestReportFromAgent(socketPath, inblob), rejectsWith(ErrorCode.TEE_DEVICE));
    answer = JSON.stringify({ ok: false, code: ErrorCode.TIMEOUT, message: 'quoting service down' });
    await assert.rejects(requestReportFromAgent(socketPath, inblob), rejectsWith(ErrorCode.TIMEOUT, /quoting service down/));
    answer = JSON.stringify(good);
    assert.equal((await requestReportFromAgent(socketPath, inblob)).generation, 1);
  });

  test('the agent refuses to replace a path that is not a socket', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'secgear-agent-'));
    const path = join(dir, 'file');
    writeFileSync(path, 'keep me');
    await assert.rejects(startEvidenceAgent({ socketPath: path, files: configfsTsmFixture({ provider: 'tdx_guest', outblobFor: () => new Uint8Array(0) }).port }), rejectsWith(ErrorCode.BAD_PARAMETERS, /not a socket/));
  });
});
