/**
 * `secgear as ...`: the attestation service's commands. The base `secgear` CLI loads this module
 * only when `as` is asked for (a dynamic import), so the base package never depends on the
 * service package; this package owns its options and parses its own arguments.
 *
 *   secgear as serve [options]                     run the service (SIGINT/SIGTERM: graceful stop)
 *   secgear as policy set|get|list|delete ...      manage attestation policies over the API
 *   secgear as reference set|list|delete ...       manage reference values over the API
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { pino } from 'pino';
import { CachingFetcher, IntelPcsFetcher, loadCollateral, loadTrustAnchors } from 'secgear/attest';
import { SecGearError } from 'secgear/errors';
import { createAttestationService } from '../service.js';
import type { TokenAlgorithm } from '../signing.js';

const collect = (value: string, previous: string[]) => [...previous, value];
const int = (name: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be a whole number`);
  return n;
};

function adminToken(opts: { adminToken?: string; adminTokenFile?: string }): string {
  const token = opts.adminTokenFile ? readFileSync(opts.adminTokenFile, 'utf8').trim() : (opts.adminToken ?? process.env.SECGEAR_AS_ADMIN_TOKEN);
  if (!token) throw new SecGearError('CC_ERROR_BAD_PARAMETERS', 'pass the admin token: --admin-token-file <file> or $SECGEAR_AS_ADMIN_TOKEN');
  return token;
}

interface ClientOptions {
  url: string;
  adminToken?: string;
  adminTokenFile?: string;
  json?: boolean;
}

async function call(opts: ClientOptions, method: string, path: string, body?: unknown): Promise<string> {
  const response = await fetch(new URL(path, opts.url), {
    method,
    headers: { authorization: `Bearer ${adminToken(opts)}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new SecGearError('CC_ERROR_ACCESS_DENIED', `${method} ${path}: HTTP ${response.status}: ${text}`);
  return text;
}

function client(command: Command): Command {
  return command
    .requiredOption('--url <url>', 'the service base URL, e.g. http://127.0.0.1:8080')
    .option('--admin-token-file <file>', 'file holding the admin token (default $SECGEAR_AS_ADMIN_TOKEN)');
}

function serveCommand(): Command {
  return new Command('serve')
    .description('run the attestation service')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port (0: a free one)', int('--port'), 8080)
    .option('--db <file>', 'SQLite database file (default: in memory, lost at exit)')
    .option('--postgres <url>', 'PostgreSQL connection string, for several nodes sharing one database')
    .option('--issuer <iss>', 'token issuer', 'secgear-attestation')
    .option('--audience <aud>', 'token audience')
    .option('--alg <alg>', 'token signature algorithm: ES384 or PS256', 'ES384')
    .option('--signing-key <pem>', 'PKCS#8 PEM file of the token key (default: a fresh key per start)')
    .option('--token-lifetime <seconds>', 'token lifetime', int('--token-lifetime'), 300)
    .option('--admin-token-file <file>', 'file with one admin bearer token per line (default $SECGEAR_AS_ADMIN_TOKEN)')
    .option('--anchors <path>', 'extra trust anchors (sim roots included), file or folder (repeatable)', collect, [])
    .option('--collateral <path>', 'offline collateral, file or folder (repeatable)', collect, [])
    .option('--pccs <url>', 'fetch SGX/TDX collateral from this PCS/PCCS (cached)')
    .option('--allow-sim', 'accept simulated evidence (development only)')
    .option('--log-level <level>', 'pino log level', 'info')
    .action(async (opts) => {
      const tokens = opts.adminTokenFile
        ? readFileSync(opts.adminTokenFile, 'utf8').split('\n').map((l: string) => l.trim()).filter(Boolean)
        : process.env.SECGEAR_AS_ADMIN_TOKEN
          ? [process.env.SECGEAR_AS_ADMIN_TOKEN]
          : [];
      const anchors = await loadTrustAnchors(opts.anchors);
      const collateral = await loadCollateral(opts.collateral);
      for (const s of [...anchors.skipped, ...collateral.skipped]) process.stderr.write(`secgear as: skipped ${s.path}: ${s.reason}\n`);
      const logger = pino({ level: opts.logLevel });
      const service = await createAttestationService({
        store: opts.postgres ? { postgres: opts.postgres } : { sqlite: opts.db ?? ':memory:' },
        issuer: opts.issuer,
        audience: opts.audience,
        tokenAlgorithm: opts.alg as TokenAlgorithm,
        signingKeyPem: opts.signingKey ? readFileSync(opts.signingKey, 'utf8') : undefined,
        tokenLifetimeSeconds: opts.tokenLifetime,
        adminTokens: tokens,
        verifier: {
          trustAnchors: anchors.anchors,
          collateral: collateral.items,
          collateralFetcher: opts.pccs ? new CachingFetcher(new IntelPcsFetcher({ baseUrl: opts.pccs })) : undefined,
          allowSimulation: opts.allowSim ?? false,
        },
        logger,
      });
      if (tokens.length === 0) logger.warn('no admin token configured: every admin endpoint refuses (set --admin-token-file)');
      const url = await service.listen({ host: opts.host, port: opts.port });
      process.stdout.write(`listening on ${url}\n`);
      await new Promise<void>((resolve) => {
        const stop = (signal: string) => {
          logger.info({ signal }, 'stopping: finishing requests in flight');
          service.close().then(resolve, (error) => {
            logger.error({ err: error }, 'error while stopping');
            resolve();
          });
        };
        process.once('SIGINT', () => stop('SIGINT'));
        process.once('SIGTERM', () => stop('SIGTERM'));
      });
    });
}

function policyCommand(): Command {
  const policy = new Command('policy').description('attestation policies (CEL over claims, ref, tee, format, verifier_status)');
  client(policy.command('set').argument('<id>'))
    .requiredOption('--tee <tee>', 'sim, sgx, tdx, sev-snp, nitro, cca, virtcca or *')
    .option('--expr <cel>', 'the expression')
    .option('--file <file>', 'or a file holding it')
    .option('--default', "make it the TEE's default policy")
    .action(async (id: string, opts) => {
      const expression = opts.file ? readFileSync(opts.file, 'utf8') : opts.expr;
      if (!expression) throw new SecGearError('CC_ERROR_BAD_PARAMETERS', 'pass --expr <cel> or --file <file>');
      process.stdout.write(`${await call(opts, 'POST', '/policy', { id, tee: opts.tee, policy: expression, default: opts.default ?? false })}\n`);
    });
  client(policy.command('get').argument('<id>')).action(async (id: string, opts) => {
    process.stdout.write(`${await call(opts, 'GET', `/policy?policy_id=${encodeURIComponent(id)}`)}\n`);
  });
  client(policy.command('list')).action(async (opts) => {
    process.stdout.write(`${await call(opts, 'GET', '/policy')}\n`);
  });
  client(policy.command('delete').argument('<id>')).action(async (id: string, opts) => {
    process.stdout.write(`${await call(opts, 'DELETE', `/policy?policy_id=${encodeURIComponent(id)}`)}\n`);
  });
  return policy;
}

function referenceCommand(): Command {
  const reference = new Command('reference').description('reference values (measurements, RTMRs, PCRs, components) with provenance and expiry');
  client(reference.command('set').argument('<name>').argument('<values...>'))
    .option('--tee <tee>', 'only for evidence of this TEE')
    .option('--provenance <text>', 'where the values come from', 'cli')
    .option('--expires <time>', 'ISO 8601 time after which they no longer count')
    .action(async (name: string, values: string[], opts) => {
      const body = { references: [{ name, values, tee: opts.tee ?? null, provenance: opts.provenance, expires_at: opts.expires ?? null }] };
      process.stdout.write(`${await call(opts, 'POST', '/reference', body)}\n`);
    });
  client(reference.command('list')).action(async (opts) => {
    process.stdout.write(`${await call(opts, 'GET', '/reference')}\n`);
  });
  client(reference.command('delete').argument('<name>')).action(async (name: string, opts) => {
    process.stdout.write(`${await call(opts, 'DELETE', `/reference?name=${encodeURIComponent(name)}`)}\n`);
  });
  return reference;
}

/** Runs `secgear as <args>`; resolves to the exit code. */
export async function runServiceCli(args: string[]): Promise<number> {
  const program = new Command('secgear as')
    .description('the attestation service: serve, and manage its policies and reference values')
    .exitOverride()
    .showHelpAfterError();
  program.addCommand(serveCommand());
  program.addCommand(policyCommand());
  program.addCommand(referenceCommand());
  for (const c of program.commands) {
    c.exitOverride();
    for (const sub of c.commands) sub.exitOverride();
  }
  try {
    await program.parseAsync(args, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 1;
    throw error;
  }
}
