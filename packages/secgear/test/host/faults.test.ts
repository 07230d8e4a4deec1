import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { configure, createEnclave, DEFAULT_MAX_ENCLAVES, ErrorCode } from '../../src/host/index.js';
import { buildFixture } from '../support/fixtures.js';
import type { ecalls as ConformanceEcalls } from '../fixtures/enclaves/conformance.js';
import { rejectsWith } from '../support/assertions.js';

type Ecalls = typeof ConformanceEcalls;
const ocalls = { print: () => 0, reenter: () => 0, reenterForbidden: () => 0 };

for (const type of ['sim', 'process'] as const) {
  describe(`faults: ${type}`, () => {
    for (const [what, trigger, pattern] of [
      ['an uncaught error', 'crashLater', /crash|exited|code/],
      ['process.exit', 'exit', /exit/],
      ['heap exhaustion', 'exhaustHeap', /memory/],
    ] as const) {
      test(`${what} loses the enclave: pending calls reject with CC_ERROR_ENCLAVE_LOST within a second, the host keeps running, a new enclave starts`, async () => {
        const image = await buildFixture('conformance');
        const enclave = await createEnclave<Ecalls>(image, { type, ocalls });
        const pending = enclave.ecall.sleep(10_000);
        const started = Date.now();
        void enclave.call(trigger, []).catch(() => undefined);
        await assert.rejects(pending, rejectsWith(ErrorCode.ENCLAVE_LOST, pattern));
        assert.ok(Date.now() - started < (trigger === 'exhaustHeap' ? 10_000 : 1000), `took ${Date.now() - started} ms`);
        await assert.rejects(enclave.ecall.add(1, 2), rejectsWith(ErrorCode.ENCLAVE_LOST));
        await enclave.destroy();
        await using again = await createEnclave<Ecalls>(image, { type, ocalls });
        assert.equal(await again.ecall.add(1, 2), 3);
      });
    }

    test('a killed enclave process is detected within a second', { skip: type !== 'process' && 'process backend only' }, async () => {
      const image = await buildFixture('conformance');
      const enclave = await createEnclave<Ecalls>(image, { type, ocalls });
      assert.ok(enclave.info.pid && enclave.info.pid !== process.pid);
      const pending = enclave.ecall.sleep(10_000);
      const started = Date.now();
      process.kill(enclave.info.pid, 'SIGKILL');
      await assert.rejects(pending, rejectsWith(ErrorCode.ENCLAVE_LOST, /killed \(SIGKILL\)/));
      assert.ok(Date.now() - started < 1000);
      await enclave.destroy();
      await using again = await createEnclave<Ecalls>(image, { type, ocalls });
      assert.equal(await again.ecall.add(2, 2), 4);
    });
  });
}

describe('lifecycle limits', () => {
  test('unknown enclave types fail with CC_ERROR_NOT_SUPPORTED; auto picks the strongest backend', async () => {
    const image = await buildFixture('conformance');
    await assert.rejects(createEnclave(image, { type: 'sgx-hardware', ocalls }), rejectsWith(ErrorCode.NOT_SUPPORTED, /auto, sim, process/));
    await using auto = await createEnclave(image, { type: 'auto', ocalls });
    assert.equal(auto.info.backend, 'process');
  });

  test('a process holds at most maxEnclaves enclaves (CC_ERROR_ENCLAVE_MAXIMUM past it)', async () => {
    const image = await buildFixture('conformance');
    configure({ maxEnclaves: 2 });
    try {
      const a = await createEnclave(image, { ocalls });
      const b = await createEnclave(image, { ocalls });
      await assert.rejects(createEnclave(image, { ocalls }), rejectsWith(ErrorCode.ENCLAVE_MAXIMUM, /maxEnclaves/));
      await a.destroy();
      const c = await createEnclave(image, { ocalls });
      await Promise.all([b.destroy(), c.destroy()]);
    } finally {
      configure({ maxEnclaves: DEFAULT_MAX_ENCLAVES });
    }
  });

  test('the process backend cannot read host files; the manifest must match what the enclave defines', async () => {
    const image = await buildFixture('conformance');
    await using enclave = await createEnclave<Ecalls>(image, { type: 'process', ocalls });
    await assert.rejects(enclave.ecall.readHostFile('/etc/hostname'), /may not use "node:fs"/);
    const withExtra = await buildFixture('conformance', { ecalls: [...(await import('../support/fixtures.js')).fixtureManifest('conformance').ecalls!, 'notDefined'] });
    await assert.rejects(createEnclave(withExtra, { ocalls }), rejectsWith(ErrorCode.INVALID_IMAGE, /notDefined/));
  });
});

for (const type of ['sim', 'process'] as const) {
  test(`${type}: enclave code cannot reach host resources, even through computed imports`, async () => {
    await using enclave = await createEnclave<Ecalls>(await buildFixture('conformance'), { type, ocalls });
    for (const what of ['write', 'spawn', 'worker', 'net', 'fetch', 'file-module'] as const) {
      assert.equal(await enclave.ecall.tryForbidden(what), 'ERR_ACCESS_DENIED', what);
    }
    // not on the enclave's process object at all (an allow-list, not a deny-list)
    for (const what of ['kill', 'abort', 'binding', 'addon', 'builtin-fs'] as const) {
      assert.equal(await enclave.ecall.tryForbidden(what), 'absent', what);
    }
    assert.equal(await enclave.ecall.tryForbidden('builtin-crypto'), 'allowed');
    assert.equal(await enclave.ecall.add(1, 1), 2, 'allowed built-ins (crypto) still work');
  });
}

test('an entry that never calls defineEnclave fails creation with a message that says so', async () => {
  const { buildImage } = await import('../../src/image/build-image.js');
  const { fixtureEntry, scratchDir, testKey } = await import('../support/fixtures.js');
  const { join } = await import('node:path');
  const output = join(scratchDir(), 'no-define.sgimg');
  await buildImage({ entry: fixtureEntry('no-define'), manifest: { name: 'no-define', ecalls: ['ping'] }, key: testKey(), output });
  await assert.rejects(createEnclave(output, { startTimeoutMs: 5000 }), rejectsWith(ErrorCode.ENCLAVE_LOST, /defineEnclave/));
});

describe('clean teardown', () => {
  test('nothing is left running after destroy(): no worker, child process, pipe or timer of ours', async () => {
    const kinds = () => process.getActiveResourcesInfo().filter((k) => /Worker|Process|Pipe|MessagePort|Timeout/.test(k)).sort();
    const before = kinds();
    const image = await buildFixture('conformance');
    for (const type of ['sim', 'process'] as const) {
      const enclave = await createEnclave<Ecalls>(image, { type, ocalls, timeoutMs: 60_000 });
      await enclave.ecall.greet('x');
      await assert.rejects(enclave.call('sleep', [5000], { timeoutMs: 20 }), rejectsWith(ErrorCode.TIMEOUT));
      await enclave.destroy();
    }
    const count = (list: string[]) => list.reduce<Record<string, number>>((acc, k) => ({ ...acc, [k]: (acc[k] ?? 0) + 1 }), {});
    const was = count(before);
    const extra = () => Object.entries(count(kinds())).filter(([kind, n]) => n > (was[kind] ?? 0));
    // libuv releases a closed child's handle a loop turn or two after 'close'; allow that, no more
    for (let waited = 0; extra().length > 0 && waited < 500; waited += 10) await new Promise((r) => setTimeout(r, 10));
    // earlier tests' handles may still be closing (fewer now is fine); none may be added by ours
    assert.deepEqual(extra(), []);
  });
});
