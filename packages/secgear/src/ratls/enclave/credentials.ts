/**
 * `createRaTlsCredentials` inside the enclave: the key pair is generated here and the private
 * key never crosses the boundary; the platform's evidence binds the certificate to it.
 */
import { getEvidence } from '../../enclave/evidence.js';
import { issueRaTlsCredentials, type RaTlsCredentialOptions, type RaTlsCredentials } from '../issue-credentials.js';

export function createRaTlsCredentials(options: RaTlsCredentialOptions = {}): Promise<RaTlsCredentials> {
  return issueRaTlsCredentials(options, (reportData) => getEvidence({ reportData }));
}
