/**
 * The admin API (tenants, access keys, audit verification) under /admin, for the operator:
 * a bearer token (made on first start, 0600 in the data folder) guards it. Every route has a
 * JSON schema; the same schemas make GET /admin/openapi.json.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyError, FastifyInstance } from 'fastify';
import { KmsError } from '../common/kms-error.js';
import type { KmsService } from '../service/kms-service.js';
import { collectRoutes, openApiDocument } from './openapi.js';

const error = { type: 'object', description: 'refused', properties: { __type: { type: 'string' }, message: { type: 'string' } } };
const tenant = { type: 'object', properties: { account: { type: 'string' }, name: { type: 'string' }, created: { type: 'number', description: 'epoch seconds' } } };
const accessKey = {
  type: 'object',
  properties: { accessKeyId: { type: 'string' }, account: { type: 'string' }, principal: { type: 'string' }, created: { type: 'number' }, revoked: { type: ['number', 'null'] } },
};

export interface AdminOptions {
  token: string;
  version: string;
  verifyAudit: () => Promise<unknown>;
}

export async function registerAdminRoutes(app: FastifyInstance, service: KmsService, options: AdminOptions): Promise<void> {
  const expected = createHash('sha256').update(options.token).digest();
  await app.register(async (admin) => {
    const routes = collectRoutes(admin, '/admin');
    admin.addHook('onRequest', async (request, reply) => {
      if (request.url === '/admin/openapi.json') return;
      const header = request.headers.authorization ?? '';
      const given = createHash('sha256').update(header.startsWith('Bearer ') ? header.slice(7) : '').digest();
      if (!timingSafeEqual(given, expected)) {
        reply.code(401).send({ __type: 'UnauthorizedException', message: 'send the admin token as "Authorization: Bearer <token>"' });
      }
    });
    admin.setErrorHandler((err: FastifyError, _request, reply) => {
      if (err instanceof KmsError) return reply.code(err.type === 'NotFoundException' ? 404 : err.type === 'AlreadyExistsException' ? 409 : 400).send({ __type: err.type, message: err.message });
      const status = (err as { statusCode?: number }).statusCode ?? 500;
      if (status >= 500) _request.log.error({ err }, 'admin call failed');
      return reply.code(status).send({ __type: status >= 500 ? 'InternalException' : 'ValidationException', message: status >= 500 ? 'internal error' : err.message });
    });

    admin.get('/admin/openapi.json', { schema: { hide: true } as Record<string, unknown> }, async () =>
      openApiDocument(routes, { title: 'EKMS admin API', version: options.version }),
    );
    admin.post('/admin/tenants', {
      schema: {
        summary: 'Create a tenant (an account with its own keys)',
        tags: ['tenants'],
        body: { type: 'object', required: ['name'], additionalProperties: false, properties: { name: { type: 'string', minLength: 1, maxLength: 64 } } },
        response: { 201: tenant, 400: error, 409: error },
      },
      handler: async (request, reply) => {
        const row = await service.createTenant((request.body as { name: string }).name);
        return reply.code(201).send({ ...row, created: row.created / 1000 });
      },
    });
    admin.get('/admin/tenants', {
      schema: { summary: 'List tenants', tags: ['tenants'], response: { 200: { type: 'object', properties: { tenants: { type: 'array', items: tenant } } } } },
      handler: async () => ({ tenants: (await service.store.listTenants()).map((t) => ({ ...t, created: t.created / 1000 })) }),
    });
    admin.post('/admin/tenants/:tenant/access-keys', {
      schema: {
        summary: 'Issue an access key for a tenant; the secret is shown only in this answer',
        tags: ['access keys'],
        params: { type: 'object', required: ['tenant'], properties: { tenant: { type: 'string', maxLength: 64 } } },
        body: { type: 'object', additionalProperties: false, properties: { user: { type: 'string', minLength: 1, maxLength: 64 } } },
        response: {
          201: { type: 'object', properties: { accessKeyId: { type: 'string' }, secretAccessKey: { type: 'string' }, account: { type: 'string' }, principal: { type: 'string' } } },
          404: error,
        },
      },
      handler: async (request, reply) => {
        const { tenant: name } = request.params as { tenant: string };
        const body = (request.body ?? {}) as { user?: string };
        return reply.code(201).send(await service.createAccessKey(name, body.user));
      },
    });
    admin.get('/admin/tenants/:tenant/access-keys', {
      schema: {
        summary: "List a tenant's access keys (never their secrets)",
        tags: ['access keys'],
        params: { type: 'object', required: ['tenant'], properties: { tenant: { type: 'string', maxLength: 64 } } },
        response: { 200: { type: 'object', properties: { accessKeys: { type: 'array', items: accessKey } } }, 404: error },
      },
      handler: async (request) => {
        const row = await service.store.getTenant((request.params as { tenant: string }).tenant);
        if (!row) throw new KmsError('NotFoundException', 'no such tenant');
        const keys = await service.store.listAccessKeys(row.account);
        return { accessKeys: keys.map((k) => ({ accessKeyId: k.access_key_id, account: k.account, principal: k.principal, created: k.created / 1000, revoked: k.revoked === null ? null : k.revoked / 1000 })) };
      },
    });
    admin.delete('/admin/access-keys/:accessKeyId', {
      schema: {
        summary: 'Revoke an access key: requests signed with it are refused from now on',
        tags: ['access keys'],
        params: { type: 'object', required: ['accessKeyId'], properties: { accessKeyId: { type: 'string', maxLength: 128 } } },
        response: { 200: { type: 'object', properties: { revoked: { type: 'string' } } }, 404: error },
      },
      handler: async (request) => {
        const { accessKeyId } = request.params as { accessKeyId: string };
        await service.revokeAccessKey(accessKeyId);
        return { revoked: accessKeyId };
      },
    });
    admin.get('/admin/audit/verify', {
      schema: {
        summary: 'Verify the audit log: hash chain and enclave seals of every node',
        tags: ['audit'],
        response: {
          200: {
            type: 'object',
            properties: {
              ok: { type: 'boolean' }, records: { type: 'number' }, nodes: { type: 'array', items: { type: 'string' } },
              problems: { type: 'array', items: { type: 'object', properties: { node: { type: 'string' }, seq: { type: 'number' }, problem: { type: 'string' } } } },
            },
          },
        },
      },
      handler: async () => options.verifyAudit(),
    });
  });
}
