// The backend conformance suite: every backend must pass the same tests.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createEnclave, EnclaveError, ErrorCode, type Enclave } from '../../src/host/index.js';
import { rejectsWith } from '../support/assertions.js';
import { buildFixture } from '../support/fixtures.js';
import type { ecalls as ConformanceEcalls } from '../fixtures/enclaves/conformance.js';
import { registerFixtureBackends, unregisterFixtureBackends } from '../support/tee-fixtures/fixture-backends.js';

// the real-TEE backends run the same suite over exact fixtures of their device interfaces
registerFixtureBackends();
after(unregisterFixtureBackends);
const simulatedTypes = new Set(['sim', 'process']);

type Ecalls = typeof ConformanceEcalls;

function hostOcalls(printed: string[] = []) {
  let enclave: Enclave<Ecalls> | null = null;
  return {
    bind: (e: Enclave<Ecalls>) => (enclave = e),
    ocalls: {
      print: (line: string) => {
        printed.push(line);
        return line.length;
      },
      reenter: (x: number) => enclave!.ecall.inner(x),
      reenterForbidden: () => enclave!.ecall.add(1, 2),
    },
  };
}

for (const type of ['sim', 'process', 'gramine-sgx-fixture', 'cvm-fixture'] as const) {
  describe(`backend conformance: ${type}`, () => {
    let image: string;
    let enclave: Enclave<Ecalls>;
    const printed: string[] = [];
    const logs: string[] = [];

    before(async () => {
      image = await buildFixture('conformance');
      const host = hostOcalls(printed);
      enclave = await createEnclave<Ecalls>(image, { type, ocalls: host.ocalls, onLog: (level, message) => logs.push(`${level}:${message}`), logLevel: 'info' });
      host.bind(enclave);
    });
    after(() => enclave.destroy());

    test('info names the backend, its isolation and the verified identity', () => {
      assert.equal(enclave.info.backend, type);
      if (simulatedTypes.has(type)) assert.match(enclave.info.isolation, /no hardware protection/);
      else assert.match(enclave.info.isolation, /SGX enclave under Gramine|confidential VM/);
      assert.equal(enclave.info.simulated, simulatedTypes.has(type));
      assert.equal(enclave.info.measurement.byteLength, 48);
      assert.equal(enclave.info.signer.byteLength, 48);
      assert.deepEqual([enclave.info.name, enclave.info.prodId, enclave.info.svn, enclave.info.debug], ['conformance', 7, 3, false]);
    });

    test('values of every kind cross and come back intact', async () => {
      const values = [0, -1.5, 2 ** 53 - 1, 'héllo ✓', '', true, null, 12345678901234567890n, [1, [2, 'x']], { a: { b: [1, 2] }, c: 'd' }, new Uint8Array([1, 2, 3])];
      for (const value of values) assert.deepEqual(await enclave.ecall.echo(value), value);
      assert.equal(await enclave.ecall.add(2, 3), 5);
    });

    test('binary arguments and results', async () => {
      const big = new Uint8Array(1 << 20).fill(7);
      assert.equal(await enclave.ecall.byteLength(big), 1 << 20);
      assert.deepEqual(await enclave.ecall.reverse(new Uint8Array([1, 2, 3])), new Uint8Array([3, 2, 1]));
    });

    test('transfer moves argument buffers instead of copying them where the backend can', async () => {
      const buffer = new Uint8Array(1 << 16).fill(3).buffer;
      assert.equal(await enclave.call('byteLength', [new Uint8Array(buffer)], { transfer: [buffer] }), 1 << 16);
      assert.equal(buffer.byteLength, type === 'sim' ? 0 : 1 << 16, type === 'sim' ? 'moved (detached here)' : 'copied');
    });

    test('an exception in the enclave rejects the ecall with EnclaveError and no stack (production image)', async () => {
      await assert.rejects(enclave.ecall.fail('bad input'), (error: unknown) => {
        assert.ok(error instanceof EnclaveError);
        assert.equal(error.code, ErrorCode.ENCLAVE_EXCEPTION);
        assert.equal(error.message, 'bad input');
        assert.equal(error.enclaveStack, undefined);
        return true;
      });
      await assert.rejects(enclave.ecall.failWithCode(), rejectsWith(ErrorCode.BAD_PARAMETERS, /rejected by the enclave/));
    });

    test('declared ocalls reach the host; undeclared ones are refused', async () => {
      assert.equal(await enclave.ecall.greet('ann'), 'greeted ann (10)');
      assert.ok(printed.includes('hello, ann'));
      await assert.rejects(enclave.ecall.callUndeclared(), rejectsWith(ErrorCode.OCALL_NOT_ALLOWED));
    });

    test('an ecall from inside an ocall is allowed only where the ocall allows it', async () => {
      assert.equal(await enclave.ecall.outer(21), 42);
      await assert.rejects(enclave.ecall.outerForbidden(), rejectsWith(ErrorCode.ECALL_NOT_ALLOWED, /allow/));
      await assert.rejects(enclave.ecall.inner(1), rejectsWith(ErrorCode.ECALL_NOT_ALLOWED, /private/));
      await assert.rejects(enclave.call('nope', []), rejectsWith(ErrorCode.ECALL_NOT_FOUND));
      await assert.rejects((enclave.ecall as unknown as Record<string, () => Promise<unknown>>).nope(), rejectsWith(ErrorCode.ECALL_NOT_FOUND));
      assert.equal((enclave.ecall as unknown as { then?: unknown }).then, undefined, 'the ecall table is not a thenable');
    });

    test('at most maxConcurrentEcalls run at once; the rest wait in a queue', async () => {
      const results = await Promise.all(Array.from({ length: 6 }, () => enclave.ecall.concurrent(30)));
      assert.equal(Math.max(...results), 2);
    });

    test('identity() inside the enclave is what the host verified; random() is random', async () => {
      const id = await enclave.ecall.whoami();
      assert.deepEqual(id.measurement, enclave.info.measurement);
      assert.deepEqual(id.signer, enclave.info.signer);
      assert.deepEqual([id.prodId, id.svn, id.debug, id.name], [7, 3, false, 'conformance']);
      const a = await enclave.ecall.random(32);
      const b = await enclave.ecall.random(32);
      assert.equal(a.byteLength, 32);
      assert.notDeepEqual(a, b);
      await assert.rejects(enclave.ecall.random(-1), rejectsWith(ErrorCode.BAD_PARAMETERS));
    });

    test('log lines reach the host through the built-in ocall, filtered by level', async () => {
      await enclave.ecall.log('warn', 'careful');
      await enclave.ecall.log('debug', 'hidden');
      assert.ok(logs.includes('warn:careful'));
      assert.ok(!logs.some((l) => l.includes('hidden')));
    });

    test('a call past its timeout fails with CC_ERROR_TIMEOUT; an aborted call with CC_ERROR_CANCELLED', async () => {
      await assert.rejects(enclave.call('sleep', [2000], { timeoutMs: 50 }), rejectsWith(ErrorCode.TIMEOUT));
      const controller = new AbortController();
      const call = enclave.call('sleep', [2000], { signal: controller.signal });
      controller.abort();
      await assert.rejects(call, rejectsWith(ErrorCode.CANCELLED));
    });

    test('a debug image needs debug: true, and its errors carry the enclave stack', async () => {
      const debugImage = await buildFixture('conformance', { debug: true });
      await assert.rejects(createEnclave(debugImage, { type, ocalls: hostOcalls().ocalls }), rejectsWith(ErrorCode.DEBUG_NOT_ALLOWED));
      await using debug = await createEnclave<Ecalls>(debugImage, { type, debug: true, ocalls: hostOcalls().ocalls });
      assert.equal(debug.info.debug, true);
      await assert.rejects(debug.ecall.fail('x'), (error: unknown) => error instanceof EnclaveError && /conformance|fail/.test(error.enclaveStack ?? ''));
    });

    test('destroy is idempotent; calls after it fail with CC_ERROR_ENCLAVE_DESTROYED, in-flight ones too', async () => {
      const e = await createEnclave<Ecalls>(image, { type, ocalls: hostOcalls().ocalls });
      const inFlight = assert.rejects(e.ecall.sleep(5000), rejectsWith(ErrorCode.ENCLAVE_DESTROYED));
      await Promise.all([e.destroy(), e.destroy()]);
      await e.destroy();
      await inFlight;
      await assert.rejects(e.ecall.add(1, 2), rejectsWith(ErrorCode.ENCLAVE_DESTROYED));
      assert.equal(e.destroyed, true);
    });

    test('every declared ocall needs a host implementation', async () => {
      await assert.rejects(createEnclave(image, { type, ocalls: { print: () => 0 } }), rejectsWith(ErrorCode.BAD_PARAMETERS, /reenter/));
    });
  });
}
