// The adaptive switchless policy, behaviourally: the host client and the enclave's server run
// on two real threads sharing one ring, and every assertion is about what happened (who slept,
// who woke, which way a call went), never about how long it took.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { SwitchlessClient, type SwitchlessOutcome } from '../../src/host/switchless-client.js';
import { SpinGovernor } from '../../src/host/switchless-governor.js';
import { CONTROL_INTS, FREE, SERVER_SLEEPING, SERVER_SLEEPS, SERVER_WAKEUPS, SPIN_HINT, STATE, viewRing } from '../../src/common/switchless-ring.js';

const serverModule = new URL('../../src/enclave/runtime/switchless-server.js', import.meta.url).href;
const GATE = 0; // int32 in `gate`: the blocking function waits while it is 0

/** Starts the real switchless server in a worker thread: functions add, echo, block (waits for the gate). */
function startServer(client: SwitchlessClient, policy: 'busy' | 'wakeup', retriesBeforeSleep: number, gate = new SharedArrayBuffer(4)): Worker {
  const source = `
    const { workerData } = require('node:worker_threads');
    import(workerData.serverModule).then(({ startSwitchlessServer }) => {
      const gate = new Int32Array(workerData.gate);
      startSwitchlessServer(workerData.init, {
        functions: [(a, b) => a + b, (v) => v, () => { while (Atomics.load(gate, 0) === 0) Atomics.wait(gate, 0, 0, 50); return 'released'; }],
        toWireError: (e) => ({ code: 'CC_ERROR_GENERIC', message: String(e && e.message) }),
        sendResult: () => {},
      });
    });`;
  const init = { buffer: client.buffer, poolSize: client.poolSize, slotBytes: client.slotBytes, policy, retriesBeforeSleep, functions: ['add', 'echo', 'block'] };
  return new Worker(source, { eval: true, workerData: { serverModule, init, gate } });
}

/** Waits (event loop free) until `predicate` holds; a liveness bound, not a performance one. */
async function until(predicate: () => boolean, what: string): Promise<void> {
  const giveUp = Date.now() + 30_000;
  while (!predicate()) {
    if (Date.now() > giveUp) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** The value of a call, whether it finished synchronously or is pending on the ring. */
async function settle(client: SwitchlessClient, outcome: SwitchlessOutcome): Promise<SwitchlessOutcome> {
  if (outcome.kind !== 'pending') return outcome;
  await outcome.wait;
  return client.collect(outcome.slot);
}

describe('adaptive switchless policy', () => {
  test('"wakeup": the idle server sleeps on the futex and a posted call wakes it; the call goes through the ring', async () => {
    const client = new SwitchlessClient(4, 256, 1_000_000_000); // never falls back: only the ring can answer
    const control = new Int32Array(client.buffer, 0, CONTROL_INTS);
    const worker = startServer(client, 'wakeup', 16);
    try {
      await until(() => Atomics.load(control, SERVER_SLEEPING) === 1, 'the idle server sleeps');
      const sleepsBefore = Atomics.load(control, SERVER_SLEEPS);
      assert.ok(sleepsBefore >= 1);
      for (let i = 0; i < 3; i++) {
        await until(() => Atomics.load(control, SERVER_SLEEPING) === 1, 'the server sleeps again');
        const wakeups = Atomics.load(control, SERVER_WAKEUPS);
        const outcome = await settle(client, client.call(0, [i, 40], i));
        assert.deepEqual(outcome, { kind: 'done', ok: true, value: i + 40 });
        assert.equal(Atomics.load(control, SERVER_WAKEUPS), wakeups + 1, 'the call woke it (a notify, not its sleep timing out)');
      }
      assert.ok(Atomics.load(control, SERVER_SLEEPS) > sleepsBefore, 'the server went back to sleep between calls');
    } finally {
      client.close();
      await worker.terminate();
    }
  });

  test('"busy": the server never sleeps, however long the ring is idle', async () => {
    const client = new SwitchlessClient(2, 256, 1_000_000_000);
    const control = new Int32Array(client.buffer, 0, CONTROL_INTS);
    const worker = startServer(client, 'busy', 0);
    try {
      assert.deepEqual(await settle(client, client.call(0, [1, 2], 1)), { kind: 'done', ok: true, value: 3 });
      await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual(await settle(client, client.call(1, ['x'], 2)), { kind: 'done', ok: true, value: 'x' });
      assert.equal(Atomics.load(control, SERVER_SLEEPS), 0);
    } finally {
      client.close();
      await worker.terminate();
    }
  });

  test('retriesBeforeSleep bounds the spin: a huge one keeps the server spinning until the host reports contention', async () => {
    const client = new SwitchlessClient(2, 256, 1_000_000_000);
    const control = new Int32Array(client.buffer, 0, CONTROL_INTS);
    const worker = startServer(client, 'wakeup', 2 ** 30);
    try {
      Atomics.store(control, SPIN_HINT, 0x7fffffff); // what the governor says once spinning pays
      assert.deepEqual(await settle(client, client.call(0, [2, 2], 1)), { kind: 'done', ok: true, value: 4 });
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(Atomics.load(control, SERVER_SLEEPS), 0, 'still within its retries: it spins');
      Atomics.store(control, SPIN_HINT, 0); // what the governor does under contention
      assert.deepEqual(await settle(client, client.call(0, [3, 3], 2)), { kind: 'done', ok: true, value: 6 });
      await until(() => Atomics.load(control, SERVER_SLEEPING) === 1, 'the server sleeps at once');
    } finally {
      client.close();
      await worker.terminate();
    }
  });

  test('a task nobody takes is withdrawn after retriesBeforeFallback and the call falls back; the slot is free again', () => {
    const client = new SwitchlessClient(1, 256, 100); // no server at all
    for (let i = 0; i < 3; i++) assert.deepEqual(client.call(0, [1, 1], i), { kind: 'fallback' });
    const ring = viewRing(client.buffer, 1, 256);
    assert.equal(Atomics.load(ring.headers[0], STATE), FREE);
  });

  test('a full pool is reported as such (the caller then makes a normal call or fails), and frees up when the task ends', async () => {
    const gate = new SharedArrayBuffer(4);
    const client = new SwitchlessClient(1, 256, 1_000_000_000);
    const worker = startServer(client, 'wakeup', 16, gate);
    try {
      const blocked = client.call(2, [], 1); // takes the only slot and runs until the gate opens
      assert.equal(blocked.kind, 'pending');
      assert.deepEqual(client.call(0, [1, 1], 2), { kind: 'full' });
      Atomics.store(new Int32Array(gate), GATE, 1);
      assert.deepEqual(await settle(client, blocked), { kind: 'done', ok: true, value: 'released' });
      assert.deepEqual(await settle(client, client.call(0, [5, 5], 3)), { kind: 'done', ok: true, value: 10 });
    } finally {
      client.close();
      await worker.terminate();
    }
  });
});

describe('spin governor', () => {
  const control = () => new Int32Array(new SharedArrayBuffer(CONTROL_INTS * 4));

  test('calls that ran unpreempted keep both sides spinning; preempted or sleeping calls switch both to sleeping', () => {
    const c = control();
    const g = new SpinGovernor(c, 50);
    assert.equal(Atomics.load(c, SPIN_HINT), 256, 'the server starts with a short spin');
    for (let i = 0; i < 200; i++) if (g.startCall()) g.sawResult(4, 1);
    assert.equal(g.isContended, false);
    assert.ok(Atomics.load(c, SPIN_HINT) > 1_000_000, 'the server may spin its retriesBeforeSleep');
    // preempted: 200 µs of wall time for 4 polls of 50 ns
    for (let i = 0; i < 200 && !g.isContended; i++) if (g.startCall()) g.sawResult(4, 200);
    assert.equal(g.isContended, true);
    assert.equal(Atomics.load(c, SPIN_HINT), 0);
    assert.equal(g.budget, 8);
    const other = new SpinGovernor(control(), 50);
    for (let i = 0; i < 20 && !other.isContended; i++) {
      other.startCall();
      other.slept();
    }
    assert.equal(other.isContended, true);
  });

  test('under contention, a probe lets both sides spin a little; it returns to spinning only if the probe calls ran unpreempted', () => {
    const c = control();
    const g = new SpinGovernor(c, 50);
    for (let i = 0; i < 20 && !g.isContended; i++) {
      g.startCall();
      g.slept();
    }
    assert.equal(g.isContended, true);
    let probes = 0;
    // still contended during probes: every probe fails and the hint goes back to 0
    for (let i = 0; i < 5000; i++) {
      if (!g.startCall()) continue;
      if (Atomics.load(c, SPIN_HINT) > 0) probes++;
      g.sawResult(4, 500);
    }
    assert.ok(probes > 0, 'probes happened');
    assert.equal(g.isContended, true);
    assert.equal(Atomics.load(c, SPIN_HINT), 0);
    // the machine is idle again: the next probe succeeds, and the server's spin grows back step by step
    for (let i = 0; i < 5000 && g.isContended; i++) if (g.startCall()) g.sawResult(4, 1);
    assert.equal(g.isContended, false);
    assert.equal(Atomics.load(c, SPIN_HINT), 256);
    for (let i = 0; i < 400; i++) if (g.startCall()) g.sawResult(4, 1);
    assert.ok(Atomics.load(c, SPIN_HINT) > 1_000_000);
  });

  test('the spin budget follows what spins needed, within its bounds', () => {
    const g = new SpinGovernor(control(), 50);
    for (let i = 0; i < 50; i++) g.sawResult(500, undefined);
    assert.ok(g.budget > 900 && g.budget <= 4096, String(g.budget));
    for (let i = 0; i < 20; i++) g.slept();
    assert.equal(g.budget, 8);
  });
});
