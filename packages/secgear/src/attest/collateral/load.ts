import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode, SecGearError } from '../../common/errors.js';
import type { CollateralItem, TrustAnchor } from '../types.js';
import { classifyAnchors, classifyCollateral } from './classify.js';
import type { VerifierRegistry } from '../registry.js';

/** Files larger than this are not collateral (the largest real TCB Info is ~20 KiB). */
const MAX_FILE_BYTES = 16 * 1024 * 1024;

/** A file inside a folder that was not loaded, and why. */
export interface Skipped {
  path: string;
  reason: string;
}

/** Collateral items with their recognised roles (`source` is the file path). */
export interface LoadedCollateral {
  items: CollateralItem[];
  /** Files inside folders that no plug-in recognised (explicitly named files are an error instead). */
  skipped: Skipped[];
}

/** Trust anchors read from files (`source` is the file path). */
export interface LoadedAnchors {
  anchors: TrustAnchor[];
  skipped: Skipped[];
}

/** Files under `path` (itself when a file), sorted, hidden entries left out. */
async function listFiles(path: string): Promise<{ files: string[]; folder: boolean }> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    throw new SecGearError(ErrorCode.BAD_PARAMETERS, `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  if (!info.isDirectory()) return { files: [path], folder: false };
  const out: string[] = [];
  const walk = async (dir: string, depth: number) => {
    if (depth > 8) return;
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const full = join(dir, entry.name);
      if (entry.isDirectory()) await walk(full, depth + 1);
      else if (entry.isFile()) out.push(full);
    }
  };
  await walk(path, 0);
  return { files: out, folder: true };
}

async function readSmall(path: string): Promise<Uint8Array | null> {
  const info = await stat(path);
  if (info.size > MAX_FILE_BYTES) return null;
  return new Uint8Array(await readFile(path));
}

/**
 * Reads every file under `paths` and keeps what `recognise` accepts. A file named directly that
 * is not recognised (or too large) is an error made by `refuse`; inside a folder it is skipped.
 */
async function loadRecognised<T>(
  paths: string[],
  recognise: (data: Uint8Array) => T | null,
  unrecognised: string,
  refuse: (file: string, reason: string) => SecGearError,
): Promise<{ found: Array<{ file: string; data: Uint8Array; value: T }>; skipped: Skipped[] }> {
  const found: Array<{ file: string; data: Uint8Array; value: T }> = [];
  const skipped: Skipped[] = [];
  for (const path of paths) {
    const { files, folder } = await listFiles(path);
    for (const file of files) {
      const data = await readSmall(file);
      const value = data ? recognise(data) : null;
      if (data && value) {
        found.push({ file, data, value });
        continue;
      }
      const reason = data ? unrecognised : `larger than ${MAX_FILE_BYTES} bytes`;
      if (!folder) throw refuse(file, reason);
      skipped.push({ path: file, reason });
    }
  }
  return { found, skipped };
}

/**
 * Loads collateral from files or folders. Each file's role (TCB Info, QE identity, CRL,
 * issuer chain, PCK certificate, VCEK, ASK/ARK, CPAK, collateral bundle, ...) is recognised from
 * its content by the registered plug-ins, never from its name. A named file that nothing
 * recognises is an error (`CC_ERROR_INVALID_COLLATERAL`); inside a folder it is skipped and listed.
 */
export async function loadCollateral(paths: string[], options: { verifiers?: VerifierRegistry } = {}): Promise<LoadedCollateral> {
  const { found, skipped } = await loadRecognised(
    paths,
    (data) => classifyCollateral(data, options.verifiers),
    'not recognised as collateral by any registered verifier',
    (file, reason) =>
      new SecGearError(
        ErrorCode.INVALID_COLLATERAL,
        `${file}: ${reason} (expected TCB Info, QE identity, CRL, certificate chain, PCK certificate, VCEK/VLEK, ASK/ARK, CA bundle, CPAK or a collateral bundle)`,
      ),
  );
  return { items: found.map(({ file, data, value }) => ({ role: value.role, data, source: file })), skipped };
}

/**
 * Loads trust anchors from files or folders: certificates (DER or PEM, one anchor per
 * certificate) and public keys (PEM SubjectPublicKeyInfo or JWK). A named file that is neither
 * is an error (`CC_ERROR_BAD_PARAMETERS`); inside a folder it is skipped and listed.
 */
export async function loadTrustAnchors(paths: string[], options: { verifiers?: VerifierRegistry } = {}): Promise<LoadedAnchors> {
  const { found, skipped } = await loadRecognised(
    paths,
    (data) => classifyAnchors(data, options.verifiers),
    'not a certificate or public key',
    (file) => new SecGearError(ErrorCode.BAD_PARAMETERS, `${file}: not a trust anchor (expected an X.509 certificate, a PEM public key or a JWK)`),
  );
  return { anchors: found.flatMap(({ file, value }) => value.map((a) => ({ ...a, source: file }))), skipped };
}
