/**
 * Host ocalls `p11StoreLoad` / `p11StoreSave` / `p11StoreRemove` / `p11StoreList` over a
 * folder: one file per sealed blob. A save writes a temporary file, syncs it, renames it over
 * the old one and syncs the folder, so a crash leaves either the old blob or the new one,
 * never half of one. The host sees only names and sizes.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { isBytes } from '../common/bytes.js';
import { ErrorCode, SecGearError } from '../common/errors.js';

const NAME = /^(token|obj-[0-9a-f]{16})$/;
const SUFFIX = '.sealed';
let tmpCounter = 0;

export interface P11StoreOcalls {
  p11StoreLoad(name: string): Uint8Array | null;
  p11StoreSave(name: string, blob: Uint8Array): void;
  p11StoreRemove(name: string): void;
  p11StoreList(): string[];
}

function syncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export function createP11FileStore(dir: string): P11StoreOcalls {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = (name: unknown) => {
    if (typeof name !== 'string' || !NAME.test(name)) throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'invalid PKCS#11 store name');
    return join(dir, name + SUFFIX);
  };
  return {
    p11StoreLoad(name) {
      try {
        return new Uint8Array(readFileSync(path(name)));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw error;
      }
    },
    p11StoreSave(name, blob) {
      if (!isBytes(blob) || blob.byteLength > 1 << 20) throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'a sealed blob must be at most 1 MiB of bytes');
      const target = path(name);
      const tmp = `${target}.${process.pid}.${tmpCounter++}.tmp`;
      const fd = openSync(tmp, 'wx', 0o600);
      try {
        writeSync(fd, blob);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, target);
      syncDir(dir);
    },
    p11StoreRemove(name) {
      rmSync(path(name), { force: true });
      syncDir(dir);
    },
    p11StoreList() {
      return readdirSync(dir)
        .filter((f) => f.endsWith(SUFFIX))
        .map((f) => f.slice(0, -SUFFIX.length))
        .filter((n) => NAME.test(n));
    },
  };
}
