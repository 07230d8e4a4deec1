/**
 * `createAttestationService`: one fastify instance with its own store, signing key, policy
 * cache and metrics registry, so two services in one process share nothing. JSON schemas on
 * every route validate input and produce the OpenAPI document (`/openapi.json`).
 * `close()` stops accepting connections, waits for requests in flight, then closes the store.
 */
import { randomBytes } from 'node:crypto';
import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { SecGearError } from 'secgear/errors';
import { adminGuard, digestAdminToken } from './admin-auth.js';
import { HttpError, type ServiceContext } from './context.js';
import { createMetrics } from './metrics.js';
import { checkOptions, type AttestationServiceOptions } from './options.js';
import { PolicyCache } from './policy/store.js';
import { attestationRoutes } from './routes/attestation.js';
import { metaRoutes } from './routes/meta.js';
import { policyRoutes } from './routes/policy.js';
import { resourceRoutes } from './routes/resource.js';
import { createSigningKey } from './signing.js';
import { PostgresStore } from './store/postgres.js';
import { SqliteStore } from './store/sqlite.js';
import type { Store } from './store/types.js';

export interface AttestationService {
  app: FastifyInstance;
  context: ServiceContext;
  /** Starts listening (default 127.0.0.1, a free port); returns the base URL. */
  listen(options?: { host?: string; port?: number }): Promise<string>;
  /** Graceful: waits for requests in flight, then closes the store. Idempotent. */
  close(): Promise<void>;
}

function openStore(option: AttestationServiceOptions['store']): Store {
  if (option === undefined) return new SqliteStore(':memory:');
  if ('sqlite' in option) return new SqliteStore(option.sqlite);
  if ('postgres' in option) return new PostgresStore(option.postgres);
  return option;
}

const STATUS_FOR_CODE: Record<string, number> = {
  CC_ERROR_BAD_PARAMETERS: 400,
  CC_ERROR_INVALID_POLICY: 400,
  CC_ERROR_INVALID_EVIDENCE: 400,
  CC_ERROR_UNKNOWN_EVIDENCE_FORMAT: 400,
};

export async function createAttestationService(options: AttestationServiceOptions = {}): Promise<AttestationService> {
  checkOptions(options);
  const store = openStore(options.store);
  await store.init();
  let app: FastifyInstance | undefined;
  try {
    const key = await createSigningKey(options.tokenAlgorithm ?? 'ES384', options.signingKeyPem);
    await store.put('signing-key', key.kid, key.publicJwk);
    const ctx: ServiceContext = {
      store,
      key,
      issuer: options.issuer ?? 'secgear-attestation',
      audience: options.audience,
      tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? 300,
      challengeLifetimeSeconds: options.challengeLifetimeSeconds ?? 60,
      challengeBytes: options.challengeBytes ?? 32,
      adminTokenDigests: (options.adminTokens ?? []).map(digestAdminToken),
      verifier: {
        trustAnchors: options.verifier?.trustAnchors ?? [],
        replaceBuiltInAnchors: options.verifier?.replaceBuiltInAnchors ?? false,
        collateral: options.verifier?.collateral ?? [],
        collateralFetcher: options.verifier?.collateralFetcher,
        allowSimulation: options.verifier?.allowSimulation ?? false,
      },
      clock: options.clock ?? (() => new Date()),
      randomBytes: options.randomBytes ?? ((n) => new Uint8Array(randomBytes(n))),
      metrics: createMetrics(),
    };
    const logger = options.logger === false ? false : (options.logger ?? pino({ level: 'info' }));
    app = Fastify({
      loggerInstance: logger === false ? undefined : logger,
      logger: logger === false ? false : undefined,
      bodyLimit: options.bodyLimit ?? 1024 * 1024,
    } as Parameters<typeof Fastify>[0]) as unknown as FastifyInstance;
    await app.register(cookie);
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: { title: 'secGear attestation service', version: '0.1.0', description: 'Verifies TEE evidence, appraises it with CEL policies and issues EAR tokens' },
        components: {
          securitySchemes: {
            adminToken: { type: 'http', scheme: 'bearer', description: 'an admin token from the service configuration' },
            attestationToken: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'a token from POST /attestation' },
          },
        },
      },
    });
    app.setErrorHandler((error: FastifyError | HttpError | SecGearError, request, reply) => {
      if (error instanceof HttpError) return reply.code(error.statusCode).send({ error: error.code, message: error.message });
      if (error instanceof SecGearError) {
        const status = STATUS_FOR_CODE[error.code] ?? 500;
        if (status === 500) request.log.error({ code: error.code, err: error.message }, 'request failed');
        return reply.code(status).send({ error: error.code, message: error.message });
      }
      const fe = error as FastifyError;
      if (fe.validation || (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500)) {
        return reply.code(fe.statusCode ?? 400).send({ error: 'CC_ERROR_BAD_PARAMETERS', message: fe.message });
      }
      request.log.error({ err: fe }, 'internal error');
      return reply.code(500).send({ error: 'CC_ERROR_GENERIC', message: 'internal error (see the service log)' });
    });
    app.addHook('onResponse', async (request, reply) => {
      ctx.metrics.httpRequests.inc({ method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) });
    });
    const policies = new PolicyCache();
    const admin = adminGuard(ctx);
    attestationRoutes(app, ctx, policies);
    policyRoutes(app, ctx, policies, admin);
    resourceRoutes(app, ctx, policies, admin);
    metaRoutes(app, ctx);
    await app.ready();
    const ready = app;
    let closing: Promise<void> | null = null;
    return {
      app: ready,
      context: ctx,
      async listen(o = {}) {
        return ready.listen({ host: o.host ?? '127.0.0.1', port: o.port ?? 0 });
      },
      close() {
        closing ??= (async () => {
          try {
            await ready.close();
          } finally {
            await store.close();
          }
        })();
        return closing;
      },
    };
  } catch (error) {
    await app?.close().catch(() => undefined);
    await store.close();
    throw error;
  }
}
