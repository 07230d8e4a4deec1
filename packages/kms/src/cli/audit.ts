/**
 * `secgear kms audit verify`: checks the audit log's hash chains and the enclave's seals.
 * Through a running node (--endpoint), or offline from the storage (--data-dir/--storage),
 * where it starts one enclave of its own to check the seals. Exit 2 when the log was altered.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { verifyAuditLog, type AuditReport } from '../audit/audit-log.js';
import { buildKmsImage } from '../host/enclave-image.js';
import { EnclavePool } from '../host/enclave-pool.js';
import { NODE_SEALED_ROOT_FILE, SEALED_ROOT } from '../host/root-key-source.js';
import { KmsStore } from '../store/kms-store.js';
import { openSqlDriver } from '../store/sql-driver.js';
import '../store/sqlite-driver.js';
import '../store/postgres-driver.js';
import { adminRequest } from './admin.js';
import { DEFAULT_DATA_DIR } from './serve.js';

interface AuditFlags {
  endpoint?: string;
  token?: string;
  dataDir: string;
  storage?: string;
  json?: boolean;
  imageKey?: string;
}

export async function verifyOffline(dataDir: string, storage?: string, imageKey?: string): Promise<AuditReport> {
  const store = await KmsStore.open(await openSqlDriver(storage ?? `sqlite:${join(dataDir, 'ekms.db')}`));
  try {
    const nodeFile = join(dataDir, NODE_SEALED_ROOT_FILE);
    const sealed = existsSync(nodeFile) ? new Uint8Array(readFileSync(nodeFile)) : await store.getMeta(SEALED_ROOT);
    if (!sealed) throw new Error('this node has no EKMS root key: nothing was ever served from it');
    const pool = await EnclavePool.start({
      image: await buildKmsImage(imageKey ?? join(dataDir, 'image-signing-key.pem')),
      size: 1,
      region: 'us-east-1',
      loadRoot: async (first) => ({ sealedRoot: sealed, rootKeyId: (await first.ecall.kmsStart({ sealedRoot: sealed, region: 'us-east-1' })).rootKeyId }),
    });
    try {
      return await verifyAuditLog(store, async (head, seal) => (await pool.auditSeal(head)) === seal);
    } finally {
      await pool.close();
    }
  } finally {
    await store.close();
  }
}

export function registerAudit(kms: Command): void {
  const audit = kms.command('audit').description('the audit log');
  audit
    .command('verify')
    .description('check the hash chain and enclave seals of every node\'s audit log (exit 2 when altered)')
    .option('--endpoint <url>', 'ask a running node (admin API)')
    .option('--token <token>', 'admin token (with --endpoint)')
    .option('--data-dir <dir>', 'node data folder (offline check)', process.env.EKMS_DATA_DIR ?? DEFAULT_DATA_DIR)
    .option('--storage <url>', 'storage URL (offline check; default the SQLite file in --data-dir)')
    .option('--image-key <file>', 'the image signing key the node runs with (offline check; default <data-dir>/image-signing-key.pem)')
    .option('--json', 'machine-readable output')
    .action(async (flags: AuditFlags) => {
      const report = flags.endpoint
        ? ((await adminRequest({ endpoint: flags.endpoint, token: flags.token, dataDir: flags.dataDir }, 'GET', '/admin/audit/verify')) as AuditReport)
        : await verifyOffline(flags.dataDir, flags.storage, flags.imageKey);
      if (flags.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
      else {
        process.stdout.write(`${report.records} records on ${report.nodes.length} node(s): ${report.ok ? 'intact' : 'ALTERED'}\n`);
        for (const p of report.problems) process.stdout.write(`  ${p.node} #${p.seq}: ${p.problem}\n`);
      }
      if (!report.ok) process.exitCode = 2;
    });
}
