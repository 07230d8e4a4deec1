/** A stored key as the API's KeyMetadata. Timestamps are epoch seconds. */
import { encryptionAlgorithmsOf, macAlgorithmsOf, signingAlgorithmsOf, type KeySpec } from '../../common/key-specs.js';
import type { KeyRow } from '../../store/kms-store.js';
import { keyArn } from '../key-access.js';

export const seconds = (ms: number) => ms / 1000;

export function keyMetadata(key: KeyRow, region: string): Record<string, unknown> {
  const spec = key.spec as KeySpec;
  const meta: Record<string, unknown> = {
    AWSAccountId: key.account,
    KeyId: key.key_id,
    Arn: keyArn(region, key.account, key.key_id),
    CreationDate: seconds(key.created),
    Enabled: key.state === 'Enabled',
    Description: key.description,
    KeyUsage: key.usage,
    KeyState: key.state,
    Origin: 'AWS_KMS',
    KeyManager: 'CUSTOMER',
    CustomerMasterKeySpec: spec,
    KeySpec: spec,
    MultiRegion: false,
  };
  if (key.deletion_date !== null) {
    meta.DeletionDate = seconds(key.deletion_date);
    meta.PendingDeletionWindowInDays = key.pending_window_days;
  }
  if (key.usage === 'ENCRYPT_DECRYPT') meta.EncryptionAlgorithms = encryptionAlgorithmsOf(spec);
  if (key.usage === 'SIGN_VERIFY') meta.SigningAlgorithms = signingAlgorithmsOf(spec);
  if (key.usage === 'GENERATE_VERIFY_MAC') meta.MacAlgorithms = macAlgorithmsOf(spec);
  return meta;
}
