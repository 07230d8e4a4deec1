/** Collateral and trust anchors: from files and folders (recognised by content) or fetched. */
export { classifyCollateral, classifyAnchors, type CollateralRole } from './classify.js';
export { loadCollateral, loadTrustAnchors, type LoadedCollateral, type LoadedAnchors, type Skipped } from './load.js';
export {
  CachingFetcher,
  type CachingFetcherOptions,
  type CollateralFetcher,
  type CollateralRequest,
  type FetchedCollateral,
  type FetchFunction,
} from './fetcher.js';
export { IntelPcsFetcher, INTEL_PCS_URL, INTEL_ROOT_CA_CRL_URL, type IntelPcsOptions } from './intel-pcs.js';
export { AmdKdsFetcher, AMD_KDS_URL, type AmdKdsOptions } from './amd-kds.js';
export { intelCollateralRequest } from '../intel/collateral-request.js';
