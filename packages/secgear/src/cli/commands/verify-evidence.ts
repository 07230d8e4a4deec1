import { readFileSync } from 'node:fs';
import { InvalidArgumentError, type Command } from 'commander';
import { fromHex, jsonReplacer } from '../../common/bytes.js';
import { ErrorCode, SecGearError } from '../../common/errors.js';
import { buildEar, detectFormat, earSubmodule, listVerifiers, loadCollateral, loadTrustAnchors, verifyEvidence } from '../../attest/index.js';
import type { EvidenceFormat, VerificationResult } from '../../attest/types.js';

const FORMATS: EvidenceFormat[] = ['sgx-dcap', 'tdx', 'sev-snp', 'nitro', 'cca', 'virtcca', 'ra-tls-cert', 'sim'];

interface Options {
  format?: EvidenceFormat;
  collateral: string[];
  anchors: string[];
  onlyAnchors?: boolean;
  at?: Date;
  nonce?: Uint8Array;
  reportData?: Uint8Array;
  allowSim?: boolean;
  json?: boolean;
  ear?: boolean;
}

const collect = (value: string, previous: string[]) => [...previous, value];

function parseFormat(value: string): EvidenceFormat {
  if (!(FORMATS as string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${FORMATS.join(', ')}`);
  return value as EvidenceFormat;
}

function parseTime(value: string): Date {
  const ms = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(ms)) throw new InvalidArgumentError('expected an ISO 8601 time such as 2025-07-19T10:01:17Z');
  return new Date(ms);
}

function parseNonce(value: string): Uint8Array {
  try {
    return fromHex(value);
  } catch (error) {
    throw new InvalidArgumentError(error instanceof Error ? error.message : String(error));
  }
}

/**
 * Evidence files are binary; hex text (optionally 0x-prefixed, as several projects ship
 * quotes) and base64 text are decoded when the raw bytes are not a known format.
 */
function readEvidence(path: string, format: EvidenceFormat | undefined): Uint8Array {
  let raw: Uint8Array;
  try {
    raw = new Uint8Array(readFileSync(path));
  } catch (error) {
    throw new SecGearError(ErrorCode.BAD_PARAMETERS, `cannot read evidence file ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  const text = Buffer.from(raw).toString('latin1').trim();
  if (/^(0x)?[0-9a-fA-F]+$/.test(text) && text.replace(/^0x/, '').length % 2 === 0 && text.length >= 64) {
    return new Uint8Array(Buffer.from(text.replace(/^0x/, ''), 'hex'));
  }
  if (!format && !detectFormat(raw) && /^[A-Za-z0-9+/\s]+={0,2}$/.test(text) && text.length >= 64) {
    const decoded = new Uint8Array(Buffer.from(text.replace(/\s+/g, ''), 'base64'));
    if (detectFormat(decoded)) return decoded;
  }
  return raw;
}

function printHuman(result: VerificationResult, path: string): void {
  const out: string[] = [];
  const verdict = !result.verified ? 'REJECTED' : result.appraisal.status === 'contraindicated' ? 'VERIFIED BUT CONTRAINDICATED (not to be trusted)' : 'VERIFIED';
  out.push(`${verdict} ${path} (format ${result.format}${result.tee ? `, tee ${result.tee}` : ''})`);
  if (result.failure) out.push(`failed check: ${result.failure.check}: ${result.failure.message}`);
  if (result.claims) {
    out.push(`tcb status: ${result.claims.tcbStatus ?? 'unknown'}${result.claims.advisoryIds.length ? ` (${result.claims.advisoryIds.join(', ')})` : ''}`);
    if (result.claims.measurement) out.push(`measurement: ${Buffer.from(result.claims.measurement).toString('hex')}`);
    if (result.claims.debug !== null) out.push(`debug: ${result.claims.debug}`);
  }
  out.push(`appraisal: ${result.appraisal.status}`);
  // the failed check is already printed above; do not repeat it as a reason or a lone check line
  const failed = result.failure?.message;
  for (const reason of result.appraisal.reasons) if (!failed || !reason.includes(failed)) out.push(`  - ${reason}`);
  if (!(result.checks.length === 1 && result.failure)) {
    out.push('checks:');
    for (const c of result.checks) out.push(`  ${c.ok ? 'ok  ' : 'FAIL'} ${c.check}${c.detail ? `: ${c.detail}` : ''}`);
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

export function registerVerifyEvidence(program: Command): void {
  program
    .command('verify-evidence')
    .description(
      'verify TEE evidence (SGX/TDX quotes, SEV-SNP reports, Nitro documents, CCA tokens, RA-TLS certificates); exit 0 verified and not contraindicated, 2 rejected or contraindicated, 1 usage error',
    )
    .argument('<file>', 'evidence file (binary, or hex/base64 text)')
    .option('--format <format>', `evidence format (detected when omitted): ${FORMATS.join(', ')}`, parseFormat)
    .option('--collateral <path>', 'collateral file or folder, recognised by content (repeatable)', collect, [])
    .option('--anchors <path>', 'extra trust anchors: certificates or public keys, file or folder (repeatable)', collect, [])
    .option('--only-anchors', 'trust only the --anchors given, not the built-in vendor roots')
    .option('--at <time>', 'verify as of this ISO 8601 time (default: now)', parseTime)
    .option('--nonce <hex>', 'require the evidence to bind this nonce', parseNonce)
    .option('--report-data <hex>', "require the evidence to bind exactly this data with the nonce (what the enclave passed to getEvidence; docs/formats/evidence-binding.md)", parseNonce)
    .option('--allow-sim', 'accept simulated evidence (never in production)')
    .option('--json', 'print the full result as JSON (bytes as hex)')
    .option('--ear', 'print the appraisal as an EAR (RATS attestation result) claims set, unsigned, as the attestation service would')
    .action(async (file: string, opts: Options) => {
      const evidence = readEvidence(file, opts.format);
      const collateral = await loadCollateral(opts.collateral);
      const anchors = await loadTrustAnchors(opts.anchors);
      for (const s of [...collateral.skipped, ...anchors.skipped]) process.stderr.write(`secgear: skipped ${s.path}: ${s.reason}\n`);
      if (opts.format && !listVerifiers().some((v) => v.format === opts.format)) {
        throw new SecGearError(ErrorCode.UNKNOWN_EVIDENCE_FORMAT, `no verifier is registered for format ${opts.format} in this build`);
      }
      const result = await verifyEvidence(evidence, {
        format: opts.format,
        collateral: collateral.items,
        trustAnchors: anchors.anchors,
        replaceBuiltInAnchors: opts.onlyAnchors ?? false,
        now: opts.at,
        nonce: opts.nonce,
        reportData: opts.reportData,
        allowSimulation: opts.allowSim ?? false,
      });
      if (opts.ear) {
        const ear = buildEar({ submods: { [result.tee ?? 'unknown']: earSubmodule(result) }, issuedAt: opts.at ?? new Date(), nonce: opts.nonce && opts.nonce.byteLength >= 8 ? opts.nonce : undefined, verifier: { developer: 'secgear-ts', build: 'secgear verify-evidence' } });
        process.stdout.write(`${JSON.stringify(ear, null, 2)}\n`);
      } else if (opts.json) process.stdout.write(`${JSON.stringify(result, jsonReplacer, 2)}\n`);
      else printHuman(result, file);
      // a script's `&& trust` must not accept evidence the appraisal says not to trust
      process.exitCode = result.verified && result.appraisal.status !== 'contraindicated' ? 0 : 2;
    });
}
