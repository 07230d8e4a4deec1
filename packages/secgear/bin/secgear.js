#!/usr/bin/env node
// Stable entry for the `secgear` command: present before the TypeScript build, so npm can link it.
try {
  await import('../dist/src/cli/main.js');
} catch (error) {
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('/dist/src/cli/main.js')) {
    process.stderr.write('secgear: the package is not built yet; run `npm run build` at the repository root\n');
    process.exit(1);
  }
  throw error;
}
