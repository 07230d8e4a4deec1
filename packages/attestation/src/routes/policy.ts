/**
 * Admin: attestation policies (`POST|GET /policy`, secGear's shapes plus `default`) and
 * reference values (`POST|GET|DELETE /reference`). secGear's `{ refs: "<JSON>" }` body is
 * accepted (a JSON object of name → value or values); so is `{ references: [...] }` with
 * tee, provenance and expiry per name.
 */
import type { FastifyInstance, preHandlerAsyncHookHandler } from 'fastify';
import { HttpError, type ServiceContext } from '../context.js';
import {
  ATTESTATION_POLICY_VARIABLES,
  checkReference,
  ID_PATTERN,
  TEES,
  type PolicyCache,
  type PolicyRecord,
  type ReferenceRecord,
} from '../policy/store.js';

const MAX_REFERENCES_PER_CALL = 1000;

export function policyRoutes(app: FastifyInstance, ctx: ServiceContext, policies: PolicyCache, admin: preHandlerAsyncHookHandler): void {
  const security = [{ adminToken: [] }];

  app.post(
    '/policy',
    {
      preHandler: admin,
      schema: {
        summary: 'Set an attestation policy (a CEL expression over claims and ref)',
        tags: ['admin'],
        security,
        body: {
          type: 'object',
          required: ['tee', 'id', 'policy'],
          properties: {
            tee: { type: 'string', enum: [...TEES] },
            id: { type: 'string', pattern: ID_PATTERN.source },
            policy: { type: 'string', minLength: 1, maxLength: 4096 },
            default: { type: 'boolean' },
          },
        },
      },
    },
    async (request) => {
      const body = request.body as { tee: PolicyRecord['tee']; id: string; policy: string; default?: boolean };
      if (body.id === 'default') throw new HttpError(400, 'CC_ERROR_BAD_PARAMETERS', 'the id "default" names the built-in policy; choose another id');
      // compile now, so a broken policy is refused here and not at the first attestation
      policies.get(body.policy, ATTESTATION_POLICY_VARIABLES);
      const record: PolicyRecord = { id: body.id, tee: body.tee, expression: body.policy, isDefault: body.default ?? false, updatedAt: ctx.clock().toISOString() };
      await ctx.store.put('policy', body.id, record);
      request.log.info({ policy: body.id, tee: body.tee, default: record.isDefault }, 'policy set');
      return 'set policy success';
    },
  );

  app.get(
    '/policy',
    {
      preHandler: admin,
      schema: {
        summary: 'One policy\'s expression (policy_id), or every policy',
        tags: ['admin'],
        security,
        querystring: { type: 'object', properties: { policy_id: { type: 'string', maxLength: 128 } } },
      },
    },
    async (request, reply) => {
      const id = (request.query as { policy_id?: string }).policy_id;
      if (id === undefined) return (await ctx.store.list<PolicyRecord>('policy')).map((r) => r.value);
      const record = await ctx.store.get<PolicyRecord>('policy', id);
      if (!record) throw new HttpError(404, 'CC_ERROR_BAD_PARAMETERS', `no policy "${id}"`);
      reply.type('text/plain; charset=utf-8');
      return record.expression;
    },
  );

  app.delete(
    '/policy',
    {
      preHandler: admin,
      schema: { summary: 'Delete a policy', tags: ['admin'], security, querystring: { type: 'object', required: ['policy_id'], properties: { policy_id: { type: 'string', maxLength: 128 } } } },
    },
    async (request) => {
      const id = (request.query as { policy_id: string }).policy_id;
      if (!(await ctx.store.delete('policy', id))) throw new HttpError(404, 'CC_ERROR_BAD_PARAMETERS', `no policy "${id}"`);
      return 'delete policy success';
    },
  );

  app.post(
    '/reference',
    {
      preHandler: admin,
      schema: {
        summary: 'Set reference values (measurements, RTMRs, PCRs, CCA components...) by name',
        tags: ['admin'],
        security,
        body: {
          type: 'object',
          properties: {
            refs: { type: 'string', maxLength: 1_000_000, description: 'secGear: a JSON object of name → value or values' },
            references: { type: 'array', maxItems: MAX_REFERENCES_PER_CALL, items: { type: 'object' } },
          },
        },
      },
    },
    async (request) => {
      const body = request.body as { refs?: string; references?: unknown[] };
      const now = ctx.clock();
      const inputs: unknown[] = [...(body.references ?? [])];
      if (body.refs !== undefined) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(body.refs);
        } catch {
          throw new HttpError(400, 'CC_ERROR_BAD_PARAMETERS', 'refs must be a JSON object of name → value (or list of values)');
        }
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
          throw new HttpError(400, 'CC_ERROR_BAD_PARAMETERS', 'refs must be a JSON object of name → value (or list of values)');
        }
        for (const [name, values] of Object.entries(parsed)) inputs.push({ name, values, provenance: 'api:refs' });
      }
      if (inputs.length === 0) throw new HttpError(400, 'CC_ERROR_BAD_PARAMETERS', 'send refs (secGear) or references: [{ name, values, tee?, provenance?, expires_at? }]');
      if (inputs.length > MAX_REFERENCES_PER_CALL) throw new HttpError(400, 'CC_ERROR_BAD_PARAMETERS', `at most ${MAX_REFERENCES_PER_CALL} reference values per call`);
      // check all before storing any, so a bad entry leaves nothing half-applied
      const records = inputs.map((i) => checkReference(i, now));
      for (const r of records) await ctx.store.put('reference', r.name, r);
      request.log.info({ names: records.map((r) => r.name) }, 'reference values set');
      return 'set reference success';
    },
  );

  app.get(
    '/reference',
    { preHandler: admin, schema: { summary: 'Every reference value with its provenance and expiry', tags: ['admin'], security } },
    async () => (await ctx.store.list<ReferenceRecord>('reference')).map((r) => r.value),
  );

  app.delete(
    '/reference',
    {
      preHandler: admin,
      schema: { summary: 'Delete a reference value', tags: ['admin'], security, querystring: { type: 'object', required: ['name'], properties: { name: { type: 'string', maxLength: 128 } } } },
    },
    async (request) => {
      const name = (request.query as { name: string }).name;
      if (!(await ctx.store.delete('reference', name))) throw new HttpError(404, 'CC_ERROR_BAD_PARAMETERS', `no reference value "${name}"`);
      return 'delete reference success';
    },
  );
}
