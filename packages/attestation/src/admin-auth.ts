/**
 * Admin endpoints (policies, reference values, resources) take `Authorization: Bearer <token>`
 * with one of the configured admin tokens. Tokens are compared as SHA-256 digests in constant
 * time, against every configured token, so neither a match position nor a length leaks.
 * Attesters need no credential beyond the challenge.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { HttpError, type ServiceContext } from './context.js';

export function digestAdminToken(token: string): Uint8Array {
  return createHash('sha256').update(token, 'utf8').digest();
}

export function bearerToken(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return null;
  const match = /^Bearer ([\x21-\x7e]{1,4096})$/i.exec(header.trim());
  return match ? match[1] : null;
}

export function adminGuard(ctx: ServiceContext) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const token = bearerToken(request);
    let ok = false;
    if (token !== null) {
      const digest = digestAdminToken(token);
      for (const expected of ctx.adminTokenDigests) ok = timingSafeEqual(digest, expected) || ok;
    }
    if (!ok) {
      reply.header('www-authenticate', 'Bearer realm="secgear-attestation-admin"');
      throw new HttpError(401, 'CC_ERROR_ACCESS_DENIED', token === null ? 'admin endpoint: send Authorization: Bearer <admin token>' : 'admin endpoint: the admin token is not valid');
    }
  };
}
