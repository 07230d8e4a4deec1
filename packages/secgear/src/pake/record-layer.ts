/**
 * The PAKE session's record layer: the shared AEAD records (src/records) keyed by SPAKE2+'s
 * K_shared, one HKDF label per direction (docs/formats/pake-records.md). Data records only.
 */
import { ErrorCode, SecGearError } from '../common/errors.js';
import { AeadRecordLayer } from '../records/record-layer.js';

export { MAX_RECORD_PLAINTEXT, MAX_RECORDS, type RecordLayerState } from '../records/record-layer.js';

export type RecordRole = 'prover' | 'verifier';

const LABEL_P2V = new TextEncoder().encode('secgear pake record v1 prover to verifier');
const LABEL_V2P = new TextEncoder().encode('secgear pake record v1 verifier to prover');

export class RecordLayer extends AeadRecordLayer {
  readonly role: RecordRole;

  /**
   * @param sharedKey K_shared from a completed SPAKE2+ handshake (at least 32 bytes). The layer
   * derives its own keys; the caller may zeroize `sharedKey` afterwards.
   * @param role which side this is: the prover sends with the prover-to-verifier key.
   */
  constructor(sharedKey: Uint8Array, role: RecordRole) {
    if (role !== 'prover' && role !== 'verifier') {
      throw new SecGearError(ErrorCode.BAD_PARAMETERS, `role must be "prover" or "verifier", got ${String(role)}`);
    }
    const prover = role === 'prover';
    super({ secret: sharedKey, sendLabel: prover ? LABEL_P2V : LABEL_V2P, receiveLabel: prover ? LABEL_V2P : LABEL_P2V });
    this.role = role;
  }
}
