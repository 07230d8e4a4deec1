import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: the nearest folder up from here whose package.json has workspaces. */
export const repoRoot: string = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && 'workspaces' in JSON.parse(readFileSync(pkg, 'utf8'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('repository root not found');
    dir = up;
  }
})();

/** `../shared/vectors` beside the checkout (CI has the same layout), or $SECGEAR_VECTORS. */
export const vectorsDir: string = process.env.SECGEAR_VECTORS ?? resolve(repoRoot, '..', 'shared', 'vectors');

export function vectorPath(relative: string): string {
  return join(vectorsDir, relative);
}

export function readVector(relative: string): Uint8Array {
  return new Uint8Array(readFileSync(vectorPath(relative)));
}
