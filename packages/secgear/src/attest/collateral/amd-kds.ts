import { ErrorCode, SecGearError } from '../../common/errors.js';
import type { CollateralItem } from '../types.js';
import type { CollateralFetcher, CollateralRequest, FetchedCollateral, FetchFunction } from './fetcher.js';

export const AMD_KDS_URL = 'https://kdsintf.amd.com';

export interface AmdKdsOptions {
  baseUrl?: string;
  fetch?: FetchFunction;
}

type AmdRequest = Extract<CollateralRequest, { kind: 'amd' }>;

/**
 * Fetches SEV-SNP collateral from the AMD Key Distribution Service: the VCEK for a chip and
 * reported TCB (DER), the ASK/ARK (or ASVK/ARK for VLEK) chain (PEM) and the CRL. Roles:
 * `vcek`, `askArk`, `amdCrl`. KDS rate-limits: wrap this in a `CachingFetcher`.
 */
export class AmdKdsFetcher implements CollateralFetcher {
  private readonly base: string;
  private readonly fetchImpl: FetchFunction;

  constructor(options: AmdKdsOptions = {}) {
    this.base = (options.baseUrl ?? AMD_KDS_URL).replace(/\/+$/, '');
    const chosen = options.fetch ?? (globalThis as { fetch?: FetchFunction }).fetch;
    if (!chosen) throw new SecGearError(ErrorCode.NOT_SUPPORTED, 'no fetch implementation: pass options.fetch');
    this.fetchImpl = chosen;
  }

  /** KDS URLs for a request: VCEK (when asked), the CA chain and the CRL. */
  urls(request: AmdRequest): { vcek: string | null; chain: string; crl: string } {
    const root = `${this.base}/${request.key}/v1/${request.product}`;
    let vcek: string | null = null;
    if (request.key === 'vcek') {
      const { chipId, reportedTcb: tcb } = request;
      if (!chipId || chipId.byteLength !== 64 || !tcb) throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'a VCEK request needs the 64-byte chip ID and the reported TCB');
      // Turin identifies chips by the first 8 bytes of CHIP_ID and adds the FMC SPL
      const hwid = Buffer.from(request.product === 'Turin' ? chipId.subarray(0, 8) : chipId).toString('hex');
      const spl = [`blSPL=${tcb.bootloader}`, `teeSPL=${tcb.tee}`, `snpSPL=${tcb.snp}`, `ucodeSPL=${tcb.microcode}`];
      if (request.product === 'Turin') spl.unshift(`fmcSPL=${tcb.fmc ?? 0}`);
      vcek = `${root}/${hwid}?${spl.join('&')}`;
    }
    return { vcek, chain: `${root}/cert_chain`, crl: `${root}/crl` };
  }

  async fetch(request: CollateralRequest, options: { signal?: AbortSignal } = {}): Promise<FetchedCollateral> {
    if (request.kind !== 'amd') throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'AmdKdsFetcher serves AMD requests only');
    const urls = this.urls(request);
    const items: CollateralItem[] = [];
    if (urls.vcek) items.push({ role: 'vcek', data: await this.get(urls.vcek, options.signal), source: urls.vcek });
    items.push({ role: 'askArk', data: await this.get(urls.chain, options.signal), source: urls.chain });
    items.push({ role: 'amdCrl', data: await this.get(urls.crl, options.signal), source: urls.crl });
    // KDS certificates live for years; the CRL is what changes, so the cache TTL decides
    return { items, expiresAt: null };
  }

  private async get(url: string, signal?: AbortSignal): Promise<Uint8Array> {
    let response;
    try {
      response = await this.fetchImpl(url, { signal });
    } catch (error) {
      throw new SecGearError(ErrorCode.GENERIC, `fetching ${url} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    if (!response.ok) throw new SecGearError(ErrorCode.INVALID_COLLATERAL, `${url} answered HTTP ${response.status}`);
    return new Uint8Array(await response.arrayBuffer());
  }
}
