/**
 * Key-policy condition keys for a request's Recipient (attested key release), from what the
 * enclave verified. AWS's names for Nitro documents, and secGear's for every TEE; all values
 * are strings (bytes in lowercase hex), so the existing string operators, `Bool`, `Null` and
 * `…IfExists` apply. A claim the evidence does not have is absent, never empty.
 *
 * | key | value |
 * |---|---|
 * | `kms:RecipientAttestation:ImageSha384` | Nitro PCR0 (the enclave image digest) |
 * | `kms:RecipientAttestation:PCR<n>` | Nitro PCR n |
 * | `secgear:RecipientAttestation:Tee` | `sim`, `sgx`, `tdx`, `sev-snp`, `nitro`, `cca`, `virtcca`, … |
 * | `secgear:RecipientAttestation:Format` | the verifier's format name |
 * | `secgear:RecipientAttestation:Measurement` | the main measurement (MRENCLAVE, MRTD, PCR0, …) |
 * | `secgear:RecipientAttestation:Measurement:<name>` | a further measurement (`RTMR0`, `PCR8`, …) |
 * | `secgear:RecipientAttestation:Signer` | MRSIGNER and the like |
 * | `secgear:RecipientAttestation:TcbStatus` | Intel's words (`UpToDate`, `OutOfDate`, …); absent when unknown |
 * | `secgear:RecipientAttestation:Appraisal` | `affirming` or `warning` |
 * | `secgear:RecipientAttestation:Debug` | `true` or `false` |
 * | `secgear:RecipientAttestation:ProdId`, `:Svn` | decimal |
 */
import type { RecipientFacts } from '../common/protocol.js';

/** The condition keys (lowercase, as the policy evaluator looks them up) and their values. */
export function recipientConditions(facts: RecipientFacts): Map<string, string> {
  const out = new Map<string, string>();
  const ours = (name: string, value: string | number | boolean | undefined) => {
    if (value !== undefined) out.set(`secgear:recipientattestation:${name.toLowerCase()}`, String(value));
  };
  ours('tee', facts.tee);
  ours('format', facts.format);
  ours('measurement', facts.measurement);
  ours('signer', facts.signer);
  ours('tcbstatus', facts.tcbStatus);
  ours('appraisal', facts.appraisal);
  ours('debug', facts.debug);
  ours('prodid', facts.prodId);
  ours('svn', facts.svn);
  for (const [name, value] of Object.entries(facts.measurements)) ours(`measurement:${name}`, value);
  if (facts.format === 'nitro') {
    if (facts.measurements.PCR0) out.set('kms:recipientattestation:imagesha384', facts.measurements.PCR0);
    for (const [name, value] of Object.entries(facts.measurements)) {
      if (/^PCR\d+$/.test(name)) out.set(`kms:recipientattestation:${name.toLowerCase()}`, value);
    }
  }
  return out;
}
