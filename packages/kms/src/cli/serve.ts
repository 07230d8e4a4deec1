/** `secgear kms serve`: runs an EKMS node until SIGTERM or SIGINT, then stops gracefully. */
import { createPublicKey, X509Certificate, type JsonWebKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { readSimulationRoot } from '../host/cluster-link.js';
import { startEkms, type RunningEkms } from '../host/ekms-node.js';

export interface ServeFlags {
  dataDir: string;
  storage?: string;
  host: string;
  port: string;
  region: string;
  poolSize: string;
  backend: 'sim' | 'process';
  logLevel: string;
  demo?: boolean;
  imageKey?: string;
  recipientAnchor: string[];
  allowSimRecipients?: boolean;
  recipientMaxAge: string;
  join?: string;
  joinTokenFile?: string;
  joinPort?: string;
  joinHost?: string;
  peerMeasurement: string[];
  acceptTcb: string[];
  trustSimRoot: string[];
}

/** An anchor file: a certificate (PEM or DER), or a public key (JWK JSON or PEM) for CCA CPAKs. */
function readAnchor(path: string): Uint8Array | JsonWebKey {
  try {
    const bytes = readFileSync(path);
    const text = bytes.toString('utf8').trim();
    if (text.startsWith('{')) return createPublicKey({ key: JSON.parse(text) as JsonWebKey, format: 'jwk' }).export({ format: 'jwk' });
    if (text.includes('-----BEGIN PUBLIC KEY-----')) return createPublicKey(text).export({ format: 'jwk' });
    return new Uint8Array(new X509Certificate(bytes).raw);
  } catch (error) {
    throw new Error(`--recipient-anchor ${path}: not a readable X.509 certificate or public key (${(error as Error).message})`);
  }
}

const collect = (value: string, previous: string[]) => [...previous, value];

export const DEFAULT_DATA_DIR = join(homedir(), '.secgear', 'kms');

function integer(value: string, name: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name} must be an integer from ${min} to ${max}`);
  return n;
}

/** The demo tenant and its credentials, made once and shown on every start (npm start). */
async function demoCredentials(node: RunningEkms): Promise<{ accessKeyId: string; secretAccessKey: string; account: string }> {
  const service = node.service;
  const existing = await service.store.getTenant('demo');
  if (existing) {
    // the secret of an existing access key cannot be shown again (it is stored wrapped): issue a fresh one
    return service.createAccessKey('demo', 'demo-user');
  }
  await service.createTenant('demo');
  return service.createAccessKey('demo', 'demo-user');
}

export function registerServe(kms: Command): void {
  kms
    .command('serve')
    .description('run an EKMS node (AWS KMS JSON API on POST /, admin API under /admin, /healthz, /metrics)')
    .option('--data-dir <dir>', 'node-local files: image signing key, admin token, SQLite database', process.env.EKMS_DATA_DIR ?? DEFAULT_DATA_DIR)
    .option('--storage <url>', 'sqlite:<file> (default: <data-dir>/ekms.db) or postgres://user@host:port/db for several nodes', process.env.EKMS_STORAGE)
    .option('--host <address>', 'listen address (no TLS here: keep it on loopback or put TLS in front)', '127.0.0.1')
    .option('--port <port>', 'listen port (0: any free port)', process.env.EKMS_PORT ?? '4599')
    .option('--region <region>', 'region in ARNs and the SigV4 scope', 'us-east-1')
    .option('--pool-size <n>', 'enclaves serving requests', '2')
    .option('--backend <type>', 'enclave backend: sim or process', 'sim')
    .option('--log-level <level>', 'pino log level', 'info')
    .option('--image-key <file>', 'enclave image signing key (default <data-dir>/image-signing-key.pem; nodes of one cluster share it)')
    .option('--recipient-anchor <file>', 'trust anchor for Recipient evidence besides the built-in Intel/AMD/AWS roots: a certificate (PEM/DER) or a public key (JWK/PEM, CCA CPAK); repeatable', (v: string, all: string[]) => [...all, v], [] as string[])
    .option('--allow-sim-recipients', 'accept simulated Recipient evidence from this machine\'s sim platform (never in production)')
    .option('--recipient-max-age <seconds>', 'how old Recipient evidence may be', '300')
    .option('--join <url>', "join a cluster through an existing node: its URL (http://host:port, when it serves joins) or ratls://host:port; the root key comes enclave to enclave over mutual RA-TLS")
    .option('--join-token-file <file>', 'the admin token of the node joined (its <data-dir>/admin-token); or set EKMS_JOIN_TOKEN')
    .option('--join-port <port>', 'serve joins of new nodes on this port (0: any free port; shown in /healthz)')
    .option('--join-host <address>', 'listen address of the join port (default: --host; RA-TLS, so 0.0.0.0 is fine)')
    .option('--peer-measurement <hex>', 'accept joins to and from enclaves with this measurement too (same signer always required; repeatable)', collect, [])
    .option('--accept-tcb <status>', 'accept peers with this TCB status besides UpToDate (repeatable)', collect, [])
    .option('--trust-sim-root <file>', 'sim/process backends: trust this other platform\'s simulation root (PEM or DER; repeatable)', collect, [])
    .option('--demo', 'make a demo tenant and print credentials for the AWS CLI/SDK')
    .action(async (flags: ServeFlags) => {
      const node = await startEkms({
        dataDir: flags.dataDir,
        storage: flags.storage,
        host: flags.host,
        port: integer(flags.port, 'port', 0, 65535),
        region: flags.region,
        poolSize: integer(flags.poolSize, 'pool-size', 1, 16),
        backend: flags.backend,
        logLevel: flags.logLevel,
        imageKey: flags.imageKey,
        recipients: {
          anchors: flags.recipientAnchor.map(readAnchor),
          allowSimulation: flags.allowSimRecipients === true,
          maxAgeSeconds: integer(flags.recipientMaxAge, 'recipient-max-age', 1, 86400),
        },
        join: flags.join,
        joinToken: flags.joinTokenFile ? readFileSync(flags.joinTokenFile, 'utf8').trim() : process.env.EKMS_JOIN_TOKEN,
        joinPort: flags.joinPort === undefined ? undefined : integer(flags.joinPort, 'join-port', 0, 65535),
        joinHost: flags.joinHost,
        peerMeasurements: flags.peerMeasurement,
        acceptTcbStatuses: flags.acceptTcb,
        simulationRoots: flags.trustSimRoot.map(readSimulationRoot),
      });
      process.stderr.write(
        `EKMS ${node.url} (node ${node.nodeId}, ${node.pool.size} enclave(s), ${node.service.store.dialect}, root key from ${node.rootKeySource}${node.joinPort ? `, joins on port ${node.joinPort}` : ''}); admin token in ${join(flags.dataDir, 'admin-token')}\n`,
      );
      if (flags.demo) {
        const demo = await demoCredentials(node);
        process.stdout.write(
          [
            '',
            'EKMS is up with a demo tenant. Use it from the AWS CLI or any AWS SDK:',
            `  export AWS_ACCESS_KEY_ID=${demo.accessKeyId}`,
            `  export AWS_SECRET_ACCESS_KEY=${demo.secretAccessKey}`,
            `  export AWS_REGION=${flags.region}`,
            `  aws kms create-key --endpoint-url ${node.url}`,
            `  (SDK: new KMSClient({ endpoint: '${node.url}' }))`,
            'Ctrl-C stops it.',
            '',
          ].join('\n'),
        );
      }
      await new Promise<void>((resolve) => {
        const stop = (signal: string) => {
          process.stderr.write(`${signal}: stopping (in-flight calls finish first)\n`);
          void node.close().then(resolve);
        };
        process.once('SIGTERM', () => stop('SIGTERM'));
        process.once('SIGINT', () => stop('SIGINT'));
      });
    });
}
