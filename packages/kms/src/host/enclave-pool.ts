/**
 * A pool of EKMS enclaves from one image. A JavaScript enclave has one thread, so a slow
 * operation (RSA key generation) would stall every request behind it; with several enclaves
 * the others keep serving. The first member obtains the domain root key; the others unseal
 * its sealed copy — only an enclave of this signer on this platform can, which is how members
 * know each other — and report the same root key id, checked here. A member that stops (crash,
 * memory limit) is replaced the same way; until then requests go to the others.
 */
import { createEnclave, type Enclave, type OcallTable } from 'secgear';
import { RaTlsRelay } from 'secgear/ratls/host';
import type { KmsEcalls, EnclaveCall, EnclaveReply, FreshnessNext, FreshnessStart, FreshnessStatement, GeneratedKey } from '../common/protocol.js';
import type { KeySpec } from '../common/key-specs.js';

export interface EnclavePoolOptions {
  image: Uint8Array;
  /** Enclaves in the pool. Default 2. */
  size?: number;
  /** Backend: `sim` (default) or `process`. */
  type?: 'sim' | 'process';
  region: string;
  /**
   * Loads the domain root key into the first enclave (unseals it, makes it, or joins a cluster
   * for it: host/root-key-source.ts) and returns it sealed, for the other members to unseal.
   */
  loadRoot: (first: Enclave<KmsEcalls>) => Promise<{ sealedRoot: Uint8Array; rootKeyId: string }>;
  /** The host's ocalls: the RA-TLS relay of node join (default: a relay that connects nowhere). */
  ocalls?: OcallTable;
  platformDir?: string;
}

interface Member {
  enclave: Enclave<KmsEcalls>;
  inFlight: number;
}

export class EnclavePool {
  readonly #members: Member[];
  readonly rootKeyId: string;
  readonly #replace: () => Promise<Enclave<KmsEcalls>>;
  #closed = false;
  /** Members replaced after they stopped, for /metrics and tests. */
  replaced = 0;

  private constructor(members: Member[], rootKeyId: string, replace: () => Promise<Enclave<KmsEcalls>>) {
    this.#members = members;
    this.rootKeyId = rootKeyId;
    this.#replace = replace;
  }

  /** Members able to serve now. */
  get live(): number {
    return this.#members.filter((m) => m.enclave.lost === null && !m.enclave.destroyed).length;
  }

  get size(): number {
    return this.#members.length;
  }

  get backend(): string {
    return this.#members[0]?.enclave.info.backend ?? 'none';
  }

  /** The first member: it makes the start-time freshness check and serves node joins. */
  get primary(): Enclave<KmsEcalls> {
    return this.#members[0].enclave;
  }

  static async start(options: EnclavePoolOptions): Promise<EnclavePool> {
    const size = options.size ?? 2;
    if (!Number.isInteger(size) || size < 1 || size > 16) throw new RangeError('the enclave pool size must be 1 to 16');
    const create = () =>
      createEnclave<KmsEcalls>(options.image, {
        type: options.type ?? 'sim',
        // without a relay of the host's, one that opens and accepts nothing
        ocalls: options.ocalls ?? new RaTlsRelay().ocalls,
        ...(options.platformDir ? { platform: { stateDir: options.platformDir } } : {}),
      });
    const members: Member[] = [];
    try {
      const first = await create();
      members.push({ enclave: first, inFlight: 0 });
      const { sealedRoot, rootKeyId } = await options.loadRoot(first);
      const another = async (): Promise<Enclave<KmsEcalls>> => {
        const enclave = await create();
        try {
          const other = await enclave.ecall.kmsStart({ sealedRoot, region: options.region });
          if (other.rootKeyId !== rootKeyId) throw new Error('a pool enclave unsealed a different root key');
          return enclave;
        } catch (error) {
          await enclave.destroy();
          throw error;
        }
      };
      await Promise.all(
        Array.from({ length: size - 1 }, async () => {
          members.push({ enclave: await another(), inFlight: 0 });
        }),
      );
      return new EnclavePool(members, rootKeyId, another);
    } catch (error) {
      await Promise.all(members.map((m) => m.enclave.destroy()));
      throw error;
    }
  }

  async #use<T>(work: (enclave: Enclave<KmsEcalls>) => Promise<T>): Promise<T> {
    if (this.#closed) throw new Error('the enclave pool is closed');
    let member: Member | undefined;
    for (const m of this.#members) {
      if (m.enclave.lost !== null || m.enclave.destroyed) {
        this.#heal(m);
        continue;
      }
      if (!member || m.inFlight < member.inFlight) member = m;
    }
    // every member stopped: the call fails the way the enclave says (CC_ERROR_ENCLAVE_LOST)
    member ??= this.#members[0];
    member.inFlight++;
    try {
      return await work(member.enclave);
    } finally {
      member.inFlight = Math.max(0, member.inFlight - 1); // a replaced member starts again from 0
    }
  }

  readonly #healing = new Set<Member>();

  /** Replaces a stopped member in place, once, in the background. */
  #heal(member: Member): void {
    if (this.#closed || this.#healing.has(member)) return;
    this.#healing.add(member);
    void this.#replace()
      .then(async (enclave) => {
        const stopped = member.enclave;
        if (this.#closed) return enclave.destroy();
        member.enclave = enclave;
        member.inFlight = 0;
        this.replaced++;
        await stopped.destroy().catch(() => undefined);
      })
      .catch(() => undefined) // tried again on the next call that finds the member stopped
      .finally(() => this.#healing.delete(member));
  }

  call(call: EnclaveCall): Promise<EnclaveReply> {
    return this.#use((e) => e.ecall.kmsCall(call));
  }

  generateKey(key: { keyId: string; tenant: string; spec: KeySpec; version: number }): Promise<GeneratedKey> {
    return this.#use((e) => e.ecall.kmsGenerateKey(key));
  }

  createAccessKeySecret(owner: { accessKeyId: string; tenant: string }): Promise<{ secret: string; wrappedSecret: Uint8Array }> {
    return this.#use((e) => e.ecall.kmsCreateAccessKeySecret(owner));
  }

  auditSeal(headHash: string): Promise<string> {
    return this.#use((e) => e.ecall.kmsAuditSeal(headHash));
  }

  /** The start check, once, in the first member. */
  freshnessStart(start: FreshnessStart): Promise<{ counter: number }> {
    return this.#members[0].enclave.ecall.kmsFreshnessStart(start);
  }

  /** Any member: the next counter follows the database's (the host serializes commits), so a slow member never stalls them. */
  freshnessNext(request: FreshnessNext): Promise<FreshnessStatement> {
    return this.#use((e) => e.ecall.kmsFreshnessNext(request));
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all(this.#members.map((m) => m.enclave.destroy()));
  }
}
