// Red team: resource exhaustion and what outlives an enclave. Memory over the manifest's limit
// (heap + ArrayBuffers + Wasm) ends only that enclave with CC_ERROR_ENCLAVE_LOST (out of memory);
// a spinning enclave is stopped by its caller's timeout and destroy(); nothing of a destroyed
// enclave runs afterwards.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode } from '../../src/host/index.js';
import { rejectsWith } from '../support/assertions.js';
import { BACKENDS, assertUnaffected, startPair } from './support.js';

for (const type of BACKENDS) {
  describe(`red team, resources: ${type}`, () => {
    test('40 × new Uint8Array(100 MiB) in a 64 MiB-heap enclave: lost (out of memory), the host and a second enclave keep running', async () => {
      await using pair = await startPair(type);
      await assert.rejects(pair.hostile.ecall.allocate(40, 100, false), rejectsWith(ErrorCode.ENCLAVE_LOST, /out of memory \(memory limit 160 MiB/));
      await assertUnaffected(pair);
    });

    test('SharedArrayBuffers count against the same limit', async () => {
      await using pair = await startPair(type);
      await assert.rejects(pair.hostile.ecall.allocate(4, 100, true), rejectsWith(ErrorCode.ENCLAVE_LOST, /out of memory/));
      await assertUnaffected(pair);
    });

    test('memory within the limit is fine, and garbage does not count once collected', async () => {
      await using pair = await startPair(type);
      assert.equal(await pair.hostile.ecall.allocate(2, 32, false), 2);
      assert.equal(await pair.hostile.ecall.churn(200, 8), 200); // 1.6 GB over time, 64 MiB live at most
      await assertUnaffected(pair);
    });

    test('a spinning enclave: the call times out, destroy() stops it, the host and a second enclave are unaffected', async () => {
      await using pair = await startPair(type);
      await assert.rejects(pair.hostile.call('spinForever', [], { timeoutMs: 200 }), rejectsWith(ErrorCode.TIMEOUT));
      await assertUnaffected(pair);
      await pair.hostile.destroy();
      await assert.rejects(pair.hostile.ecall.probeNames(), rejectsWith(ErrorCode.ENCLAVE_DESTROYED));
    });

    test('an ocall flood: the host serves at most 256 at once and refuses the rest (CC_ERROR_RATE_LIMITED)', async () => {
      await using pair = await startPair(type);
      const refused = await pair.hostile.ecall.floodOcalls(2000);
      assert.equal(pair.slow.max, 256);
      // how many are refused depends on how fast they arrive; never all, and never none
      assert.ok(refused > 0 && refused < 2000, `${refused} refused`);
      await assertUnaffected(pair);
    });

    test('a log flood: at most 1000 lines a second reach the host, then one line says how many were dropped', async () => {
      await using pair = await startPair(type);
      await pair.hostile.ecall.floodLogs(5000);
      await new Promise((r) => setTimeout(r, 1100));
      await pair.hostile.ecall.floodLogs(1);
      const flood = pair.logs.filter((l) => l.startsWith('info:flood'));
      assert.ok(flood.length >= 1000 && flood.length <= 2001, `${flood.length} lines`); // 5000 sent at once: one or two windows
      assert.ok(pair.logs.some((l) => /^warn:\d+ log lines of this enclave were dropped/.test(l)), pair.logs.slice(-3).join(' | '));
    });

    test('timers of a destroyed enclave never fire again', async () => {
      await using pair = await startPair(type);
      await pair.hostile.ecall.ticker(5);
      await new Promise((r) => setTimeout(r, 100));
      assert.ok(pair.logs.filter((l) => l === 'info:tick').length > 0);
      await pair.hostile.destroy();
      const ticks = pair.logs.length;
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(pair.logs.length, ticks);
      await assertUnaffected(pair);
    });
  });
}

describe('red team, resources: process only', () => {
  test('memory touched without ever yielding is stopped by the host-side RSS watchdog', async () => {
    await using pair = await startPair('process');
    await assert.rejects(pair.hostile.ecall.allocateWithoutYielding(4096), rejectsWith(ErrorCode.ENCLAVE_LOST, /out of memory \(resident memory/));
    await assertUnaffected(pair);
  });
});
