/**
 * The attester's two calls, in secGear's shapes: `GET /challenge` (a base64url nonce as a JSON
 * string, and the `oeas-session-id` cookie) and `POST /attestation` (`{ challenge, evidence,
 * policy_id? }` → the token as text). A challenge is single use and short-lived; when the
 * session cookie (or secGear's `as-challenge` header) comes along, it must match the challenge.
 */
import { randomUUID, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { SESSION_COOKIE } from 'secgear/agent';
import { appraise } from '../appraise.js';
import { HttpError, type ServiceContext } from '../context.js';
import type { PolicyCache } from '../policy/store.js';

const BASE64URL = '^[A-Za-z0-9_-]+={0,2}$';
/** Largest evidence accepted (base64url characters): RA-TLS certificates and Nitro documents stay far below. */
const MAX_EVIDENCE_CHARS = 1_400_000;

const errorSchema = { type: 'object', properties: { error: { type: 'string' }, message: { type: 'string' } } } as const;

function sameString(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function attestationRoutes(app: FastifyInstance, ctx: ServiceContext, policies: PolicyCache): void {
  let lastPurge = 0;

  app.get(
    '/challenge',
    {
      schema: {
        summary: 'A fresh single-use challenge (nonce, base64url) and its session cookie',
        tags: ['attestation'],
        response: { 200: { type: 'string', description: 'the nonce, base64url, as a JSON string' } },
      },
    },
    async (_request, reply) => {
      const now = ctx.clock().getTime();
      if (now - lastPurge > 10_000) {
        lastPurge = now;
        await ctx.store.purgeChallenges(now);
      }
      const challenge = Buffer.from(ctx.randomBytes(ctx.challengeBytes)).toString('base64url');
      const session = Buffer.from(ctx.randomBytes(16)).toString('base64url');
      await ctx.store.putChallenge({ challenge, session, expiresAt: now + ctx.challengeLifetimeSeconds * 1000 });
      reply.setCookie(SESSION_COOKIE, session, { path: '/', httpOnly: true, sameSite: 'strict', maxAge: ctx.challengeLifetimeSeconds });
      // secGear answers the challenge as a JSON string (quoted)
      reply.type('application/json; charset=utf-8');
      return JSON.stringify(challenge);
    },
  );

  app.post(
    '/attestation',
    {
      schema: {
        summary: 'Appraise evidence bound to a challenge; answers the EAR token (JWT)',
        tags: ['attestation'],
        body: {
          type: 'object',
          required: ['challenge', 'evidence'],
          properties: {
            challenge: { type: 'string', minLength: 11, maxLength: 88, pattern: BASE64URL },
            evidence: { type: 'string', minLength: 4, maxLength: MAX_EVIDENCE_CHARS, pattern: BASE64URL },
            policy_id: { type: 'array', maxItems: 16, items: { type: 'string', minLength: 1, maxLength: 128 } },
            media_type: { type: 'string', maxLength: 128 },
          },
        },
        response: { 200: { type: 'string', description: 'the token, a compact JWS' }, 401: errorSchema, 403: errorSchema },
      },
    },
    async (request, reply) => {
      const started = performance.now();
      const body = request.body as { challenge: string; evidence: string; policy_id?: string[]; media_type?: string };
      const refuse = (status: number, code: string, message: string): never => {
        ctx.metrics.refused.inc({ reason: code });
        throw new HttpError(status, code, message);
      };
      const record = await ctx.store.takeChallenge(body.challenge.replace(/=+$/, ''));
      if (!record) refuse(401, 'CC_ERROR_REPLAY', 'unknown or already used challenge: get a fresh one from GET /challenge');
      if (record!.expiresAt <= ctx.clock().getTime()) refuse(401, 'CC_ERROR_TIMEOUT', 'the challenge has expired: get a fresh one from GET /challenge');
      const cookie = request.cookies[SESSION_COOKIE];
      if ((cookie !== undefined || request.headers['as-challenge'] !== undefined) && !(cookie !== undefined && sameString(cookie, record!.session))) {
        refuse(401, 'CC_ERROR_ACCESS_DENIED', 'the session cookie does not belong to this challenge');
      }
      const nonce = new Uint8Array(Buffer.from(record!.challenge, 'base64url'));
      const data = new Uint8Array(Buffer.from(body.evidence, 'base64url'));
      const evidence = body.media_type ? { mediaType: body.media_type, data } : data;
      const { result, ear, status } = await appraise(ctx, policies, { evidence, nonce, policyIds: body.policy_id });
      if (!result.verified) {
        ctx.metrics.attestationSeconds.observe({ outcome: 'refused' }, (performance.now() - started) / 1000);
        refuse(403, 'CC_ERROR_ATTESTATION_FAILED', `evidence refused: check ${result.failure?.check ?? 'unknown'} failed: ${result.failure?.message ?? ''}`);
      }
      const token = await ctx.key.sign(ear as unknown as Record<string, unknown>, {
        issuer: ctx.issuer,
        audience: ctx.audience,
        issuedAt: ear.iat,
        expiresAt: ear.iat + ctx.tokenLifetimeSeconds,
        jwtId: randomUUID(),
      });
      ctx.metrics.attestations.inc({ tee: result.tee ?? 'unknown', status });
      ctx.metrics.attestationSeconds.observe({ outcome: 'issued' }, (performance.now() - started) / 1000);
      request.log.info({ tee: result.tee, status, policies: ear.submods[result.tee ?? 'unknown']?.['ear.appraisal-policy-id'] }, 'token issued');
      reply.type('application/jwt');
      return token;
    },
  );
}
