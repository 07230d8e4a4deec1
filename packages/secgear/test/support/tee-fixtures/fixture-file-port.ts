/**
 * An in-memory FilePort whose files behave like device attributes: a file's content is produced
 * when it is opened (`load`, like Gramine's pseudo-files and sysfs), and what is written is
 * applied when it is closed (`save`, like configfs and Gramine). Faults (errno) can be injected
 * per path pattern and operation, a given number of times.
 */
import { DeviceFileError, type DeviceErrno, type DeviceFile, type FilePort } from '../../../src/backends/tee-files/file-port.js';

export interface FixtureNode {
  /** Called at open for reading: the bytes this open will read. */
  load?(): Uint8Array;
  /** Called at close with everything written since open. */
  save?(data: Uint8Array): void;
}

export type FixtureOp = 'open' | 'read' | 'write' | 'close' | 'mkdir' | 'rmdir';

interface Fault {
  path: RegExp;
  op: FixtureOp;
  errno: DeviceErrno;
  times: number;
}

export class FixtureFilePort implements FilePort {
  private readonly files = new Map<string, FixtureNode>();
  private readonly dirs = new Set<string>();
  private readonly mkdirHooks = new Map<string, (path: string) => void>();
  private readonly faults: Fault[] = [];
  /** Every operation, in order (`op path`), for tests that check the exact sequence. */
  readonly trace: string[] = [];
  /** Largest single read the fixture returns (devices return data in pieces too). */
  readChunk = 4096;

  addFile(path: string, node: FixtureNode): void {
    this.addDir(parent(path));
    this.files.set(path, node);
  }

  removeFile(path: string): void {
    this.files.delete(path);
  }

  addDir(path: string): void {
    for (let p = path; p && p !== '/'; p = parent(p)) this.dirs.add(p);
  }

  /** mkdir directly under `dir` runs `hook` (configfs creates the entry's attributes). */
  onMkdir(dir: string, hook: (path: string) => void): void {
    this.addDir(dir);
    this.mkdirHooks.set(dir, hook);
  }

  /** The next `times` `op` on paths matching `path` fail with `errno`. */
  inject(path: RegExp, op: FixtureOp, errno: DeviceErrno, times = 1): void {
    this.faults.push({ path, op, errno, times });
  }

  private check(op: FixtureOp, path: string): void {
    this.trace.push(`${op} ${path}`);
    const fault = this.faults.find((f) => f.op === op && f.times > 0 && f.path.test(path));
    if (fault) {
      fault.times--;
      throw new DeviceFileError(fault.errno, path, op);
    }
  }

  async open(path: string, mode: 'r' | 'w'): Promise<DeviceFile> {
    this.check('open', path);
    const node = this.files.get(path);
    if (!node) throw new DeviceFileError(this.dirs.has(path) ? 'EINVAL' : 'ENOENT', path, 'open');
    if (mode === 'r' && !node.load) throw new DeviceFileError('EACCES', path, 'open');
    if (mode === 'w' && !node.save) throw new DeviceFileError('EACCES', path, 'open');
    const content = mode === 'r' ? node.load!() : new Uint8Array(0);
    let position = 0;
    const written: Uint8Array[] = [];
    let closed = false;
    return {
      read: async (max) => {
        this.check('read', path);
        if (closed) throw new DeviceFileError('EINVAL', path, 'read');
        const n = Math.min(max, this.readChunk, content.byteLength - position);
        const out = content.slice(position, position + n);
        position += n;
        return out;
      },
      write: async (data) => {
        this.check('write', path);
        if (closed || mode !== 'w') throw new DeviceFileError('EINVAL', path, 'write');
        written.push(data.slice());
        return data.byteLength;
      },
      close: async () => {
        if (closed) throw new DeviceFileError('EINVAL', path, 'close');
        closed = true;
        this.check('close', path);
        if (mode === 'w') node.save!(concat(written));
      },
    };
  }

  async mkdir(path: string): Promise<void> {
    this.check('mkdir', path);
    if (this.dirs.has(path) || this.files.has(path)) throw new DeviceFileError('EEXIST', path, 'mkdir');
    const hook = this.mkdirHooks.get(parent(path));
    if (!hook) throw new DeviceFileError(this.dirs.has(parent(path)) ? 'EPERM' : 'ENOENT', path, 'mkdir');
    this.dirs.add(path);
    hook(path);
  }

  async rmdir(path: string): Promise<void> {
    this.check('rmdir', path);
    if (!this.dirs.has(path)) throw new DeviceFileError('ENOENT', path, 'rmdir');
    for (const file of [...this.files.keys()]) if (file.startsWith(`${path}/`)) this.files.delete(file);
    this.dirs.delete(path);
  }

  async exists(path: string): Promise<boolean> {
    return this.files.has(path) || this.dirs.has(path);
  }

  /** Entries currently under `dir` (to check that requests clean up after themselves). */
  entries(dir: string): string[] {
    return [...this.dirs].filter((d) => parent(d) === dir);
  }
}

function parent(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.byteLength;
  }
  return out;
}
