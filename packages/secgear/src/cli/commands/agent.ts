import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { decodeJwt } from 'jose';
import { AttestationAgent } from '../../agent/agent.js';
import { TokenVerifier } from '../../agent/token-verifier.js';
import { ErrorCode, SecGearError } from '../../common/errors.js';
import { defaultBuiltinOcalls } from '../../host/builtin-ocalls.js';
import { createEnclave } from '../../host/create-enclave.js';
import { loadImage } from '../../image/verify-image.js';
import type { Ear } from '../../attest/ear.js';
import { earOverallStatus } from '../../attest/ear.js';

interface Options {
  service: string;
  type: string;
  policy: string[];
  output?: string;
  issuer?: string;
  simDir?: string;
  debug?: boolean;
  json?: boolean;
}

/**
 * `secgear agent`: starts an enclave, attests it to an attestation service (challenge →
 * evidence bound to it → token) and writes the token. With --issuer the token is also checked
 * as a relying party would (JWKS, issuer, lifetime) before it is written. Exit 2 when the
 * appraisal is not affirming.
 */
export function registerAgent(program: Command): void {
  program
    .command('agent')
    .description('attest an enclave to an attestation service and write the token (EAR in a JWT); exit 2 when not affirming')
    .argument('<image>', '.sgimg file')
    .requiredOption('--service <url>', 'the attestation service base URL')
    .option('--type <backend>', 'enclave backend: sim, process or auto', 'sim')
    .option('--policy <id>', 'policy id to appraise with (repeatable; default: the service\'s defaults)', (v: string, p: string[]) => [...p, v], [])
    .option('-o, --output <file>', 'write the token here (default: stdout)')
    .option('--issuer <iss>', 'verify the token against the service JWKS with this issuer before writing it')
    .option('--sim-dir <dir>', 'simulated platform state folder')
    .option('--debug', 'allow starting a debug image')
    .option('--json', 'print the EAR claims as JSON')
    .action(async (image: string, opts: Options) => {
      const { manifest } = await loadImage(image);
      const refuse = (name: string) => () => {
        throw new SecGearError(ErrorCode.OCALL_FAILED, `ocall "${name}" has no implementation under secgear agent`);
      };
      const ocalls = Object.fromEntries(manifest.ocalls.filter((o) => !defaultBuiltinOcalls.has(o.name)).map((o) => [o.name, refuse(o.name)]));
      const enclave = await createEnclave(image, { type: opts.type, ocalls, debug: opts.debug ?? false, platform: opts.simDir ? { stateDir: opts.simDir } : {} });
      const agent = new AttestationAgent({
        serviceUrl: opts.service,
        evidence: (nonce) => enclave.getEvidence({ nonce }),
        policyIds: opts.policy.length > 0 ? opts.policy : undefined,
      });
      let token: string;
      try {
        token = await agent.getToken();
      } finally {
        agent.close();
        await enclave.destroy();
      }
      const ear = (opts.issuer
        ? await new TokenVerifier({ jwksUrl: new URL('.well-known/jwks.json', opts.service.endsWith('/') ? opts.service : `${opts.service}/`), issuer: opts.issuer }).verify(token, { minimumStatus: 'contraindicated' })
        : decodeJwt(token)) as unknown as Ear;
      const status = earOverallStatus(ear);
      if (opts.output) writeFileSync(opts.output, `${token}\n`, { mode: 0o600 });
      if (opts.json) process.stdout.write(`${JSON.stringify(ear, null, 2)}\n`);
      else if (!opts.output) process.stdout.write(`${token}\n`);
      process.stderr.write(`secgear agent: ${status}${opts.output ? `, token written to ${opts.output}` : ''}\n`);
      process.exitCode = status === 'affirming' ? 0 : 2;
    });
}
