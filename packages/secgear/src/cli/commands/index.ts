import type { Command } from 'commander';
import { registerAgent } from './agent.js';
import { registerAs } from './as.js';
import { registerAttest } from './attest.js';
import { registerBuild } from './build.js';
import { registerCodegen } from './codegen.js';
import { registerGramine } from './gramine.js';
import { registerInspect } from './inspect.js';
import { registerKeygen } from './keygen.js';
import { registerP11 } from './p11.js';
import { registerVerify } from './verify.js';
import { registerVerifyEvidence } from './verify-evidence.js';

/** One line per command; each command lives in its own file next to this one. */
export function registerCommands(program: Command): void {
  registerKeygen(program);
  registerBuild(program);
  registerCodegen(program);
  registerInspect(program);
  registerVerify(program);
  registerVerifyEvidence(program);
  registerAttest(program);
  registerGramine(program);
  registerP11(program);
  registerAgent(program);
  registerAs(program);
}
