// The host's join target (--join): what an operator may type, and what a node's /healthz may
// answer, end in a clear CC_ERROR_* refusal, never a crash or a connection somewhere unexpected.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import fc from 'fast-check';
import { ClusterLink } from '../src/host/cluster-link.js';

let server: Server;
let port: number;
let answer: unknown = {};

before(async () => {
  server = createServer((_request, response) => {
    response.setHeader('content-type', 'application/json');
    response.end(typeof answer === 'string' ? answer : JSON.stringify(answer));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  port = typeof address === 'object' && address ? address.port : 0;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

const refusedWith = (code: string, pattern: RegExp) => (error: { code?: string; message?: string }) => {
  assert.equal(error.code, code, error.message);
  assert.match(String(error.message), pattern);
  return true;
};

describe('join target (--join)', () => {
  it('bad URLs, a missing port or token, and other schemes are refused with CC_ERROR_BAD_PARAMETERS', async () => {
    await assert.rejects(ClusterLink.open({ join: 'ratls://127.0.0.1:4600' }, undefined), refusedWith('CC_ERROR_BAD_PARAMETERS', /needs the admin token/));
    await assert.rejects(ClusterLink.open({ join: 'not a url', joinToken: 't' }, undefined), refusedWith('CC_ERROR_BAD_PARAMETERS', /not a URL/));
    await assert.rejects(ClusterLink.open({ join: 'ratls://node-a', joinToken: 't' }, undefined), refusedWith('CC_ERROR_BAD_PARAMETERS', /name the port/));
    await assert.rejects(ClusterLink.open({ join: 'ftp://node-a:21', joinToken: 't' }, undefined), refusedWith('CC_ERROR_BAD_PARAMETERS', /use ratls:\/\/host:port or http/));
  });

  it('a node whose /healthz names no valid join port is refused with CC_ERROR_NOT_SUPPORTED', async () => {
    for (const body of [{}, { joinPort: 'x' }, { joinPort: 0 }, { joinPort: 70000 }, { joinPort: 1.5 }, 'not json', null]) {
      answer = body;
      await assert.rejects(ClusterLink.open({ join: `http://127.0.0.1:${port}`, joinToken: 't' }, undefined), (e: { code?: string }) => e.code === 'CC_ERROR_NOT_SUPPORTED' || e.code === 'CC_ERROR_GENERIC');
    }
    answer = { joinPort: 4600 };
    const link = await ClusterLink.open({ join: `http://127.0.0.1:${port}`, joinToken: 't' }, undefined);
    // the relay lets the enclave connect to that one target only
    await assert.rejects(link.ocalls.ratlsConnect('127.0.0.1', 4601), (e: { code?: string }) => e.code === 'CC_ERROR_ACCESS_DENIED');
    await assert.rejects(link.ocalls.ratlsConnect('10.0.0.1', 4600), (e: { code?: string }) => e.code === 'CC_ERROR_ACCESS_DENIED');
    await link.close();
  });

  it('any string as --join: a ClusterLink or a SecGearError, nothing else', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string(), fc.webUrl(), fc.string().map((s) => `ratls://${s}`)), async (join) => {
        try {
          const link = await ClusterLink.open({ join: join.startsWith('http') ? join.replace(/^https?:\/\/[^/]*/, `http://127.0.0.1:${port}`) : join, joinToken: 't' }, undefined);
          await link.close();
        } catch (error) {
          assert.equal((error as Error).name, 'SecGearError', String(error));
        }
      }),
      { numRuns: 200 },
    );
  });
});
