/**
 * Where a node's domain root key comes from, in this order:
 * 1. its node-local sealed copy (`<data-dir>/sealed-root-key`): sealed by this node's enclave
 *    on this platform, useless on any other;
 * 2. a join (`--join`): the first enclave attests to an existing node's enclave over mutual
 *    RA-TLS and receives the key there (never through this host or the database), then seals it;
 * 3. the database's shared sealed copy: opens only on the platform and signer that sealed it
 *    (the `--image-key` path for nodes sharing one platform);
 * 4. none anywhere: the enclave makes a new root key (a new cluster).
 * Whatever the source, the key's id must match the cluster's id in the database, so a node can
 * never serve one database under another cluster's key.
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode, SecGearError, type Enclave } from 'secgear';
import type { PeerReference } from '../common/join-protocol.js';
import type { EnclaveStarted, KmsEcalls } from '../common/protocol.js';
import type { KmsStore } from '../store/kms-store.js';

export const SEALED_ROOT = 'sealed-root-key';
export const ROOT_KEY_ID = 'root-key-id';
export const NODE_SEALED_ROOT_FILE = 'sealed-root-key';

export interface JoinTarget {
  host: string;
  port: number;
  adminToken: string;
}

export interface RootKeySourceOptions {
  dataDir: string;
  store: KmsStore;
  region: string;
  join?: JoinTarget;
  peers: PeerReference;
  log: (message: string) => void;
}

function writeDurably(path: string, bytes: Uint8Array): void {
  const temp = `${path}.tmp`;
  const fd = openSync(temp, 'w', 0o600);
  try {
    writeSync(fd, bytes);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, path);
}

const codeOf = (error: unknown) => (error as { code?: string }).code;

async function unsealInto(first: Enclave<KmsEcalls>, sealedRoot: Uint8Array, region: string, what: string): Promise<EnclaveStarted> {
  try {
    return await first.ecall.kmsStart({ sealedRoot, region });
  } catch (error) {
    if (codeOf(error) === ErrorCode.MAC_INVALID || codeOf(error) === ErrorCode.SEAL_POLICY || codeOf(error) === ErrorCode.INVALID_SEALED_DATA) {
      throw new SecGearError(
        ErrorCode.MAC_INVALID,
        `${what} does not open in this node's enclave: it was sealed on another platform or by an image of another signer. ` +
          'Join an existing node instead: secgear kms serve --join <url of a node> (with its admin token)',
      );
    }
    throw error;
  }
}

/** Loads the root key into `first`; returns it sealed for the pool's other members. */
export async function loadRootKey(first: Enclave<KmsEcalls>, options: RootKeySourceOptions): Promise<{ sealedRoot: Uint8Array; rootKeyId: string; source: string }> {
  const nodeFile = join(options.dataDir, NODE_SEALED_ROOT_FILE);
  let sealedRoot: Uint8Array;
  let started: EnclaveStarted;
  let source: string;
  if (existsSync(nodeFile)) {
    sealedRoot = new Uint8Array(readFileSync(nodeFile));
    started = await unsealInto(first, sealedRoot, options.region, `The node's sealed root key (${nodeFile})`);
    source = 'node';
    if (options.join) options.log(`this node already holds the cluster root key (${nodeFile}): --join is not needed`);
  } else if (options.join) {
    const { host, port, adminToken } = options.join;
    started = await first.ecall.kmsJoin({ host, port, adminToken, peers: options.peers });
    sealedRoot = started.sealedRoot!;
    source = 'join';
  } else {
    const shared = await options.store.getMeta(SEALED_ROOT);
    if (shared) {
      sealedRoot = shared;
      started = await unsealInto(first, shared, options.region, "The cluster's shared sealed root key (in the database)");
      source = 'database';
    } else {
      started = await first.ecall.kmsStart({ region: options.region });
      sealedRoot = await options.store.putMetaOnce(SEALED_ROOT, started.sealedRoot!);
      if (!Buffer.from(sealedRoot).equals(Buffer.from(started.sealedRoot!))) {
        // another node stored its new root first: use that one
        started = await unsealInto(first, sealedRoot, options.region, "The cluster's shared sealed root key (in the database)");
        source = 'database';
      } else source = 'new';
    }
  }
  // what the enclave hands back is checked like any input before it is stored
  if (!(sealedRoot instanceof Uint8Array) || sealedRoot.byteLength < 80 || sealedRoot.byteLength > 4096 || typeof started.rootKeyId !== 'string' || !/^[0-9a-f]{64}$/.test(started.rootKeyId)) {
    throw new SecGearError(ErrorCode.GENERIC, 'the enclave returned a malformed root key state');
  }
  const clusterId = new TextDecoder().decode(await options.store.putMetaOnce(ROOT_KEY_ID, new TextEncoder().encode(started.rootKeyId)));
  if (clusterId !== started.rootKeyId) {
    throw new SecGearError(
      ErrorCode.ACCESS_DENIED,
      `this node's root key (id ${started.rootKeyId.slice(0, 16)}…, from ${source}) is not the cluster's (id ${clusterId.slice(0, 16)}…) in this database: ` +
        `${source === 'join' ? 'the node joined belongs to another cluster' : `remove ${nodeFile} and join a node of this cluster with --join`}`,
    );
  }
  if (source !== 'node') writeDurably(nodeFile, sealedRoot);
  return { sealedRoot, rootKeyId: started.rootKeyId, source };
}
