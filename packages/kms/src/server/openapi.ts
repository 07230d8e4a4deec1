/**
 * The OpenAPI 3.0 document of the admin API, made from the same JSON schemas fastify uses to
 * validate those routes (collected as they are registered), so the two cannot drift.
 */
import type { FastifyInstance, RouteOptions } from 'fastify';

interface CollectedRoute {
  method: string;
  url: string;
  schema: Record<string, unknown>;
}

export function collectRoutes(app: FastifyInstance, prefix: string): CollectedRoute[] {
  const routes: CollectedRoute[] = [];
  app.addHook('onRoute', (route: RouteOptions) => {
    if (!route.url.startsWith(prefix) || !route.schema) return;
    for (const method of [route.method].flat()) {
      if (method === 'HEAD') continue;
      routes.push({ method: method.toLowerCase(), url: route.url, schema: route.schema as Record<string, unknown> });
    }
  });
  return routes;
}

export function openApiDocument(routes: CollectedRoute[], info: { title: string; version: string }): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const path = r.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const params = r.schema.params as { properties?: Record<string, unknown>; required?: string[] } | undefined;
    const operation: Record<string, unknown> = {
      summary: r.schema.summary,
      description: r.schema.description,
      tags: r.schema.tags,
      security: [{ adminToken: [] }],
      parameters: Object.entries(params?.properties ?? {}).map(([name, schema]) => ({ name, in: 'path', required: true, schema })),
      responses: Object.fromEntries(
        Object.entries((r.schema.response as Record<string, unknown>) ?? {}).map(([code, schema]) => [
          code,
          { description: (schema as { description?: string }).description ?? `HTTP ${code}`, content: { 'application/json': { schema } } },
        ]),
      ),
    };
    if (r.schema.body) operation.requestBody = { required: true, content: { 'application/json': { schema: r.schema.body } } };
    (paths[path] ??= {})[r.method] = operation;
  }
  return {
    openapi: '3.0.3',
    info,
    components: { securitySchemes: { adminToken: { type: 'http', scheme: 'bearer', description: 'the admin token of `secgear kms serve` (admin-token file in its data folder)' } } },
    paths,
  };
}
