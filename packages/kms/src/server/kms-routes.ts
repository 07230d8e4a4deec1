/**
 * The AWS KMS JSON API: one `POST /` route, dispatched on X-Amz-Target. The body is taken as
 * raw bytes (the signature covers them exactly) and handed to the service; answers and errors
 * are JSON as the AWS SDK expects (`{"__type": "...Exception", "message": ...}`).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { SignedRequest } from '../common/sigv4.js';
import type { KmsService } from '../service/kms-service.js';
import type { Metrics } from './metrics.js';

export const KMS_CONTENT_TYPE = 'application/x-amz-json-1.1';
export const MAX_BODY_BYTES = 64 * 1024;

function signedRequestOf(request: FastifyRequest): SignedRequest {
  const raw = request.raw.rawHeaders;
  const headers: Array<[string, string]> = [];
  for (let i = 0; i + 1 < raw.length; i += 2) headers.push([raw[i], raw[i + 1]]);
  const body = Buffer.isBuffer(request.body) ? new Uint8Array(request.body.buffer, request.body.byteOffset, request.body.byteLength) : new Uint8Array(0);
  return { method: request.method, url: request.raw.url ?? '/', headers, body };
}

export function registerKmsRoutes(app: FastifyInstance, service: KmsService, metrics: Metrics): void {
  for (const type of [KMS_CONTENT_TYPE, 'application/x-amz-json-1.0']) {
    app.addContentTypeParser(type, { parseAs: 'buffer', bodyLimit: MAX_BODY_BYTES }, (_request, body, done) => done(null, body));
  }
  app.post('/', {
    schema: {
      summary: 'AWS KMS JSON API (X-Amz-Target: TrentService.<Operation>)',
      headers: {
        type: 'object',
        properties: { 'x-amz-target': { type: 'string', maxLength: 128 }, authorization: { type: 'string', maxLength: 4096 } },
        required: ['x-amz-target'],
      },
    },
    handler: async (request, reply) => {
      const started = process.hrtime.bigint();
      const outcome = await service.handle(signedRequestOf(request));
      metrics.observe(outcome.operation, outcome.error ?? 'Success', Number(process.hrtime.bigint() - started) / 1e9);
      if (outcome.status >= 500) request.log.error({ err: (outcome as { cause?: unknown }).cause, operation: outcome.operation }, 'KMS call failed');
      else if (outcome.error) request.log.debug({ operation: outcome.operation, error: outcome.error }, 'KMS call refused');
      reply.code(outcome.status).header('content-type', KMS_CONTENT_TYPE);
      if (outcome.error) reply.header('x-amzn-errortype', outcome.error);
      return JSON.stringify(outcome.body);
    },
  });
}
