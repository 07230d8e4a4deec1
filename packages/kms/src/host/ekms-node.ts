/**
 * One EKMS node: storage, the enclave pool, the service, the audit log, the HTTP server and
 * the timers, started together and stopped together (close() lets in-flight calls finish,
 * stores their audit records, then stops the enclaves and the database).
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import { pino, type Logger } from 'pino';
import { AuditLog, verifyAuditLog, type AuditReport } from '../audit/audit-log.js';
import { registerAdminRoutes } from '../server/admin-routes.js';
import { registerKmsRoutes } from '../server/kms-routes.js';
import { Metrics } from '../server/metrics.js';
import { KmsService } from '../service/kms-service.js';
import { KmsStore } from '../store/kms-store.js';
import { openSqlDriver } from '../store/sql-driver.js';
import '../store/sqlite-driver.js';
import '../store/postgres-driver.js';
import { buildKmsImage, type RecipientTrustOptions } from './enclave-image.js';
import { ensureSimRootCertificate } from 'secgear';
import { EnclavePool } from './enclave-pool.js';
import { FreshnessGuard } from './freshness-guard.js';
import { ClusterLink, type ClusterOptions } from './cluster-link.js';

const VERSION = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export interface EkmsOptions extends ClusterOptions {
  /** Node-local files: image signing key, admin token, node id, and the SQLite database by default. */
  dataDir: string;
  /** `sqlite:<file>` (default `sqlite:<dataDir>/ekms.db`) or `postgres://user@host:port/db`. */
  storage?: string;
  host?: string;
  /** 0: any free port. Default 8443... no TLS here: put EKMS behind TLS or on loopback. Default 0. */
  port?: number;
  region?: string;
  /** Enclaves serving requests. Default 2. */
  poolSize?: number;
  backend?: 'sim' | 'process';
  /** Simulated platform folder (sim/process backends). Default: the SDK's (~/.secgear/sim or SECGEAR_SIM_DIR). */
  platformDir?: string;
  /** pino level. Default info. */
  logLevel?: string;
  /** A logger of your own (tests pass a silent one). */
  logger?: Logger;
  clock?: () => number;
  /** How often deletion windows and rotations are checked. Default 60 s. */
  sweepIntervalMs?: number;
  nodeId?: string;
  /**
   * The enclave image signing key (PEM file; made when missing). Default
   * `<dataDir>/image-signing-key.pem`. Every node of a cluster runs images of one signer: a
   * joining enclave must have the serving enclave's signer, and nodes sharing one platform can
   * also unseal the root key the database holds sealed to it.
   */
  imageKey?: string;
  /**
   * What the enclave accepts as a Recipient's evidence (attested key release), compiled into
   * its image. With `allowSimulation`, this node's sim platform root is trusted too.
   */
  recipients?: RecipientTrustOptions;
}

export interface RunningEkms {
  url: string;
  port: number;
  adminToken: string;
  nodeId: string;
  /** The port this node serves joins on (joinPort set). */
  joinPort?: number;
  /** Where this node's root key came from: node (its sealed copy), join, database, new. */
  rootKeySource: string;
  service: KmsService;
  pool: EnclavePool;
  app: FastifyInstance;
  verifyAudit(): Promise<AuditReport>;
  close(): Promise<void>;
}

function persistentSecret(path: string, make: () => string): string {
  if (!existsSync(path)) {
    writeFileSync(path, make() + '\n', { mode: 0o600, flag: 'wx' });
    chmodSync(path, 0o600);
  }
  return readFileSync(path, 'utf8').trim();
}

export async function startEkms(options: EkmsOptions): Promise<RunningEkms> {
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const logger = options.logger ?? pino({ level: options.logLevel ?? 'info', redact: ['req.headers.authorization'] });
  const region = options.region ?? 'us-east-1';
  const nodeId = options.nodeId ?? persistentSecret(join(options.dataDir, 'node-id'), () => `node-${randomBytes(4).toString('hex')}`);
  const adminToken = persistentSecret(join(options.dataDir, 'admin-token'), () => randomBytes(24).toString('base64url'));
  const storage = options.storage ?? `sqlite:${join(options.dataDir, 'ekms.db')}`;

  const store = await KmsStore.open(await openSqlDriver(storage));
  const cleanups: Array<() => Promise<unknown>> = [() => store.close()];
  const cleanup = async () => {
    for (const step of cleanups.reverse()) await step().catch((err: unknown) => logger.error({ err }, 'shutdown step failed'));
  };
  try {
    const recipients = { ...options.recipients, anchors: [...(options.recipients?.anchors ?? [])] };
    if (recipients.allowSimulation) {
      recipients.anchors.push(ensureSimRootCertificate(options.platformDir));
    }
    const image = await buildKmsImage(options.imageKey ?? join(options.dataDir, 'image-signing-key.pem'), recipients);
    const cluster = await ClusterLink.open(options, options.platformDir);
    let rootKeySource = '';
    const pool = await EnclavePool.start({
      image,
      size: options.poolSize ?? 2,
      type: options.backend ?? 'sim',
      region,
      platformDir: options.platformDir,
      ocalls: cluster.ocalls,
      loadRoot: async (first) => {
        const loaded = await cluster.loadRoot(first, { dataDir: options.dataDir, store, region, log: (message) => logger.warn(message) });
        rootKeySource = loaded.source;
        return loaded;
      },
    });
    cleanups.push(() => pool.close());
    cleanups.push(() => cluster.close());
    const freshness = await FreshnessGuard.start({ pool, store, file: join(options.dataDir, `freshness-${nodeId}.json`), node: nodeId });
    // joins are served only by a node whose state passed the rollback check
    const joinPort = options.joinPort === undefined ? undefined : await cluster.serve(pool.primary, adminToken, options.joinHost ?? options.host ?? '127.0.0.1', options.joinPort);
    const audit = await AuditLog.open(store, nodeId, (head) => pool.auditSeal(head), freshness);
    const service = new KmsService({ store, pool, region, clock: options.clock, audit, onStateChange: () => freshness.advance() });
    const verifyAudit = () => verifyAuditLog(store, async (head, seal) => (await pool.auditSeal(head)) === seal);

    const metrics = new Metrics();
    metrics.gauge('ekms_enclave_pool_size', 'Enclaves serving requests on this node.', () => pool.size);
    metrics.gauge('process_resident_memory_bytes', 'Resident memory of the EKMS process.', () => process.memoryUsage.rss());
    const app: FastifyInstance = Fastify({ loggerInstance: logger as FastifyBaseLogger, logController: new LogController({ disableRequestLogging: true }), bodyLimit: 64 * 1024, return503OnClosing: true, forceCloseConnections: 'idle' });
    app.setErrorHandler((err: FastifyError, request, reply) => {
      const status = (err as { statusCode?: number }).statusCode ?? 500;
      if (status >= 500) request.log.error({ err }, 'request failed');
      const type = status === 413 ? 'ValidationException' : status === 415 ? 'SerializationException' : status >= 500 ? 'KMSInternalException' : 'ValidationException';
      reply.code(status >= 500 ? 500 : 400).header('x-amzn-errortype', type).send({ __type: type, message: status >= 500 ? 'internal error' : err.message });
    });
    // 503 when no enclave can serve (stopped members are being replaced)
    app.get('/healthz', async (_request, reply) => {
      const live = pool.live;
      return reply.code(live > 0 ? 200 : 503).send({ status: live === pool.size ? 'ok' : live > 0 ? 'degraded' : 'unavailable', node: nodeId, backend: pool.backend, poolSize: pool.size, poolLive: live, poolReplaced: pool.replaced, storage: store.dialect, ...(joinPort ? { joinPort } : {}) });
    });
    app.get('/metrics', async (_request, reply) => reply.header('content-type', 'text/plain; version=0.0.4').send(metrics.render()));
    registerKmsRoutes(app, service, metrics);
    await registerAdminRoutes(app, service, { token: adminToken, version: VERSION, verifyAudit });

    const sweep = async () => {
      try {
        const done = await service.sweep();
        if (done.deleted.length || done.rotated.length) logger.info(done, 'key maintenance');
      } catch (err) {
        logger.error({ err }, 'key maintenance failed');
      }
    };
    await sweep();
    const timer = setInterval(() => void sweep(), options.sweepIntervalMs ?? 60_000);
    timer.unref();

    await app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 0 });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const url = `http://${options.host ?? '127.0.0.1'}:${port}`;
    logger.info({ url, node: nodeId, storage: store.dialect, poolSize: pool.size, backend: pool.backend, rootKeySource, joinPort }, 'EKMS listening');
    let closing: Promise<void> | undefined;
    return {
      url, port, adminToken, nodeId, joinPort, rootKeySource, service, pool, app, verifyAudit,
      close() {
        closing ??= (async () => {
          clearInterval(timer);
          await app.close();
          await audit.drain();
          await freshness.flush().catch((err: unknown) => logger.error({ err }, 'the freshness file is behind'));
          await cleanup();
          logger.info('EKMS stopped');
        })();
        return closing;
      },
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}
