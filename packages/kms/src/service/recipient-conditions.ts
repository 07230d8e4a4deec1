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
import { Exception, KmsError } from '../common/kms-error.js';
import type { RecipientFacts } from '../common/protocol.js';

const HEX = /^[0-9a-f]{0,256}$/;
const WORD = /^[\x21-\x7e]{1,64}$/;

/** Checks the enclave's account of a Recipient before the host uses it (every enclave→host message is checked). */
export function readRecipientFacts(value: unknown): RecipientFacts {
  const bad = () => new KmsError(Exception.Internal, 'the enclave returned malformed Recipient facts', 500);
  if (typeof value !== 'object' || value === null) throw bad();
  const f = value as Record<string, unknown>;
  const word = (v: unknown, optional = false) => (optional && v === undefined) || (typeof v === 'string' && WORD.test(v));
  const hex = (v: unknown, optional = false) => (optional && v === undefined) || (typeof v === 'string' && HEX.test(v));
  const int = (v: unknown) => v === undefined || (Number.isInteger(v) && (v as number) >= 0);
  if (!(typeof f.digest === 'string' && /^[0-9a-f]{64}$/.test(f.digest)) || !word(f.format) || !word(f.tee) || !word(f.appraisal)) throw bad();
  if (!hex(f.measurement, true) || !hex(f.signer, true) || !word(f.tcbStatus, true) || !int(f.prodId) || !int(f.svn)) throw bad();
  if (f.debug !== undefined && typeof f.debug !== 'boolean') throw bad();
  const m = f.measurements;
  if (typeof m !== 'object' || m === null || Object.entries(m).length > 64 || !Object.entries(m).every(([k, v]) => /^[A-Za-z0-9_]{1,32}$/.test(k) && hex(v))) throw bad();
  return value as RecipientFacts;
}

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
