import { ErrorCode, SecGearError } from '../../common/errors.js';
import type { CollateralItem } from '../types.js';
import type { CollateralFetcher, CollateralRequest, FetchedCollateral, FetchFunction } from './fetcher.js';

export const INTEL_PCS_URL = 'https://api.trustedservices.intel.com';
/** Intel publishes the root CA CRL beside the certificates, not under the PCS API. */
export const INTEL_ROOT_CA_CRL_URL = 'https://certificates.trustedservices.intel.com/IntelSGXRootCA.der';

export interface IntelPcsOptions {
  /** PCS or PCCS base URL (default Intel PCS). A PCCS serves the same v4 paths. */
  baseUrl?: string;
  /** Where the root CA CRL comes from (default Intel's; a PCCS serves `/sgx/certification/v4/rootcacrl`). */
  rootCrlUrl?: string;
  /** Injected `fetch` (tests, proxies); defaults to the global one. */
  fetch?: FetchFunction;
  /** Extra request headers (for example `Ocp-Apim-Subscription-Key` for PCS v4 PCK certificates). */
  headers?: Record<string, string>;
}

/**
 * Fetches DCAP collateral from Intel PCS (API v4) or a PCCS: TCB Info and QE identity for the
 * TEE, the PCK CRL of the issuing CA, the root CA CRL, and the issuer chains PCS returns in
 * response headers. Items carry the roles the verifiers expect (`tcbInfo`, `qeIdentity`, ...).
 */
export class IntelPcsFetcher implements CollateralFetcher {
  private readonly base: string;
  private readonly rootCrlUrl: string;
  private readonly fetchImpl: FetchFunction;
  private readonly headers: Record<string, string>;

  constructor(options: IntelPcsOptions = {}) {
    this.base = (options.baseUrl ?? INTEL_PCS_URL).replace(/\/+$/, '');
    this.rootCrlUrl = options.rootCrlUrl ?? INTEL_ROOT_CA_CRL_URL;
    this.headers = options.headers ?? {};
    const global = (globalThis as { fetch?: FetchFunction }).fetch;
    const chosen = options.fetch ?? global;
    if (!chosen) throw new SecGearError(ErrorCode.NOT_SUPPORTED, 'no fetch implementation: pass options.fetch');
    this.fetchImpl = chosen;
  }

  /** The URLs a request needs, for logging and tests. */
  urls(request: Extract<CollateralRequest, { kind: 'intel' }>): Record<'tcbInfo' | 'qeIdentity' | 'pckCrl' | 'rootCrl', string> {
    const fmspc = Buffer.from(request.fmspc).toString('hex');
    return {
      tcbInfo: `${this.base}/${request.tee}/certification/v4/tcb?fmspc=${fmspc}`,
      qeIdentity: `${this.base}/${request.tee}/certification/v4/qe/identity`,
      pckCrl: `${this.base}/sgx/certification/v4/pckcrl?ca=${request.pckCa}&encoding=der`,
      rootCrl: this.rootCrlUrl,
    };
  }

  async fetch(request: CollateralRequest, options: { signal?: AbortSignal } = {}): Promise<FetchedCollateral> {
    if (request.kind !== 'intel') throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'IntelPcsFetcher serves Intel requests only');
    if (request.fmspc.byteLength !== 6) throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'FMSPC must be 6 bytes');
    const urls = this.urls(request);
    const [tcb, qe, pckCrl, rootCrl] = await Promise.all([
      this.get(urls.tcbInfo, options.signal),
      this.get(urls.qeIdentity, options.signal),
      this.get(urls.pckCrl, options.signal),
      this.get(urls.rootCrl, options.signal),
    ]);
    const items: CollateralItem[] = [
      { role: 'tcbInfo', data: tcb.body, source: urls.tcbInfo },
      { role: 'qeIdentity', data: qe.body, source: urls.qeIdentity },
      { role: 'pckCrl', data: pckCrl.body, source: urls.pckCrl },
      { role: 'rootCrl', data: rootCrl.body, source: urls.rootCrl },
    ];
    const chain = (response: typeof tcb, names: string[], role: string, source: string) => {
      for (const name of names) {
        const value = response.headers.get(name);
        if (value) {
          items.push({ role, data: new Uint8Array(Buffer.from(decodeURIComponent(value), 'utf8')), source: `${source} (${name})` });
          return;
        }
      }
      throw new SecGearError(ErrorCode.INVALID_COLLATERAL, `${source}: the response has no ${names[0]} header`);
    };
    chain(tcb, ['TCB-Info-Issuer-Chain', 'SGX-TCB-Info-Issuer-Chain'], 'tcbInfoIssuerChain', urls.tcbInfo);
    chain(qe, ['SGX-Enclave-Identity-Issuer-Chain'], 'qeIdentityIssuerChain', urls.qeIdentity);
    chain(pckCrl, ['SGX-PCK-CRL-Issuer-Chain'], 'pckCrlIssuerChain', urls.pckCrl);
    return { items, expiresAt: earliestNextUpdate([tcb.body, qe.body]) };
  }

  private async get(url: string, signal?: AbortSignal) {
    let response;
    try {
      response = await this.fetchImpl(url, { signal, headers: this.headers });
    } catch (error) {
      throw new SecGearError(ErrorCode.GENERIC, `fetching ${url} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    if (!response.ok) throw new SecGearError(ErrorCode.INVALID_COLLATERAL, `${url} answered HTTP ${response.status}`);
    return { body: new Uint8Array(await response.arrayBuffer()), headers: response.headers };
  }
}

/** The earliest `"nextUpdate"` in the given PCS JSON bodies (they expire first). */
function earliestNextUpdate(bodies: Uint8Array[]): Date | null {
  let earliest: number | null = null;
  for (const body of bodies) {
    const m = /"nextUpdate"\s*:\s*"([^"]+)"/.exec(Buffer.from(body).toString('utf8'));
    const t = m ? Date.parse(m[1]) : NaN;
    if (!Number.isNaN(t) && (earliest === null || t < earliest)) earliest = t;
  }
  return earliest === null ? null : new Date(earliest);
}
