import type { FastifyInstance } from 'fastify';
import type { JWK } from 'jose';
import type { ServiceContext } from '../context.js';

/** Public, unauthenticated: the token keys, liveness, metrics and the OpenAPI document. */
export function metaRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  app.get(
    '/.well-known/jwks.json',
    {
      schema: {
        summary: 'The public keys tokens are signed with (every node of a shared database)',
        tags: ['tokens'],
        response: { 200: { type: 'object', properties: { keys: { type: 'array', items: { type: 'object', additionalProperties: true } } } } },
      },
    },
    async (_request, reply) => {
      reply.header('cache-control', 'public, max-age=300');
      return { keys: (await ctx.store.list<JWK>('signing-key')).map((r) => r.value) };
    },
  );

  app.get('/healthz', { schema: { summary: 'Liveness and store reachability', tags: ['operations'] } }, async (_request, reply) => {
    try {
      await ctx.store.get('signing-key', ctx.key.kid);
      return { status: 'ok' };
    } catch {
      reply.code(503);
      return { status: 'unavailable', reason: 'the store does not answer' };
    }
  });

  app.get('/metrics', { schema: { summary: 'Prometheus metrics of this instance', tags: ['operations'] } }, async (_request, reply) => {
    reply.type(ctx.metrics.registry.contentType);
    return ctx.metrics.registry.metrics();
  });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
