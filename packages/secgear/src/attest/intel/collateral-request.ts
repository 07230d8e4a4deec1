import { ErrorCode, SecGearError } from '../../common/errors.js';
import type { CollateralRequest } from '../collateral/fetcher.js';
import { certInfo } from './cert-chain.js';
import { parseCertificateChainData } from './certification-data.js';
import { parsePckExtension } from './pck-extension.js';
import { CERT_DATA_PCK_CHAIN, parseQuote, TEE_TYPE_SGX } from './quote.js';

/**
 * What to fetch for a quote: its TEE, the FMSPC from the PCK certificate, and which PCK CA
 * (platform or processor) issued it. Needs certification data type 5 (every real quote).
 */
export function intelCollateralRequest(quoteBytes: Uint8Array): Extract<CollateralRequest, { kind: 'intel' }> {
  const quote = parseQuote(quoteBytes);
  if (quote.certification.type !== CERT_DATA_PCK_CHAIN) {
    throw new SecGearError(ErrorCode.NOT_SUPPORTED, `the quote carries certification data type ${quote.certification.type}; fetching needs the PCK chain (type 5)`);
  }
  const certs = parseCertificateChainData(quote.certification.data).map(certInfo);
  const leaf = certs.find((c) => !c.ca);
  if (!leaf) throw new SecGearError(ErrorCode.INVALID_EVIDENCE, 'the PCK chain in the quote has no leaf certificate');
  const pck = parsePckExtension(leaf.der);
  return {
    kind: 'intel',
    tee: quote.header.teeType === TEE_TYPE_SGX ? 'sgx' : 'tdx',
    fmspc: pck.fmspc,
    pckCa: leaf.issuer.includes('Processor') ? 'processor' : 'platform',
  };
}
