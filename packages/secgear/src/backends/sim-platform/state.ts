/**
 * The per-machine secrets of the simulated platform: one JSON file (mode 0600) holding the
 * platform secret (root of sealing and report keys), the attestation key and its certificate,
 * and the root certificate; plus a public copy of the root certificate (`sim-root.pem`) for
 * verifiers. Simulation-grade: anyone who can read the file as this user can unseal every sim
 * blob and forge sim evidence of this machine. Created on first use; two processes creating
 * it at once agree on one file (write to a temporary name, then link(2), which fails if the
 * name exists).
 */
import { createPrivateKey, hkdfSync, randomBytes } from 'node:crypto';
import { chmodSync, linkSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { KeyObject } from 'node:crypto';
import { ErrorCode, SecGearError } from '../../common/errors.js';
import { createSimCertificates } from './sim-certificates.js';

export const STATE_FILE = 'platform.json';
export const ROOT_CERT_FILE = 'sim-root.pem';
const FORMAT = 'secgear-sim-platform';
const VERSION = 1;

export interface SimPlatformState {
  stateDir: string;
  /** Root of all sealing keys; never leaves the platform. */
  sealRoot: Uint8Array;
  /** Root of all report keys; never leaves the platform. */
  reportRoot: Uint8Array;
  attestationKey: KeyObject;
  attestationCertificate: Uint8Array;
  rootCertificate: Uint8Array;
}

interface StateFile {
  format: string;
  version: number;
  createdAt: string;
  platformSecret: string;
  attestationKey: string;
  attestationCertificate: string;
  rootCertificate: string;
}

/** `stateDir`, else $SECGEAR_SIM_DIR, else ~/.secgear/sim, as an absolute path. */
export function resolveStateDir(stateDir?: string): string {
  return resolve(stateDir ?? process.env.SECGEAR_SIM_DIR ?? join(homedir(), '.secgear', 'sim'));
}

const cache = new Map<string, SimPlatformState>();

/** Loads this machine's simulated platform secrets, creating them on first use. */
export function loadSimPlatformState(stateDir?: string): SimPlatformState {
  const dir = resolveStateDir(stateDir);
  const cached = cache.get(dir);
  if (cached) return cached;
  const file = join(dir, STATE_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw stateError(file, 'cannot be read', error);
    text = createStateFile(dir, file);
  }
  checkPrivate(file);
  const state = parseState(dir, file, text);
  writeRootCopy(dir, state.rootCertificate);
  cache.set(dir, state);
  return state;
}

/**
 * The sim root certificate (DER) of the state dir, or null when the platform was never used
 * there. Reads only the public copy; never creates anything.
 */
export function readSimRootCertificate(stateDir?: string): Uint8Array | null {
  const path = join(resolveStateDir(stateDir), ROOT_CERT_FILE);
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch {
    return null;
  }
  const der = pemToDer(pem);
  return der.byteLength > 0 ? der : null;
}

/**
 * The sim root certificate (DER) of the state dir, creating the platform there when it was never
 * used (what the first sim enclave would do): for services that trust their own machine's sim
 * evidence before they start an enclave.
 */
export function ensureSimRootCertificate(stateDir?: string): Uint8Array {
  return new Uint8Array(loadSimPlatformState(stateDir).rootCertificate);
}

function createStateFile(dir: string, file: string): string {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw stateError(dir, 'cannot be created', error);
  }
  const certs = createSimCertificates();
  const body: StateFile = {
    format: FORMAT,
    version: VERSION,
    createdAt: new Date().toISOString(),
    platformSecret: randomBytes(32).toString('base64'),
    attestationKey: certs.attestationKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    attestationCertificate: derToPem(certs.attestationCertificate),
    rootCertificate: derToPem(certs.rootCertificate),
  };
  const text = JSON.stringify(body, null, 2) + '\n';
  publishOnce(file, text, 0o600);
  // whoever won the race, the file now holds the one true state
  return readFileSync(file, 'utf8');
}

/** Writes `text` to `path` unless it exists, atomically: readers see the whole file or none. */
function publishOnce(path: string, text: string, mode: number): void {
  const temp = `${path}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`;
  try {
    writeFileSync(temp, text, { mode, flag: 'wx' });
    chmodSync(temp, mode); // the umask may have cleared bits we asked for; never added any
    try {
      linkSync(temp, path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  } catch (error) {
    throw stateError(path, 'cannot be written', error);
  } finally {
    try {
      unlinkSync(temp);
    } catch {
      // already gone
    }
  }
}

function writeRootCopy(dir: string, rootCertificate: Uint8Array): void {
  const path = join(dir, ROOT_CERT_FILE);
  const existing = readSimRootCertificate(dir);
  if (existing && Buffer.from(existing).equals(Buffer.from(rootCertificate))) return;
  if (existing) {
    // a stale copy (state file replaced by hand): replace it so verifiers trust the live root
    try {
      unlinkSync(path);
    } catch {
      // a concurrent writer removed it first
    }
  }
  publishOnce(path, derToPem(rootCertificate), 0o644);
}

function checkPrivate(file: string): void {
  if (process.platform === 'win32') return;
  const mode = statSync(file).mode & 0o777;
  if (mode & 0o077) {
    throw new SecGearError(
      ErrorCode.ACCESS_DENIED,
      `the simulated platform secrets ${file} are readable by other users (mode ${mode.toString(8)}); run "chmod 600 ${file}"`,
    );
  }
}

function parseState(dir: string, file: string, text: string): SimPlatformState {
  let body: StateFile;
  try {
    body = JSON.parse(text) as StateFile;
  } catch (error) {
    throw stateError(file, 'is not valid JSON', error);
  }
  if (body?.format !== FORMAT || body.version !== VERSION) {
    throw stateError(file, `is not a ${FORMAT} v${VERSION} file`);
  }
  try {
    const secret = new Uint8Array(Buffer.from(body.platformSecret, 'base64'));
    if (secret.byteLength !== 32) throw new Error('platformSecret is not 32 bytes');
    const attestationKey = createPrivateKey(body.attestationKey);
    if (attestationKey.asymmetricKeyDetails?.namedCurve !== 'secp384r1') throw new Error('attestationKey is not a P-384 key');
    const attestationCertificate = pemToDer(body.attestationCertificate);
    const rootCertificate = pemToDer(body.rootCertificate);
    if (!attestationCertificate.byteLength || !rootCertificate.byteLength) throw new Error('a certificate is missing');
    const derive = (label: string) => new Uint8Array(hkdfSync('sha256', secret, new Uint8Array(0), `secgear sim v1 ${label}`, 32));
    const state = { stateDir: dir, sealRoot: derive('seal root'), reportRoot: derive('report root'), attestationKey, attestationCertificate, rootCertificate };
    secret.fill(0);
    return state;
  } catch (error) {
    throw stateError(file, `is damaged (${error instanceof Error ? error.message : String(error)})`, error);
  }
}

function stateError(path: string, what: string, cause?: unknown): SecGearError {
  const detail = cause instanceof Error ? `: ${cause.message}` : '';
  return new SecGearError(
    ErrorCode.GENERIC,
    `simulated platform state ${path} ${what}${detail}. Set SECGEAR_SIM_DIR (or stateDir) to a writable folder, ` +
      'or delete the folder to start over (data sealed under the old state can then no longer be unsealed)',
    { cause },
  );
}

export function derToPem(der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
}

function pemToDer(pem: string): Uint8Array {
  const m = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/.exec(pem);
  return m ? new Uint8Array(Buffer.from(m[1].replace(/\s+/g, ''), 'base64')) : new Uint8Array(0);
}

/**
 * Forgets loaded state so the next use reads the files again (tests that delete a state dir).
 * Not zeroized here: platforms created earlier may still hold the objects.
 */
export function clearSimPlatformStateCache(): void {
  cache.clear();
}
