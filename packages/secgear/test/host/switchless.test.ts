import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createEnclave, ErrorCode } from '../../src/host/index.js';
import { buildFixture } from '../support/fixtures.js';
import type { ecalls as ConformanceEcalls } from '../fixtures/enclaves/conformance.js';
import { rejectsWith } from '../support/assertions.js';

type Ecalls = typeof ConformanceEcalls;
const ocalls = { print: () => 0, reenter: () => 0, reenterForbidden: () => 0 };

describe('switchless calls', () => {
  for (const policy of ['wakeup', 'busy'] as const) {
    test(`switchless ecalls go through the shared ring (${policy})`, async () => {
      // a fallback window far longer than any scheduling delay: only a full pool or a value that
      // cannot cross may send a call the normal way, so every count below is exact
      const switchless = { policy, retriesBeforeFallback: 1_000_000_000 };
      await using enclave = await createEnclave<Ecalls>(await buildFixture('conformance'), { ocalls, switchless });
      assert.equal(enclave.info.switchless, true);
      for (let i = 0; i < 200; i++) assert.equal(await enclave.ecall.fastAdd(i, 1), i + 1);
      const value = { s: 'héllo', n: -1.25, big: 2n ** 70n, bytes: new Uint8Array([9, 8]), list: [null, true, undefined] };
      assert.deepEqual(await enclave.ecall.fastEcho(value), value);
      assert.equal(await enclave.ecall.fastAsync(41), 42);
      const stats = enclave.stats();
      assert.equal(stats.switchless, 202, JSON.stringify(stats));
      assert.equal(stats.fallbacks, 0, JSON.stringify(stats));
      // normal ecalls still work while the ring is served
      assert.equal(await enclave.ecall.add(2, 2), 4);
      for (let i = 0; i < 40; i++) await assert.rejects(enclave.ecall.fastEcho(() => 1), rejectsWith(ErrorCode.BAD_PARAMETERS));
      const before = enclave.stats().fallbacks;
      assert.equal(await enclave.ecall.fastAdd(1, 1), 2); // the refused calls did not leak ring slots
      assert.equal(enclave.stats().fallbacks, before);
    });
  }

  test('values too big for a slot, or not plain data, take the normal path or come back by message', async () => {
    await using enclave = await createEnclave<Ecalls>(await buildFixture('conformance'), { ocalls });
    const big = 'x'.repeat(10_000);
    assert.equal(await enclave.ecall.fastEcho(big), big);
    assert.ok(enclave.stats().fallbacks >= 1);
    assert.deepEqual(await enclave.ecall.fastMap(), new Map([[1, 2]]));
  });

  test('a full pool falls back to a normal call with rollbackToCommon, else fails with CC_ERROR_SWITCHLESS_TASK_POOL_FULL', async () => {
    const image = await buildFixture('conformance', { switchless: { poolSize: 1, slotBytes: 4096 } });
    // the slow call must hold the slot: a generous acceptance window, so a server thread that is
    // scheduled late still takes it (otherwise it is withdrawn and goes the normal way, freeing the slot)
    const retriesBeforeFallback = 50_000_000;
    {
      await using enclave = await createEnclave<Ecalls>(image, { ocalls, switchless: { rollbackToCommon: true, retriesBeforeFallback } });
      const slow = enclave.ecall.fastAsync(1); // holds the only slot for ~5 ms
      assert.equal(await enclave.ecall.fastAdd(1, 1), 2);
      assert.equal(await slow, 2);
      assert.ok(enclave.stats().fallbacks >= 1);
    }
    {
      await using enclave = await createEnclave<Ecalls>(image, { ocalls, switchless: { rollbackToCommon: false, retriesBeforeFallback } });
      const slow = enclave.ecall.fastAsync(1);
      await assert.rejects(enclave.ecall.fastAdd(1, 1), rejectsWith(ErrorCode.SWITCHLESS_TASK_POOL_FULL));
      assert.equal(await slow, 2);
    }
  });

  test('switchless: false and backends without shared memory use normal calls; without rollback they refuse', async () => {
    const image = await buildFixture('conformance');
    {
      await using enclave = await createEnclave<Ecalls>(image, { ocalls, switchless: false });
      assert.equal(enclave.info.switchless, false);
      assert.equal(await enclave.ecall.fastAdd(1, 2), 3);
    }
    {
      await using enclave = await createEnclave<Ecalls>(image, { type: 'process', ocalls });
      assert.equal(enclave.info.switchless, false);
      assert.equal(await enclave.ecall.fastAdd(1, 2), 3);
    }
    await assert.rejects(createEnclave(image, { type: 'process', ocalls, switchless: { rollbackToCommon: false } }), rejectsWith(ErrorCode.NOT_SUPPORTED, /switchless/));
    await assert.rejects(createEnclave(image, { ocalls, switchless: { policy: 'spin' as 'busy' } }), rejectsWith(ErrorCode.BAD_PARAMETERS));
  });
});
