// Backends and built-in ocalls are registered per registry: a createEnclave given its own
// registry sees only that one, the default registry never sees it, and registrations undo.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  BackendRegistry,
  BuiltinOcallRegistry,
  builtInBackends,
  createEnclave,
  defaultBackends,
  defaultBuiltinOcalls,
  ErrorCode,
  listBackends,
  registerBackend,
  registerBuiltinOcall,
  type Backend,
} from '../../src/host/index.js';
import { simBackend } from '../../src/backends/sim/index.js';
import { rejectsWith } from '../support/assertions.js';
import { buildFixture } from '../support/fixtures.js';
import type { ecalls as ConformanceEcalls } from '../fixtures/enclaves/conformance.js';

const named = (name: string, strength = 0, ok = true): Backend => ({
  ...simBackend,
  name,
  strength,
  available: () => (ok ? { ok: true } : { ok: false, reason: 'not on this machine' }),
});

describe('BackendRegistry', () => {
  it('resolves names and auto within itself, and undoes registrations', async () => {
    const registry = new BackendRegistry();
    await assert.rejects(registry.resolve('auto'), rejectsWith(ErrorCode.NOT_SUPPORTED, /no enclave backend is available/));
    const weak = named('weak', 1);
    const undoWeak = registry.register(weak);
    registry.register(named('strong', 5));
    registry.register(named('absent', 9, false));
    assert.equal((await registry.resolve('auto')).name, 'strong', 'the strongest available one');
    assert.equal(await registry.resolve('weak'), weak);
    await assert.rejects(registry.resolve('absent'), rejectsWith(ErrorCode.NOT_SUPPORTED, /cannot run here: not on this machine/));
    await assert.rejects(registry.resolve('nope'), rejectsWith(ErrorCode.NOT_SUPPORTED, /use one of: auto, weak, strong, absent/));
    // a later registration of the name wins, and the earlier undo leaves it alone
    const replacement = named('weak', 2);
    registry.register(replacement);
    undoWeak();
    assert.equal(await registry.resolve('weak'), replacement);
    assert.equal(registry.unregister('weak'), true);
    assert.equal(registry.has('weak'), false);
    assert.equal(registry.unregister('weak'), false);
    assert.throws(() => registry.register({ ...weak, name: 'auto' }), rejectsWith(ErrorCode.BAD_PARAMETERS));
    assert.throws(() => registry.register({ ...weak, name: '' }), rejectsWith(ErrorCode.BAD_PARAMETERS));
  });

  it('keeps a registry of its own out of the default, and the default functions undo', () => {
    const own = new BackendRegistry(builtInBackends);
    own.register(named('private'));
    assert.ok(!listBackends().some((b) => b.name === 'private'));
    const builtIn = builtInBackends.map((b) => b.name);
    assert.deepEqual(listBackends().map((b) => b.name), builtIn);
    const undo = registerBackend(named('global'));
    assert.equal(defaultBackends.has('global'), true);
    undo();
    assert.deepEqual(listBackends().map((b) => b.name), builtIn, 'nothing left registered');
  });

  it('is what createEnclave looks the type up in', async () => {
    const image = await buildFixture('conformance');
    const empty = new BackendRegistry();
    await assert.rejects(createEnclave(image, { backends: empty }), rejectsWith(ErrorCode.NOT_SUPPORTED, /unknown enclave type "sim"/));
    await assert.rejects(createEnclave(image, { backends: {} as BackendRegistry }), rejectsWith(ErrorCode.BAD_PARAMETERS, /BackendRegistry/));
  });
});

describe('BuiltinOcallRegistry', () => {
  it('supplies ocalls the host did not pass, per createEnclave, and the host function wins', async () => {
    const image = await buildFixture('conformance');
    const printed: string[] = [];
    const builtinOcalls = new BuiltinOcallRegistry();
    builtinOcalls.register('print', (line: string) => {
      printed.push(`builtin:${line}`);
      return 1;
    });
    const others = { reenter: () => 0, reenterForbidden: () => 0 };
    // the default registry has no "print": without this registry the image cannot start
    await assert.rejects(createEnclave(image, { ocalls: others }), rejectsWith(ErrorCode.BAD_PARAMETERS, /ocall "print"/));
    {
      await using enclave = await createEnclave<typeof ConformanceEcalls>(image, { ocalls: others, builtinOcalls });
      assert.match(await enclave.ecall.greet('ada'), /greeted ada/);
      assert.deepEqual(printed, ['builtin:hello, ada']);
    }
    {
      await using enclave = await createEnclave<typeof ConformanceEcalls>(image, {
        ocalls: { ...others, print: (line: string) => printed.push(`host:${line}`) },
        builtinOcalls,
      });
      await enclave.ecall.greet('bob');
      assert.deepEqual(printed, ['builtin:hello, ada', 'host:hello, bob']);
    }
    assert.equal(defaultBuiltinOcalls.has('print'), false);
    const undo = registerBuiltinOcall('print', () => 0);
    assert.equal(defaultBuiltinOcalls.has('print'), true);
    undo();
    assert.deepEqual(defaultBuiltinOcalls.names(), [], 'nothing left registered');
    assert.throws(() => builtinOcalls.register('', () => 0), rejectsWith(ErrorCode.BAD_PARAMETERS));
    assert.equal(builtinOcalls.unregister('print'), true);
    assert.equal(builtinOcalls.get('print'), undefined);
  });
});
