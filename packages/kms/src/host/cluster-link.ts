/**
 * The host's part in node join: an RA-TLS relay that carries the enclaves' TLS ciphertext (it
 * never sees a key), the join target (`ratls://host:port`, or a node's HTTP URL whose /healthz
 * names its join port), and the peer reference values handed to the enclave.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ErrorCode, SecGearError, readSimRootCertificate, type Enclave } from 'secgear';
import { RaTlsRelay } from 'secgear/ratls/host';
import type { PeerReference } from '../common/join-protocol.js';
import type { KmsEcalls } from '../common/protocol.js';
import type { KmsStore } from '../store/kms-store.js';
import { loadRootKey, type JoinTarget } from './root-key-source.js';

export interface ClusterOptions {
  /** Join the cluster through this node: `ratls://host:port` or its HTTP URL (`http://host:port`). */
  join?: string;
  /** The admin token of the node joined (its `<data-dir>/admin-token`). */
  joinToken?: string;
  /** Serve joins on this port (0: any free port); absent: this node serves no joins. */
  joinPort?: number;
  /** Address the join port listens on. Default: the HTTP listen address (RA-TLS, safe to expose: `0.0.0.0`). */
  joinHost?: string;
  /** Measurements (hex) accepted besides the enclave's own, e.g. the next build during an upgrade. */
  peerMeasurements?: string[];
  /** TCB statuses accepted besides UpToDate. */
  acceptTcbStatuses?: string[];
  /** Simulated backends: other nodes' simulation roots (DER or PEM files' bytes). This platform's own is added. */
  simulationRoots?: Uint8Array[];
}

function toDer(bytes: Uint8Array): Uint8Array {
  const text = Buffer.from(bytes).toString('latin1');
  const pem = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+)-----END CERTIFICATE-----/.exec(text);
  return pem ? new Uint8Array(Buffer.from(pem[1].replace(/\s+/g, ''), 'base64')) : bytes;
}

/** Reads a simulation root certificate file (PEM or DER), for --trust-sim-root. */
export function readSimulationRoot(path: string): Uint8Array {
  return toDer(new Uint8Array(readFileSync(path)));
}

async function resolveJoin(url: string, adminToken: string | undefined): Promise<JoinTarget> {
  if (!adminToken) throw new SecGearError(ErrorCode.BAD_PARAMETERS, "joining needs the admin token of the node joined (--join-token-file <file> or EKMS_JOIN_TOKEN)");
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new SecGearError(ErrorCode.BAD_PARAMETERS, `--join ${url}: not a URL; use ratls://host:port or the node's http://host:port`);
  }
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  if (parsed.protocol === 'ratls:') {
    const port = Number(parsed.port);
    if (!Number.isInteger(port) || port < 1) throw new SecGearError(ErrorCode.BAD_PARAMETERS, `--join ${url}: name the port (ratls://host:port)`);
    return { host, port, adminToken };
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new SecGearError(ErrorCode.BAD_PARAMETERS, `--join ${url}: use ratls://host:port or http(s)://host:port`);
  let health: { joinPort?: unknown };
  try {
    const response = await fetch(new URL('/healthz', parsed), { signal: AbortSignal.timeout(10_000) });
    health = (await response.json()) as { joinPort?: unknown };
  } catch (error) {
    throw new SecGearError(ErrorCode.GENERIC, `--join ${url}: cannot read its /healthz (${error instanceof Error ? error.message : String(error)})`);
  }
  // only a port: whatever this answer says, the enclave judges the node by its evidence
  const port = health?.joinPort;
  if (!Number.isInteger(port) || (port as number) < 1 || (port as number) > 65535) {
    throw new SecGearError(ErrorCode.NOT_SUPPORTED, `the node at ${url} serves no joins: start it with --join-port`);
  }
  return { host, port: port as number, adminToken };
}

export class ClusterLink {
  readonly relay: RaTlsRelay;
  readonly #peers: PeerReference;
  readonly #target: JoinTarget | undefined;
  readonly #platformDir: string | undefined;

  private constructor(peers: PeerReference, target: JoinTarget | undefined, platformDir: string | undefined) {
    this.#peers = peers;
    this.#target = target;
    this.#platformDir = platformDir;
    this.relay = new RaTlsRelay({ maxConnections: 16, allowConnect: (host, port) => host === target?.host && port === target.port });
  }

  static async open(options: ClusterOptions, platformDir: string | undefined): Promise<ClusterLink> {
    const target = options.join ? await resolveJoin(options.join, options.joinToken) : undefined;
    const peers: PeerReference = {
      measurements: options.peerMeasurements ?? [],
      acceptTcbStatuses: options.acceptTcbStatuses ?? [],
      simulationRoots: (options.simulationRoots ?? []).map(toDer),
    };
    return new ClusterLink(peers, target, platformDir);
  }

  get ocalls(): RaTlsRelay['ocalls'] {
    return this.relay.ocalls;
  }

  /** The peer reference values, with this platform's simulation root when the enclave is simulated. */
  async #peerReference(enclave: Enclave<KmsEcalls>): Promise<PeerReference> {
    if (!enclave.info.simulated) return this.#peers;
    await enclave.getEvidence(); // the simulated platform makes its root on first use
    const own = readSimRootCertificate(this.#platformDir);
    return { ...this.#peers, simulationRoots: [...(this.#peers.simulationRoots ?? []), ...(own ? [own] : [])] };
  }

  /** The pool's loadRoot: attaches the relay to the first enclave, then finds its root key. */
  async loadRoot(first: Enclave<KmsEcalls>, options: { dataDir: string; store: KmsStore; region: string; log: (message: string) => void }) {
    this.relay.attach(first);
    return loadRootKey(first, { ...options, join: this.#target, peers: await this.#peerReference(first) });
  }

  /** Starts serving joins from `enclave` on host:port; returns the port. */
  async serve(enclave: Enclave<KmsEcalls>, adminToken: string, host: string, port: number): Promise<number> {
    const adminTokenDigest = createHash('sha256').update(adminToken).digest('hex');
    await enclave.ecall.kmsJoinServe({ adminTokenDigest, peers: await this.#peerReference(enclave) });
    return (await this.relay.listen({ host, port })).port;
  }

  close(): Promise<void> {
    return this.relay.close();
  }
}
