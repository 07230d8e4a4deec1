// Red team: what the enclave sends. Forged and malformed messages end that enclave with
// CC_ERROR_ENCLAVE_LOST (protocol violation) and never throw in the host; log lines are bounded;
// private ecalls and allow(...) lists hold even when the host library is bypassed.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode } from '../../src/host/index.js';
import { rejectsWith } from '../support/assertions.js';
import { BACKENDS, assertUnaffected, startPair } from './support.js';

const FORGED: Array<[string, unknown]> = [
  ['null (the issue: a TypeError in host/enclave.ts)', null],
  ['a log line with an unknown level', [4, '\u001b[2J', 'x']],
  ['a result with a negative id', [1, -1, true, 1]],
  ['a failed result whose error is a string', [1, 1, false, 'not an error']],
  ['an ocall whose name is a number', [2, 1, 123, []]],
  ['a message of unknown kind', [99]],
  ['an object that looks like an array', { 0: 4, 1: 'info', 2: 'x', length: 3 }],
  ['a ready message listing numbers', [5, [1, 2]]],
  ['a platform request without arguments', [3, 1, 'sealKey']],
  ['a result with an extra element', [1, 1, true, 1, 'extra']],
];

for (const type of BACKENDS) {
  describe(`red team, messages: ${type}`, () => {
    for (const [what, message] of FORGED) {
      test(`${what}: the enclave is lost (protocol violation), the host and a second enclave are unaffected`, async () => {
        await using pair = await startPair(type);
        const pending = pair.hostile.ecall.allocate(0, 0, false);
        await pair.hostile.ecall.forge(message).catch(() => 'lost before it answered');
        await assert.rejects(pending, rejectsWith(ErrorCode.ENCLAVE_LOST, /protocol violation/));
        assert.match(await pair.lost(), /protocol violation/);
        await assertUnaffected(pair);
      });
    }

    test('log lines are cut at 8 KiB; a known level with a long line does not end the enclave', async () => {
      await using pair = await startPair(type);
      await pair.hostile.ecall.forgeLog('warn', 100_000);
      const line = pair.logs.find((l) => l.startsWith('warn:'));
      assert.ok(line && line.length < 8300 && /more characters cut/.test(line), line?.slice(-80));
      assert.equal((await pair.hostile.ecall.probeNames()).length > 0, true);
    });

    test('private ecalls and allow(...) are enforced inside the enclave, even when the host library is bypassed', async () => {
      await using pair = await startPair(type);
      const raw = pair.hostile as unknown as { callNormal(name: string, args: unknown[], options: object, counted: boolean, parentOcall?: number): Promise<unknown> };
      // the host library refuses first
      await assert.rejects(pair.hostile.ecall.inner(), rejectsWith(ErrorCode.ECALL_NOT_ALLOWED));
      // a host that skips its own check is refused by the trusted runtime
      await assert.rejects(raw.callNormal('inner', [], {}, true), rejectsWith(ErrorCode.ECALL_NOT_ALLOWED, /private/));
      await assert.rejects(raw.callNormal('inner', [], {}, true, 424242), rejectsWith(ErrorCode.ECALL_NOT_ALLOWED, /no ocall of this enclave in flight/));
      await assert.rejects(raw.callNormal('notDeclared', [], {}, true), rejectsWith(ErrorCode.ECALL_NOT_FOUND));
      // from inside the ocall that allows it, it runs
      assert.equal(await pair.hostile.ecall.viaOcall(), 'private ecall ran');
      await assertUnaffected(pair);
    });
  });
}
