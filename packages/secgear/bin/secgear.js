#!/usr/bin/env node
// Stable entry for the `secgear` command: present before the TypeScript build, so npm can link it.
import '../dist/src/cli/main.js';
