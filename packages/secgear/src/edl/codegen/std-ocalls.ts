/**
 * Host implementations of the standard library's ocalls (`stdlib.ts`), emitted into the
 * generated host file when the EDL imports them. An application may override any of them.
 */

interface StdImpl {
  /** Method source inside the `$stdOcalls` object literal. */
  code: string;
  /** Needs the protected-FS helpers and options. */
  pfs?: boolean;
}

export const STD_OCALL_IMPLS: Readonly<Record<string, StdImpl>> = {
  sg_ocall_print_string: {
    code: `sg_ocall_print_string(str: string): void {
      process.stdout.write(\`\${str}\\n\`);
    }`,
  },
  sg_ocall_time_ms: {
    code: `sg_ocall_time_ms(): bigint {
      return BigInt(Date.now());
    }`,
  },
  sg_ocall_sleep_ms: {
    code: `sg_ocall_sleep_ms(ms: number): Promise<void> {
      return new Promise((resolve) => setTimeout(resolve, Math.min(ms, 60_000)));
    }`,
  },
  sg_ocall_pfs_size: {
    pfs: true,
    code: `sg_ocall_pfs_size(name: string, size: EdlRef<bigint>): number {
      return $pfs(options, name, (path) => {
        size.value = BigInt(statSync(path).size);
      });
    }`,
  },
  sg_ocall_pfs_read: {
    pfs: true,
    code: `sg_ocall_pfs_read(name: string, buf: Uint8Array): number {
      return $pfs(options, name, (path) => {
        const data = readFileSync(path);
        if (data.length !== buf.length) throw Object.assign(new Error('size changed'), { code: 'EINVAL' });
        buf.set(data);
      });
    }`,
  },
  sg_ocall_pfs_write: {
    pfs: true,
    code: `sg_ocall_pfs_write(name: string, buf: Uint8Array): number {
      return $pfs(options, name, (path) => {
        mkdirSync(dirname(path), { recursive: true });
        // write then rename, so a crash never leaves half a file
        const tmp = \`\${path}.\${process.pid}.tmp\`;
        writeFileSync(tmp, buf);
        renameSync(tmp, path);
      });
    }`,
  },
  sg_ocall_pfs_remove: {
    pfs: true,
    code: `sg_ocall_pfs_remove(name: string): number {
      return $pfs(options, name, (path) => rmSync(path));
    }`,
  },
};

export const PFS_IMPORTS = [
  "import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';",
  "import { constants as $os } from 'node:os';",
  "import { dirname, join, resolve } from 'node:path';",
];

export const PFS_SUPPORT = `/** Options of the standard library's host ocalls. */
export interface StdOcallOptions {
  /** Where sg_ocall_pfs_* keep the enclave's files. Default: ./secgear-pfs */
  protectedFsDir?: string;
}

/** Runs a file operation on a name under the storage directory; 0 or an errno value. */
function $pfs(options: StdOcallOptions, name: string, op: (path: string) => void): number {
  const root = resolve(options.protectedFsDir ?? 'secgear-pfs');
  // plain relative names only: no absolute paths, no way out of the directory
  if (!/^[A-Za-z0-9._-]+(\\/[A-Za-z0-9._-]+)*$/.test(name) || name.split('/').some((s) => s === '.' || s === '..')) return $os.errno.EINVAL;
  try {
    op(join(root, name));
    return 0;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const errno = $os.errno as Record<string, number | undefined>;
    return (typeof code === 'string' ? errno[code] : undefined) ?? $os.errno.EIO;
  }
}`;
