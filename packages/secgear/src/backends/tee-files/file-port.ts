/**
 * The one port through which the real-TEE backends touch device files (`/dev/attestation`,
 * `/sys/kernel/config/tsm/report`, `/sys/class/misc/tdx_guest/measurements`). Production code
 * uses `nodeFilePort()`; tests pass a fixture that reproduces the kernel's or Gramine's rules
 * (when a write takes effect, when a report is built). The operations are the system calls the
 * interfaces are defined by (open, read, write, close, mkdir, rmdir), not convenience wrappers,
 * because those rules are tied to them: configfs applies `inblob` at close, Gramine builds a
 * quote at open.
 */
import { mkdir, open, rmdir, stat } from 'node:fs/promises';
import { ErrorCode, SecGearError } from '../../common/errors.js';

export interface DeviceFile {
  /** Reads up to `max` bytes from the current position; an empty array at the end. */
  read(max: number): Promise<Uint8Array>;
  /** Writes `data` in one write(2); returns the bytes the device accepted. */
  write(data: Uint8Array): Promise<number>;
  /** Closes the file (where configfs and Gramine apply what was written). */
  close(): Promise<void>;
}

export interface FilePort {
  open(path: string, mode: 'r' | 'w'): Promise<DeviceFile>;
  mkdir(path: string): Promise<void>;
  rmdir(path: string): Promise<void>;
  /** Whether `path` exists (a file or a folder); never throws for a missing path. */
  exists(path: string): Promise<boolean>;
}

/** The errno names the device interfaces use, as `code` of what a port throws. */
export type DeviceErrno = 'ENOENT' | 'EACCES' | 'EPERM' | 'EBUSY' | 'ETIMEDOUT' | 'EIO' | 'EINVAL' | 'ENXIO' | 'ENOTTY' | 'EEXIST';

/** An error a port throws, shaped like Node's (`code` is the errno name). */
export class DeviceFileError extends Error {
  readonly code: DeviceErrno;
  readonly path: string;
  constructor(code: DeviceErrno, path: string, syscall: string) {
    super(`${code}: ${syscall} ${path}`);
    this.name = 'DeviceFileError';
    this.code = code;
    this.path = path;
  }
}

/** The real file system (node:fs/promises), one system call per operation. */
export function nodeFilePort(): FilePort {
  return {
    async open(path, mode) {
      const handle = await open(path, mode === 'r' ? 'r' : 'w');
      return {
        async read(max) {
          const buffer = new Uint8Array(max);
          const { bytesRead } = await handle.read(buffer, 0, max, null);
          return buffer.subarray(0, bytesRead);
        },
        async write(data) {
          const { bytesWritten } = await handle.write(data, 0, data.byteLength, null);
          return bytesWritten;
        },
        close: () => handle.close(),
      };
    },
    async mkdir(path) {
      await mkdir(path);
    },
    async rmdir(path) {
      await rmdir(path);
    },
    async exists(path) {
      try {
        await stat(path);
        return true;
      } catch {
        return false;
      }
    },
  };
}

/** Largest device file read in full (a TDX quote with its certification chain is ~8 KiB). */
export const MAX_DEVICE_FILE_BYTES = 1 << 20;
const READ_CHUNK = 64 * 1024;

/** Opens, reads to the end and closes. The device file must fit in `limit` bytes. */
export async function readDeviceFile(port: FilePort, path: string, limit = MAX_DEVICE_FILE_BYTES): Promise<Uint8Array> {
  const file = await guard(path, 'open', () => port.open(path, 'r'));
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const chunk = await guard(path, 'read', () => file.read(READ_CHUNK));
      if (chunk.byteLength === 0) break;
      total += chunk.byteLength;
      if (total > limit) throw new SecGearError(ErrorCode.TEE_DEVICE, `${path} is larger than ${limit} bytes; it is not the device file expected there`);
      chunks.push(chunk.slice());
    }
  } finally {
    await guard(path, 'close', () => file.close());
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

/** Opens, writes `data` in exactly one write(2), closes (where the device applies it). */
export async function writeDeviceFile(port: FilePort, path: string, data: Uint8Array): Promise<void> {
  const file = await guard(path, 'open', () => port.open(path, 'w'));
  let written: number;
  try {
    written = await guard(path, 'write', () => file.write(data));
  } catch (error) {
    await file.close().catch(() => undefined);
    throw error;
  }
  await guard(path, 'close', () => file.close());
  if (written !== data.byteLength) {
    throw new SecGearError(ErrorCode.TEE_DEVICE, `${path} accepted ${written} of ${data.byteLength} bytes in one write; the interface needs all of them at once`);
  }
}

/** Reads a small text attribute (`provider`, `generation`), without the trailing newline. */
export async function readDeviceText(port: FilePort, path: string): Promise<string> {
  return new TextDecoder().decode(await readDeviceFile(port, path, 4096)).replace(/\n$/, '');
}

/**
 * Runs one device operation, turning the errno it fails with into a SecGearError that says what
 * to do: EBUSY becomes CC_ERROR_TEE_DEVICE_BUSY (retry), the rest CC_ERROR_TEE_DEVICE.
 */
export async function guard<T>(path: string, syscall: string, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw toDeviceError(error, path, syscall);
  }
}

export function toDeviceError(error: unknown, path: string, syscall: string): unknown {
  if (error instanceof SecGearError) return error;
  const code = (error as { code?: unknown })?.code;
  const where = `${syscall} ${path}`;
  switch (code) {
    case 'EBUSY':
      return new SecGearError(ErrorCode.TEE_DEVICE_BUSY, `${where}: the device is busy (another request is using it); retry`, { cause: error });
    case 'ETIMEDOUT':
      return new SecGearError(ErrorCode.TIMEOUT, `${where}: the TEE did not answer in time (the quoting service may be down); retry later`, { cause: error });
    case 'EIO':
      return new SecGearError(ErrorCode.TEE_DEVICE, `${where}: the TEE failed the request (EIO); check the kernel log and the quoting service`, { cause: error });
    case 'ENOENT':
      return new SecGearError(ErrorCode.NOT_SUPPORTED, `${where}: not found; this machine does not offer this TEE interface`, { cause: error });
    case 'EACCES':
    case 'EPERM':
      return new SecGearError(ErrorCode.ACCESS_DENIED, `${where}: permission denied; run with access to the device, or use the evidence agent`, { cause: error });
    default:
      return new SecGearError(ErrorCode.TEE_DEVICE, `${where} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}
