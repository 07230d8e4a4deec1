/** `secgear kms admin ...`: the admin API from the command line (tenants, access keys, OpenAPI). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_DATA_DIR } from './serve.js';

interface AdminFlags {
  endpoint: string;
  token?: string;
  dataDir: string;
  json?: boolean;
}

export async function adminRequest(flags: AdminFlags, method: string, path: string, body?: unknown): Promise<unknown> {
  const token = flags.token ?? process.env.EKMS_ADMIN_TOKEN ?? readToken(flags.dataDir);
  let response: Response;
  try {
    response = await fetch(new URL(path, flags.endpoint), {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    throw new Error(`cannot reach EKMS at ${flags.endpoint} (${(error as Error).message}); is \`secgear kms serve\` running?`);
  }
  const json = (await response.json().catch(() => ({}))) as { __type?: string; message?: string };
  if (!response.ok) throw new Error(`${json.__type ?? response.status}: ${json.message ?? response.statusText}`);
  return json;
}

function readToken(dataDir: string): string {
  try {
    return readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
  } catch {
    throw new Error(`no admin token: pass --token, set EKMS_ADMIN_TOKEN, or --data-dir of the node (its admin-token file)`);
  }
}

function print(flags: AdminFlags, value: unknown, human: () => string): void {
  process.stdout.write(flags.json ? JSON.stringify(value, null, 2) + '\n' : human() + '\n');
}

export function registerAdmin(kms: Command): void {
  const admin = kms
    .command('admin')
    .description('administer an EKMS node through its admin API')
    .option('--endpoint <url>', 'EKMS URL', process.env.EKMS_ENDPOINT ?? 'http://127.0.0.1:4599')
    .option('--token <token>', 'admin token (default: EKMS_ADMIN_TOKEN, or <data-dir>/admin-token)')
    .option('--data-dir <dir>', 'the node data folder, to read its admin token', process.env.EKMS_DATA_DIR ?? DEFAULT_DATA_DIR)
    .option('--json', 'machine-readable output');
  const flags = () => admin.opts<AdminFlags>();

  admin.command('create-tenant <name>').description('create a tenant (an account with its own keys)').action(async (name: string) => {
    const t = (await adminRequest(flags(), 'POST', '/admin/tenants', { name })) as { account: string; name: string };
    print(flags(), t, () => `tenant ${t.name}: account ${t.account}`);
  });
  admin.command('list-tenants').description('list tenants').action(async () => {
    const r = (await adminRequest(flags(), 'GET', '/admin/tenants')) as { tenants: Array<{ account: string; name: string }> };
    print(flags(), r, () => r.tenants.map((t) => `${t.account}  ${t.name}`).join('\n') || '(none)');
  });
  admin
    .command('create-access-key <tenant>')
    .description('issue an access key for a tenant (the secret is shown once)')
    .option('--user <name>', 'user name in the principal ARN', 'ekms-user')
    .action(async (tenant: string, opts: { user: string }) => {
      const k = (await adminRequest(flags(), 'POST', `/admin/tenants/${encodeURIComponent(tenant)}/access-keys`, { user: opts.user })) as Record<string, string>;
      print(flags(), k, () => `AWS_ACCESS_KEY_ID=${k.accessKeyId}\nAWS_SECRET_ACCESS_KEY=${k.secretAccessKey}\n# principal ${k.principal}`);
    });
  admin.command('list-access-keys <tenant>').description("list a tenant's access keys").action(async (tenant: string) => {
    const r = (await adminRequest(flags(), 'GET', `/admin/tenants/${encodeURIComponent(tenant)}/access-keys`)) as { accessKeys: Array<{ accessKeyId: string; principal: string; revoked: number | null }> };
    print(flags(), r, () => r.accessKeys.map((k) => `${k.accessKeyId}  ${k.principal}${k.revoked ? '  (revoked)' : ''}`).join('\n') || '(none)');
  });
  admin.command('revoke-access-key <accessKeyId>').description('revoke an access key').action(async (id: string) => {
    const r = await adminRequest(flags(), 'DELETE', `/admin/access-keys/${encodeURIComponent(id)}`);
    print(flags(), r, () => `revoked ${id}`);
  });
  admin.command('openapi').description('print the OpenAPI document of the admin API').action(async () => {
    process.stdout.write(JSON.stringify(await adminRequest(flags(), 'GET', '/admin/openapi.json'), null, 2) + '\n');
  });
}
