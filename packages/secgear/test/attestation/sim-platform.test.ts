// The simulated platform service: per-machine state on disk, request checking, key separation.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  ROOT_CERT_FILE,
  STATE_FILE,
  clearSimPlatformStateCache,
  createSimulatedPlatform,
  loadSimPlatformState,
  readSimRootCertificate,
  ensureSimRootCertificate,
  resolveStateDir,
} from '../../src/backends/sim-platform/index.js';
import { toHex } from '../../src/common/bytes.js';
import { ErrorCode, isSecGearError } from '../../src/common/errors.js';
import { PlatformOp } from '../../src/common/platform-ops.js';
import { makeIdentity, tempStateDir } from '../support/sim-platform-harness.js';

const dirs: Array<{ cleanup(): void }> = [];
after(() => dirs.forEach((d) => d.cleanup()));
function freshDir(): string {
  const d = tempStateDir();
  dirs.push(d);
  return join(d.dir, 'nested', 'sim');
}

const isCode = (code: string) => (e: unknown) => isSecGearError(e) && e.code === code;

describe('simulated platform state', () => {
  it('is created on first use with private modes, and reused after', () => {
    const dir = freshDir();
    const platform = createSimulatedPlatform(makeIdentity(), { stateDir: dir });
    assert.equal(platform.kind, 'simulated');
    assert.equal(readSimRootCertificate(dir), null, 'nothing is created before the first request');
    const s1 = loadSimPlatformState(dir);
    assert.equal(statSync(join(dir, STATE_FILE)).mode & 0o777, 0o600);
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    assert.ok(readFileSync(join(dir, ROOT_CERT_FILE), 'utf8').startsWith('-----BEGIN CERTIFICATE-----'));
    assert.deepEqual(readSimRootCertificate(dir), s1.rootCertificate);
    clearSimPlatformStateCache();
    const s2 = loadSimPlatformState(dir);
    assert.notEqual(s1, s2);
    assert.deepEqual(s2.sealRoot, s1.sealRoot);
    assert.deepEqual(s2.attestationCertificate, s1.attestationCertificate);
  });

  it('ensureSimRootCertificate makes the platform when it was never used, and reads the same root after', () => {
    const dir = freshDir();
    assert.equal(readSimRootCertificate(dir), null);
    const root = ensureSimRootCertificate(dir);
    assert.deepEqual(readSimRootCertificate(dir), root);
    assert.deepEqual(ensureSimRootCertificate(dir), root);
    assert.equal(statSync(join(dir, STATE_FILE)).mode & 0o777, 0o600);
  });

  it('honours $SECGEAR_SIM_DIR when no stateDir is given', () => {
    const before = process.env.SECGEAR_SIM_DIR;
    process.env.SECGEAR_SIM_DIR = '/some/where';
    try {
      assert.equal(resolveStateDir(), '/some/where');
      assert.equal(resolveStateDir('/explicit'), '/explicit');
    } finally {
      if (before === undefined) delete process.env.SECGEAR_SIM_DIR;
      else process.env.SECGEAR_SIM_DIR = before;
    }
  });

  it('two processes creating it at once agree on one state', async () => {
    const dir = freshDir();
    const stateModule = fileURLToPath(new URL('../../src/backends/sim-platform/state.js', import.meta.url));
    const code = `const m = await import(${JSON.stringify(stateModule)}); const s = m.loadSimPlatformState(${JSON.stringify(dir)});
      process.stdout.write(Buffer.from(s.sealRoot).toString('hex') + ':' + Buffer.from(s.rootCertificate).toString('hex').slice(-64));`;
    const execArgv = process.execArgv.filter((a) => !a.startsWith('--test'));
    const run = () =>
      new Promise<string>((resolve, reject) => {
        const child = spawn(process.execPath, [...execArgv, '--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        child.stdout.on('data', (c: Buffer) => (out += c.toString()));
        child.on('exit', (status) => (status === 0 ? resolve(out) : reject(new Error(`child exited ${status}`))));
      });
    const results = await Promise.all([run(), run(), run(), run()]);
    assert.equal(new Set(results).size, 1, 'all processes see the same secrets');
    clearSimPlatformStateCache();
    assert.ok(results[0].startsWith(toHex(loadSimPlatformState(dir).sealRoot)));
  });

  it('refuses a state file other users can read, and a damaged one, saying what to do', () => {
    const dir = freshDir();
    loadSimPlatformState(dir);
    clearSimPlatformStateCache();
    chmodSync(join(dir, STATE_FILE), 0o644);
    assert.throws(() => loadSimPlatformState(dir), (e: unknown) => isCode(ErrorCode.ACCESS_DENIED)(e) && /chmod 600/.test((e as Error).message));
    chmodSync(join(dir, STATE_FILE), 0o600);
    writeFileSync(join(dir, STATE_FILE), '{"format":"secgear-sim-platform","version":1,"platformSecret":"AAAA"}');
    assert.throws(() => loadSimPlatformState(dir), (e: unknown) => isCode(ErrorCode.GENERIC)(e) && /damaged/.test((e as Error).message));
    writeFileSync(join(dir, STATE_FILE), 'not json');
    assert.throws(() => loadSimPlatformState(dir), /not valid JSON/);
  });
});

describe('simulated platform requests', () => {
  const dir = freshDir();

  it('rejects a malformed identity at creation', () => {
    assert.throws(() => createSimulatedPlatform({ ...makeIdentity(), measurement: new Uint8Array(32) }, { stateDir: dir }), isCode(ErrorCode.BAD_PARAMETERS));
    assert.throws(() => createSimulatedPlatform({ ...makeIdentity(), svn: -1 }, { stateDir: dir }), isCode(ErrorCode.BAD_PARAMETERS));
    assert.throws(() => createSimulatedPlatform({ ...makeIdentity(), debug: 'no' as never }, { stateDir: dir }), isCode(ErrorCode.BAD_PARAMETERS));
  });

  it('checks every request from trusted code', async () => {
    const p = createSimulatedPlatform(makeIdentity({ svn: 5 }), { stateDir: dir });
    await assert.rejects(p.handle('cpu.readMemory', []), isCode(ErrorCode.NOT_SUPPORTED));
    await assert.rejects(p.handle(PlatformOp.sealKey, []), isCode(ErrorCode.BAD_PARAMETERS));
    await assert.rejects(p.handle(PlatformOp.sealKey, [{ policy: 'anyone' }]), isCode(ErrorCode.BAD_PARAMETERS));
    await assert.rejects(p.handle(PlatformOp.sealKey, [{ policy: 'signer', svn: 1.5 }]), isCode(ErrorCode.BAD_PARAMETERS));
    await assert.rejects(p.handle(PlatformOp.sealKey, [{ policy: 'signer', svn: 6 }]), isCode(ErrorCode.SEAL_POLICY));
    await assert.rejects(p.handle(PlatformOp.createReport, ['x', new Uint8Array(64)]), isCode(ErrorCode.INVALID_REPORT));
    const ti = (await p.handle(PlatformOp.targetInfo, [])) as Uint8Array;
    await assert.rejects(p.handle(PlatformOp.createReport, [ti, new Uint8Array(65)]), isCode(ErrorCode.BAD_PARAMETERS));
    await assert.rejects(p.handle(PlatformOp.verifyReport, [new Uint8Array(3)]), isCode(ErrorCode.INVALID_REPORT));
    await assert.rejects(p.handle(PlatformOp.evidence, [{ nonce: new Uint8Array(65) }]), isCode(ErrorCode.BAD_PARAMETERS));
    await assert.rejects(p.handle(PlatformOp.evidence, [{ nonce: 'abc' }]), isCode(ErrorCode.BAD_PARAMETERS));
    await assert.rejects(p.handle(PlatformOp.sealKey, 'garbage' as never), isCode(ErrorCode.BAD_PARAMETERS));
  });

  it('gives each identity, policy, svn and debug mode its own seal key, and lower svns on request', async () => {
    const id = makeIdentity({ svn: 5 });
    const key = async (identity: typeof id, policy: string, svn?: number) =>
      toHex(((await createSimulatedPlatform(identity, { stateDir: dir }).handle(PlatformOp.sealKey, [{ policy, svn }])) as { key: Uint8Array }).key);
    const keys = [
      await key(id, 'enclave'),
      await key(id, 'signer'),
      await key(id, 'signer', 4),
      await key({ ...id, debug: true }, 'signer'),
      await key({ ...id, debug: true }, 'enclave'),
      await key({ ...id, prodId: id.prodId + 1 }, 'signer'),
      await key({ ...id, measurement: new Uint8Array(48) }, 'enclave'),
    ];
    assert.equal(new Set(keys).size, keys.length);
    // signer policy ignores the measurement; enclave policy ignores the signer
    assert.equal(await key({ ...id, measurement: new Uint8Array(48) }, 'signer'), keys[1]);
    assert.equal(await key({ ...id, signer: new Uint8Array(48) }, 'enclave'), keys[0]);
    // an upgraded enclave (svn 6) gets the svn-5 key on request
    assert.equal(await key({ ...id, svn: 6 }, 'signer', 5), keys[1]);
  });

  it('keeps its own copy of the identity', async () => {
    const id = makeIdentity();
    const p = createSimulatedPlatform(id, { stateDir: dir });
    const before = toHex((await p.handle(PlatformOp.targetInfo, [])) as Uint8Array);
    id.measurement.fill(0);
    assert.equal(toHex((await p.handle(PlatformOp.targetInfo, [])) as Uint8Array), before);
  });
});
