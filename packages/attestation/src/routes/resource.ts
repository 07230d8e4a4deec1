/**
 * The key broker: resources (secrets) released only to a caller presenting a valid token of
 * this service whose claims satisfy every policy bound to the resource. A contraindicated
 * token never gets anything; a resource with no policy bound is never released.
 * Admin: `POST /resource/storage` (secGear ops Add, Delete, Modify, Bind, Unbind) and
 * `GET|POST /resource/policy` (GetOne, GetAll, GetAllInVendor / Add, Delete, ClearAll,
 * ClearAllInVendor). Locations: a resource is `{ vendor, path }`, a policy `{ vendor, id }`.
 */
import type { FastifyInstance, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { createLocalJWKSet, jwtVerify, type JWK, type JWTPayload } from 'jose';
import { earOverallStatus, EAR_PROFILE, type Ear } from 'secgear/attest';
import { SESSION_COOKIE } from 'secgear/agent';
import { bearerToken } from '../admin-auth.js';
import { HttpError, type ServiceContext } from '../context.js';
import { toCelValue } from '../policy/cel.js';
import { ID_PATTERN, RESOURCE_POLICY_VARIABLES, type PolicyCache } from '../policy/store.js';
import { TOKEN_ALGORITHMS } from '../signing.js';

const SEGMENT = '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$';
const PATH = '^[A-Za-z0-9][A-Za-z0-9._/-]{0,255}$';
const MAX_CONTENT_CHARS = 1_000_000;

interface ResourceRecord {
  vendor: string;
  path: string;
  /** base64 */
  content: string;
  /** `vendor/id` of resource policies */
  policies: string[];
}

interface ResourcePolicyRecord {
  vendor: string;
  id: string;
  expression: string;
}

const bad = (message: string): never => {
  throw new HttpError(400, 'CC_ERROR_BAD_PARAMETERS', message);
};

function location(value: unknown): { vendor: string; path: string } {
  const v = value as { vendor?: unknown; path?: unknown } | null;
  if (!v || typeof v.vendor !== 'string' || !new RegExp(SEGMENT).test(v.vendor) || typeof v.path !== 'string' || !new RegExp(PATH).test(v.path) || v.path.includes('..')) {
    return bad('resource must be { vendor, path } (letters, digits, . _ - and / in the path, no "..")');
  }
  return { vendor: v.vendor, path: v.path };
}

function policyLocation(value: unknown): { vendor: string; id: string } {
  const v = value as { vendor?: unknown; id?: unknown } | null;
  if (!v || typeof v.vendor !== 'string' || !new RegExp(SEGMENT).test(v.vendor) || typeof v.id !== 'string' || !ID_PATTERN.test(v.id)) {
    return bad('policy must be { vendor, id }');
  }
  return { vendor: v.vendor, id: v.id };
}

function policyRefs(value: unknown): string[] {
  if (!Array.isArray(value) || value.length > 16 || !value.every((p) => typeof p === 'string' && /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}\/[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(p))) {
    return bad('policy must be a list of at most 16 "vendor/id" names');
  }
  return value as string[];
}

/** secGear's externally tagged ops: "Name" or { "Name": { ...fields } }. */
function op(value: unknown): { name: string; fields: Record<string, unknown> } {
  if (typeof value === 'string') return { name: value, fields: {} };
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const entries = Object.entries(value);
    if (entries.length === 1 && typeof entries[0][1] === 'object' && entries[0][1] !== null) return { name: entries[0][0], fields: entries[0][1] as Record<string, unknown> };
  }
  return bad('op must be "Name" or { "Name": { ... } }');
}

export function resourceRoutes(app: FastifyInstance, ctx: ServiceContext, policies: PolicyCache, admin: preHandlerAsyncHookHandler): void {
  const security = [{ adminToken: [] }];

  async function verifiedToken(request: FastifyRequest): Promise<Ear & JWTPayload> {
    const token = bearerToken(request);
    if (!token) throw new HttpError(401, 'CC_ERROR_ACCESS_DENIED', 'send the attestation token as Authorization: Bearer <token>');
    const keys = (await ctx.store.list<JWK>('signing-key')).map((r) => r.value);
    try {
      const { payload } = await jwtVerify(token, createLocalJWKSet({ keys }), {
        issuer: ctx.issuer,
        audience: ctx.audience,
        algorithms: [...TOKEN_ALGORITHMS],
        currentDate: ctx.clock(),
        requiredClaims: ['exp', 'iat'],
      });
      if ((payload as Partial<Ear>).eat_profile !== EAR_PROFILE || typeof (payload as Partial<Ear>).submods !== 'object') throw new Error('not an EAR');
      return payload as Ear & JWTPayload;
    } catch (error) {
      ctx.metrics.resources.inc({ outcome: 'bad-token' });
      throw new HttpError(401, 'CC_ERROR_INVALID_TOKEN', `the attestation token is not valid: ${(error as Error).message}`);
    }
  }

  app.get(
    '/resource/storage',
    {
      schema: {
        summary: 'Release a resource to the holder of a token that satisfies its policies',
        tags: ['resource'],
        security: [{ attestationToken: [] }],
        querystring: { type: 'object', properties: { vendor: { type: 'string', maxLength: 128 }, path: { type: 'string', maxLength: 256 } } },
      },
    },
    async (request, reply) => {
      const query = request.query as { vendor?: string; path?: string };
      const where = location(query.vendor !== undefined ? query : request.body);
      if (request.cookies[SESSION_COOKIE] && !request.headers.authorization) {
        throw new HttpError(401, 'CC_ERROR_ACCESS_DENIED', 'send the attestation token as Authorization: Bearer <token> (sessions do not hold tokens here)');
      }
      const ear = await verifiedToken(request);
      const record = await ctx.store.get<ResourceRecord>('resource', `${where.vendor}/${where.path}`);
      const deny = (reason: string): never => {
        ctx.metrics.resources.inc({ outcome: 'denied' });
        request.log.info({ resource: `${where.vendor}/${where.path}`, reason }, 'resource denied');
        throw new HttpError(403, 'CC_ERROR_ACCESS_DENIED', `resource evaluation failed: ${reason}`);
      };
      // the same answer for a missing resource and a refused one: a caller learns nothing about what exists
      if (!record) return deny('no such resource, or its policies are not satisfied');
      const status = earOverallStatus(ear);
      if (status === 'contraindicated') return deny('the token\'s appraisal is contraindicated');
      if (record.policies.length === 0) return deny('no such resource, or its policies are not satisfied');
      const [tee, sub] = Object.entries(ear.submods)[0] ?? ['unknown', undefined];
      const variables = {
        token: toCelValue(ear),
        claims: toCelValue(sub?.['ear.veraison.annotated-evidence'] ?? {}),
        status,
        tee,
      };
      for (const ref of record.policies) {
        const policy = await ctx.store.get<ResourcePolicyRecord>('resource-policy', ref);
        if (!policy) return deny(`policy ${ref} is bound but missing`);
        let outcome: string;
        try {
          outcome = policies.get(policy.expression, RESOURCE_POLICY_VARIABLES).evaluate(variables);
        } catch {
          outcome = 'contraindicated';
        }
        if (outcome !== 'affirming') return deny('no such resource, or its policies are not satisfied');
      }
      ctx.metrics.resources.inc({ outcome: 'released' });
      request.log.info({ resource: `${where.vendor}/${where.path}`, jti: ear.jti }, 'resource released');
      reply.type('application/octet-stream');
      return Buffer.from(record.content, 'base64');
    },
  );

  app.post(
    '/resource/storage',
    {
      preHandler: admin,
      schema: {
        summary: 'Add, delete, modify a resource; bind or unbind its policies',
        tags: ['admin'],
        security,
        body: { type: 'object', required: ['op', 'resource'], properties: { op: {}, resource: { type: 'object' } } },
      },
    },
    async (request) => {
      const body = request.body as { op: unknown; resource: unknown };
      const where = location(body.resource);
      const key = `${where.vendor}/${where.path}`;
      const { name, fields } = op(body.op);
      const existing = await ctx.store.get<ResourceRecord>('resource', key);
      const content = (): string => {
        if (typeof fields.content !== 'string' || fields.content.length > MAX_CONTENT_CHARS) return bad(`content must be a string of at most ${MAX_CONTENT_CHARS} characters`);
        // secGear sends text; `content_base64: true` marks binary content sent as base64
        return fields.content_base64 === true ? Buffer.from(fields.content, 'base64').toString('base64') : Buffer.from(fields.content, 'utf8').toString('base64');
      };
      const need = (): ResourceRecord => existing ?? bad(`no resource ${key}`);
      switch (name) {
        case 'Add':
          await ctx.store.put('resource', key, { ...where, content: content(), policies: policyRefs(fields.policy ?? []) } satisfies ResourceRecord);
          break;
        case 'Delete':
          if (!(await ctx.store.delete('resource', key))) bad(`no resource ${key}`);
          break;
        case 'Modify':
          await ctx.store.put('resource', key, { ...need(), content: content() });
          break;
        case 'Bind': {
          const r = need();
          await ctx.store.put('resource', key, { ...r, policies: [...new Set([...r.policies, ...policyRefs(fields.policy)])] });
          break;
        }
        case 'Unbind': {
          const r = need();
          const drop = new Set(policyRefs(fields.policy));
          await ctx.store.put('resource', key, { ...r, policies: r.policies.filter((p) => !drop.has(p)) });
          break;
        }
        default:
          bad(`unknown op ${name}: Add, Delete, Modify, Bind or Unbind`);
      }
      request.log.info({ resource: key, op: name }, 'resource changed');
      return 'successful';
    },
  );

  const getPolicies = async (body: unknown) => {
    const { name, fields } = op(body);
    switch (name) {
      case 'GetOne': {
        const p = policyLocation(fields.policy);
        const record = await ctx.store.get<ResourcePolicyRecord>('resource-policy', `${p.vendor}/${p.id}`);
        if (!record) throw new HttpError(404, 'CC_ERROR_BAD_PARAMETERS', `no resource policy ${p.vendor}/${p.id}`);
        return record.expression;
      }
      case 'GetAll':
        return (await ctx.store.list('resource-policy')).map((r) => r.key);
      case 'GetAllInVendor': {
        if (typeof fields.vendor !== 'string' || !new RegExp(SEGMENT).test(fields.vendor)) return bad('vendor must be a name');
        return (await ctx.store.list('resource-policy', `${fields.vendor}/`)).map((r) => r.key);
      }
      default:
        return bad(`unknown op ${name}: GetOne, GetAll or GetAllInVendor`);
    }
  };

  app.get(
    '/resource/policy',
    {
      preHandler: admin,
      schema: {
        summary: 'Read resource policies (op in the query as JSON, or secGear\'s JSON body)',
        tags: ['admin'],
        security,
        querystring: { type: 'object', properties: { op: { type: 'string', maxLength: 1024 } } },
      },
    },
    async (request) => {
      const q = (request.query as { op?: string }).op;
      let body: unknown = request.body;
      if (q !== undefined) {
        try {
          body = JSON.parse(q);
        } catch {
          body = q; // a bare op name such as GetAll
        }
      }
      return getPolicies(body ?? 'GetAll');
    },
  );

  app.post(
    '/resource/policy',
    { preHandler: admin, schema: { summary: 'Add, delete or clear resource policies (CEL over token, claims, status, tee)', tags: ['admin'], security, body: {} } },
    async (request) => {
      const { name, fields } = op(request.body);
      switch (name) {
        case 'Add': {
          const p = policyLocation(fields.policy);
          if (typeof fields.content !== 'string') bad('content must be the policy expression');
          policies.get(fields.content as string, RESOURCE_POLICY_VARIABLES);
          await ctx.store.put('resource-policy', `${p.vendor}/${p.id}`, { ...p, expression: fields.content as string } satisfies ResourcePolicyRecord);
          break;
        }
        case 'Delete': {
          const p = policyLocation(fields.policy);
          if (!(await ctx.store.delete('resource-policy', `${p.vendor}/${p.id}`))) bad(`no resource policy ${p.vendor}/${p.id}`);
          break;
        }
        case 'ClearAll':
          await ctx.store.clear('resource-policy');
          break;
        case 'ClearAllInVendor':
          if (typeof fields.vendor !== 'string' || !new RegExp(SEGMENT).test(fields.vendor)) bad('vendor must be a name');
          await ctx.store.clear('resource-policy', `${fields.vendor as string}/`);
          break;
        default:
          bad(`unknown op ${name}: Add, Delete, ClearAll or ClearAllInVendor`);
      }
      return 'successful';
    },
  );
}
