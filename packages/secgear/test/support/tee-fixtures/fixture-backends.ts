/**
 * The gramine-sgx and cvm backends registered over fixtures, for the conformance suite and the
 * backend tests: gramine-sgx runs the real enclave runner in a child `node` with a fixture
 * `/dev/attestation`; cvm runs its real platform over fixture configfs-tsm and RTMR files.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCvmBackend, createGramineSgxBackend, registerBackend, type Backend } from '../../../src/host/index.js';
import { rtmrPath } from '../../../src/backends/tee-files/rtmr.js';
import type { CollateralItem, TrustAnchor } from '../../../src/attest/types.js';
import { makeIntelFixture } from '../intel-fixture.js';
import { configfsTsmFixture } from './configfs-tsm-fixture.js';
import { FixtureFilePort } from './fixture-file-port.js';

const fixtureMain = fileURLToPath(new URL('./gramine-fixture-main.js', import.meta.url));

export interface GramineFixtureBackend {
  backend: Backend;
  /** The test root and collateral the fixture enclave signs with (after it started). */
  trust(): { anchor: TrustAnchor; collateral: CollateralItem[] };
}

export function gramineFixtureBackend(name = 'gramine-sgx-fixture', options: { expectMrEnclave?: string; verify?: boolean } = {}): GramineFixtureBackend {
  const out = mkdtempSync(join(tmpdir(), 'secgear-gramine-fixture-'));
  const files = new FixtureFilePort();
  files.addFile('/dev/sgx_enclave', { load: () => new Uint8Array(0) });
  const trust = () => ({
    anchor: { kind: 'x509' as const, der: new Uint8Array(readFileSync(join(out, 'root.der'))) },
    collateral: (JSON.parse(readFileSync(join(out, 'collateral.json'), 'utf8')) as Array<{ role: string; data: string }>).map((c) => ({ role: c.role, data: new Uint8Array(Buffer.from(c.data, 'base64')) })),
  });
  const backend = createGramineSgxBackend({
    name,
    files,
    expectMrEnclave: options.expectMrEnclave,
    launch: ({ image, env }) => spawn(process.execPath, [fixtureMain, image.path!], { env: { ...env, SECGEAR_FIXTURE_OUT: out }, stdio: ['ignore', 'inherit', 'inherit'] }),
  });
  return { backend, trust };
}

export function imageMrEnclave(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

export interface CvmFixtureBackend {
  backend: Backend;
  anchor: TrustAnchor;
  collateral: CollateralItem[];
  now: Date;
  /** RTMR values of the fixture VM. */
  registers: Uint8Array[];
  files: FixtureFilePort;
}

export function cvmFixtureBackend(name = 'cvm-fixture', options: { sealingRoot?: Uint8Array } = {}): CvmFixtureBackend {
  const tdx = makeIntelFixture({ tee: 'tdx', version: 4, now: new Date() });
  const registers: Uint8Array[] = [0, 1, 2, 3].map(() => new Uint8Array(48));
  const fixture = configfsTsmFixture({ provider: 'tdx_guest', outblobFor: (inblob) => tdx.quoteWith({ reportData: inblob }) });
  for (let i = 0; i < 4; i++) {
    fixture.port.addFile(rtmrPath(i), {
      load: () => registers[i].slice(),
      save: (data) => void (registers[i] = new Uint8Array(createHash('sha384').update(registers[i]).update(data).digest())),
    });
  }
  const backend = createCvmBackend({ name, files: fixture.port, sealingRoot: options.sealingRoot });
  return { backend, anchor: tdx.anchor, collateral: tdx.collateral, now: tdx.now, registers, files: fixture.port };
}

/** Registers both fixture backends once per process under their default names. */
let registered: { gramine: GramineFixtureBackend; cvm: CvmFixtureBackend } | null = null;
let undo: Array<() => void> = [];
export function registerFixtureBackends(): { gramine: GramineFixtureBackend; cvm: CvmFixtureBackend } {
  if (!registered) {
    registered = { gramine: gramineFixtureBackend(), cvm: cvmFixtureBackend() };
    undo = [registerBackend(registered.gramine.backend), registerBackend(registered.cvm.backend)];
  }
  return registered;
}

/** Undoes registerFixtureBackends (call it in an `after` hook: tests leave nothing registered). */
export function unregisterFixtureBackends(): void {
  for (const u of undo) u();
  undo = [];
  registered = null;
}
