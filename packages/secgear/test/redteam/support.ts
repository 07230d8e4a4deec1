// Shared set-up of the red-team suite: a hostile enclave next to an ordinary one, and the checks
// that the host and the bystander came through unharmed.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { resolveStateDir, STATE_FILE } from '../../src/backends/sim-platform/index.js';
import { createEnclave, type Enclave } from '../../src/host/index.js';
import { buildFixture } from '../support/fixtures.js';
import type { ecalls as HostileEcalls } from '../fixtures/enclaves/hostile.js';
import type { ecalls as ConformanceEcalls } from '../fixtures/enclaves/conformance.js';

export const BACKENDS = ['sim', 'process'] as const;
export type BackendType = (typeof BACKENDS)[number];
export type Hostile = Enclave<typeof HostileEcalls>;
export type Bystander = Enclave<typeof ConformanceEcalls>;

export interface Pair {
  hostile: Hostile;
  bystander: Bystander;
  logs: string[];
  /** Most `slow` ocalls the host served at once. */
  slow: { running: number; max: number };
  lost(): Promise<string>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Starts a hostile enclave and a bystander on `type`; the hostile one's logs are collected. */
export async function startPair(type: BackendType, options: { debug?: boolean } = {}): Promise<Pair> {
  const logs: string[] = [];
  const slow = { running: 0, max: 0 };
  let hostile: Hostile | null = null;
  const hostileImage = await buildFixture('hostile', options.debug ? { debug: true } : {});
  hostile = await createEnclave<typeof HostileEcalls>(hostileImage, {
    type,
    debug: options.debug ?? false,
    logLevel: 'debug',
    onLog: (level, message) => logs.push(`${level}:${message}`),
    ocalls: {
      callBack: () => (hostile as Hostile).ecall.inner(),
      slow: async () => {
        slow.running++;
        slow.max = Math.max(slow.max, slow.running);
        await new Promise((r) => setTimeout(r, 300));
        slow.running--;
      },
    },
  });
  const bystander = await createEnclave<typeof ConformanceEcalls>(await buildFixture('conformance'), {
    type,
    ocalls: { print: (s: string) => s.length, reenter: () => 0, reenterForbidden: () => 0 },
  });
  const h = hostile;
  return {
    hostile: h,
    bystander,
    logs,
    slow,
    /** Resolves with the CC_ERROR_ENCLAVE_LOST message once the hostile enclave is gone. */
    async lost() {
      for (let i = 0; i < 200; i++) {
        try {
          await h.ecall.probeNames();
        } catch (error) {
          return String((error as Error).message);
        }
        await new Promise((r) => setTimeout(r, 25));
      }
      throw new Error('the hostile enclave is still running');
    },
    async [Symbol.asyncDispose]() {
      await Promise.all([h.destroy(), bystander.destroy()]);
    },
  };
}

/** The host process is alive and the bystander enclave answers, with its own identity. */
export async function assertUnaffected(pair: Pair): Promise<void> {
  assert.equal(await pair.bystander.ecall.add(20, 22), 42);
  assert.equal(await pair.bystander.ecall.greet('host'), 'greeted host (11)');
  assert.equal((await pair.bystander.ecall.whoami()).name, 'conformance');
  assert.equal(typeof process.pid, 'number');
}

/** Runs every probe of the hostile enclave; each must be refused, then the host and bystander are checked. */
export async function assertEveryProbeRefused(pair: Pair): Promise<void> {
  const names = await pair.hostile.ecall.probeNames();
  assert.ok(names.length >= 60, `only ${names.length} probes`);
  const platformFile = join(resolveStateDir(), STATE_FILE);
  const reached: string[] = [];
  for (const name of names) {
    const outcome = await pair.hostile.ecall.probe(name, platformFile);
    if (!outcome.startsWith('refused: ')) reached.push(`${name}: ${outcome}`);
  }
  assert.deepEqual(reached, [], 'the boundary did not hold');
  await assertUnaffected(pair);
}
