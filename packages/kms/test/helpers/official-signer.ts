/** The AWS SDK's own SigV4 signer (@smithy/signature-v4), to check our verifier against an independent implementation. */
import { createHash, createHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';

class NodeSha256 {
  readonly #hash;
  constructor(secret?: Uint8Array | string) {
    this.#hash = secret ? createHmac('sha256', secret) : createHash('sha256');
  }
  update(data: Uint8Array | string): void {
    this.#hash.update(data);
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.#hash.digest());
  }
}

export interface RawRequest {
  method: string;
  path: string;
  query?: Record<string, string>;
  headers: Record<string, string>;
  body: Uint8Array;
}

/** Signs like the SDK does; returns the headers to send (Authorization, X-Amz-Date, ...). */
export async function officialSign(request: RawRequest, credentials: { accessKeyId: string; secretAccessKey: string }, options: { region?: string; date?: Date } = {}): Promise<Record<string, string>> {
  const signer = new SignatureV4({ credentials, region: options.region ?? 'us-east-1', service: 'kms', sha256: NodeSha256 as never });
  const signed = await signer.sign(
    { method: request.method, protocol: 'http:', hostname: request.headers.host.split(':')[0], port: Number(request.headers.host.split(':')[1]), path: request.path, query: request.query ?? {}, headers: { ...request.headers }, body: request.body },
    { signingDate: options.date ?? new Date() },
  );
  return signed.headers as Record<string, string>;
}
