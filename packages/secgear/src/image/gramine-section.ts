/**
 * The `gramine` section of an enclave manifest: how `secgear gramine manifest` sizes the SGX
 * enclave that runs this image under Gramine. These values change MRENCLAVE (see
 * docs/gramine-sgx.md: MRENCLAVE covers Gramine, Node, the runtime and this image's bytes; the
 * secGear measurement covers only the image's manifest and bundle).
 */
import { ErrorCode, SecGearError } from '../common/errors.js';

export interface GramineSection {
  /** `sgx.enclave_size`: a power of two with a K, M or G suffix. Default "4G" (Node needs room). */
  enclaveSize?: string;
  /** `sgx.max_threads`. Default 32 (Node's own threads: main, V8 platform workers, libuv pool). */
  maxThreads?: number;
  /**
   * The signing key gramine-sgx-sign uses, named by its MRSIGNER (SHA-256 of the RSA-3072
   * modulus, 64 hex digits; `secgear gramine measure --key` prints it). The key itself never
   * goes into an image.
   */
  mrSigner?: string;
}

export const GRAMINE_SECTION_DEFAULTS = { enclaveSize: '4G', maxThreads: 32 } as const;

function bad(where: string, message: string): never {
  throw new SecGearError(ErrorCode.INVALID_MANIFEST, `${where}: ${message}`);
}

export function normalizeGramineSection(input: unknown, where: string): GramineSection {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) bad(where, 'must be an object { enclaveSize?, maxThreads?, mrSigner? }');
  const value = input as Record<string, unknown>;
  for (const key of Object.keys(value)) if (!['enclaveSize', 'maxThreads', 'mrSigner'].includes(key)) bad(where, `unknown field "${key}" (allowed: enclaveSize, maxThreads, mrSigner)`);
  const out: GramineSection = {};
  if (value.enclaveSize !== undefined) {
    const size = value.enclaveSize;
    const match = typeof size === 'string' ? /^(\d+)([KMG])$/.exec(size) : null;
    const bytes = match ? BigInt(match[1]) * { K: 1024n, M: 1024n ** 2n, G: 1024n ** 3n }[match[2] as 'K' | 'M' | 'G'] : 0n;
    if (!match || bytes === 0n || (bytes & (bytes - 1n)) !== 0n) bad(`${where}.enclaveSize`, `must be a power of two such as "4G" or "512M", got ${JSON.stringify(size)}`);
    out.enclaveSize = size as string;
  }
  if (value.maxThreads !== undefined) {
    const n = value.maxThreads;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 4096) bad(`${where}.maxThreads`, `must be an integer from 1 to 4096, got ${JSON.stringify(n)}`);
    out.maxThreads = n;
  }
  if (value.mrSigner !== undefined) {
    if (typeof value.mrSigner !== 'string' || !/^[0-9a-f]{64}$/.test(value.mrSigner)) bad(`${where}.mrSigner`, 'must be 64 lower-case hex digits (SHA-256 of the RSA-3072 modulus)');
    out.mrSigner = value.mrSigner;
  }
  return out;
}
