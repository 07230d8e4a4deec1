/** Test helpers: an EKMS node in a temp folder with its own simulated platform, and SDK clients for it. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KMSClient } from '@aws-sdk/client-kms';
import { pino } from 'pino';
import { startEkms, type EkmsOptions, type RunningEkms } from '../../src/index.js';

export interface TestNode extends RunningEkms {
  dataDir: string;
  admin(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }>;
  tenant(name: string, user?: string): Promise<{ client: KMSClient; account: string; principal: string; accessKeyId: string; secretAccessKey: string }>;
  stop(): Promise<void>;
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `ekms-${prefix}-`));
}

export function sdkClient(url: string, credentials: { accessKeyId: string; secretAccessKey: string }, region = 'us-east-1'): KMSClient {
  return new KMSClient({ endpoint: url, region, credentials, maxAttempts: 1 });
}

export async function startTestNode(options: Partial<EkmsOptions> & { platformDir: string; dataDir?: string }): Promise<TestNode> {
  const dataDir = options.dataDir ?? tempDir('data');
  const node = await startEkms({ poolSize: 1, logger: pino({ level: 'silent' }), ...options, dataDir });
  const clients: KMSClient[] = [];
  const admin = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(node.url + path, {
      method,
      headers: { authorization: `Bearer ${node.adminToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, json: (await response.json().catch(() => null)) as any };
  };
  return Object.assign(node, {
    dataDir,
    admin,
    async tenant(name: string, user?: string) {
      const existing = await admin('GET', '/admin/tenants');
      if (!existing.json.tenants.some((t: { name: string }) => t.name === name)) {
        const made = await admin('POST', '/admin/tenants', { name });
        if (made.status !== 201) throw new Error(`tenant: ${JSON.stringify(made.json)}`);
      }
      const key = await admin('POST', `/admin/tenants/${name}/access-keys`, user ? { user } : {});
      if (key.status !== 201) throw new Error(`access key: ${JSON.stringify(key.json)}`);
      const client = sdkClient(node.url, key.json);
      clients.push(client);
      return { client, ...key.json };
    },
    async stop() {
      for (const c of clients) c.destroy();
      await node.close();
    },
  });
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
