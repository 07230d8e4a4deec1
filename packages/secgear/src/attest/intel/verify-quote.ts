import { createHash } from 'node:crypto';
import { bytesEqual } from '../../common/bytes.js';
import { reportDataBindsNonce } from '../nonce-binding.js';
import type { Appraisal, CheckOutcome, TcbStatus, VerifierContext, VerifierOutput } from '../types.js';
import { buildChain, certInfos, chainsToAnchor, type CertInfo } from './cert-chain.js';
import { parseCertificateChainData } from './certification-data.js';
import { normalizedClaims, rawQuoteClaims } from './claims.js';
import { checkCrl, checkPckRevocation, checkSignedCollateral, crlSignedBy, pickCurrent, signedByTcbSigner, type TrustContext } from './collateral-checks.js';
import type { Crl } from '../pki/crl.js';
import { assembleIntelCollateral, type IntelCollateral, type Signed } from './collateral.js';
import { p256PublicKey, verifyP256 } from './ecdsa.js';
import { INTEL_SGX_ROOT_CA_DER } from './intel-root-ca.js';
import { parsePckExtension, type PckExtension } from './pck-extension.js';
import { CERT_DATA_PCK_CHAIN, parseQuote, TEE_TYPE_SGX, type Quote } from './quote.js';
import { checkQeIdentity, checkTdxModule, matchTcbLevels, mergeVerdict } from './tcb-evaluation.js';
import { BoundedCache, digest, registerCache } from './verdict-cache.js';

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

// parsed once per content; the checks that use them run on every call
const quoteChains = registerCache(new BoundedCache<CertInfo[]>(1024));
const pckExtensions = registerCache(new BoundedCache<PckExtension>(1024));

/** Thrown inside the pipeline to stop at the first failed check (caught in `verifyIntelQuote`). */
class Stop extends Error {}

/**
 * Verifies an SGX or TDX DCAP quote with whatever Intel collateral the context holds. Every
 * check is recorded by name; the pipeline stops at the first failure. Never throws.
 */
export function verifyIntelQuote(data: Uint8Array, tee: 'sgx' | 'tdx', context: VerifierContext): VerifierOutput {
  const run = new QuoteRun(tee, context);
  try {
    run.execute(data);
  } catch (error) {
    if (!(error instanceof Stop)) run.checks.push({ check: 'verifier.internal', ok: false, detail: message(error) });
  }
  return run.output();
}

class QuoteRun {
  readonly checks: CheckOutcome[] = [];
  private quote: Quote | null = null;
  private pck: PckExtension | null = null;
  private tcbStatus: TcbStatus | null = null;
  private advisoryIds: string[] = [];
  private nonce: Uint8Array | null = null;
  private readonly reasons: string[] = [];

  constructor(
    private readonly tee: 'sgx' | 'tdx',
    private readonly context: VerifierContext,
  ) {}

  private pass(check: string, detail?: string): void {
    this.checks.push(detail ? { check, ok: true, detail } : { check, ok: true });
  }

  private fail(check: string, detail: string): never {
    this.checks.push({ check, ok: false, detail });
    throw new Stop(detail);
  }

  private record(outcomes: CheckOutcome[]): void {
    for (const o of outcomes) {
      this.checks.push(o);
      if (!o.ok) throw new Stop(o.detail);
    }
  }

  execute(data: Uint8Array): void {
    let quote: Quote;
    try {
      quote = parseQuote(data);
    } catch (error) {
      return this.fail('quote.parse', message(error));
    }
    this.quote = quote;
    this.pass('quote.parse', `quote v${quote.header.version}${quote.trailingBytes ? `, ${quote.trailingBytes} trailing bytes ignored` : ''}`);
    const isSgx = quote.header.teeType === TEE_TYPE_SGX;
    if (isSgx !== (this.tee === 'sgx')) this.fail('quote.teeType', `this is ${isSgx ? 'an SGX' : 'a TDX'} quote, verified as format ${this.tee === 'sgx' ? 'sgx-dcap' : 'tdx'}`);

    const collateral = assembleIntelCollateral(this.context.collateral);
    for (const e of collateral.errors) this.fail(e.check, e.detail);
    const anchors = this.anchors();
    const foreign = collateral.certs.find((c) => !chainsToAnchor(c, collateral.certs, anchors));
    if (foreign) {
      this.fail('collateral.certificate', `${foreign.subject} (${collateral.certSources.get(foreign.digest)}) does not chain to a trust anchor: corrupt, or from another PKI`);
    }

    const { leaf, pool, fromQuote } = this.pckCertificate(quote, collateral);
    const chain = buildChain(leaf, pool, anchors, this.context.now);
    if (!chain.ok) this.fail('pck.chain', `PCK certificate: ${chain.detail}`);
    // every certificate the quote carries must be on the verified path: none may be ignored
    const stray = fromQuote.find((c) => !chain.path.some((p) => p.digest === c.digest));
    if (stray) this.fail('pck.chain', `the quote's PCK chain holds a certificate that is not on the verified path: ${stray.subject}`);
    this.pass('pck.chain');
    try {
      this.pck = pckExtensions.getOrCompute(leaf.digest, () => parsePckExtension(leaf.der));
    } catch (error) {
      this.fail('pck.extension', message(error));
    }
    this.pass('pck.extension');

    if (!verifyP256(leaf.publicKey, quote.qeReport.raw, quote.qeReportSignature)) {
      this.fail('qe.reportSignature', 'the QE report signature does not verify with the PCK certificate key');
    }
    this.pass('qe.reportSignature');
    const binding = createHash('sha256').update(quote.attestationKey).update(quote.qeAuthData).digest();
    if (!bytesEqual(binding, quote.qeReport.reportData.subarray(0, 32))) {
      this.fail('qe.reportDataBinding', 'QE report data is not SHA-256(attestation key ‖ QE authentication data): the attestation key is not the one the QE certified');
    }
    this.pass('qe.reportDataBinding');
    const attestationKey = p256PublicKey(quote.attestationKey);
    if (!attestationKey) this.fail('quote.signature', 'the attestation key is not a valid P-256 point');
    if (!verifyP256(attestationKey, quote.signedData, quote.signature)) {
      this.fail('quote.signature', 'the quote signature over header and body does not verify with the attestation key');
    }
    this.pass('quote.signature');
    this.checkNonce(quote);

    if (collateral.empty) {
      this.reasons.push('collateral: none given, so the TCB status is unknown and revocation was not checked (signatures and the PCK chain were verified)');
      return;
    }
    this.evaluateCollateral(quote, collateral, chain.path, anchors);
  }

  private anchors(): CertInfo[] {
    const ders = this.context.replaceBuiltInAnchors ? [] : [INTEL_SGX_ROOT_CA_DER];
    for (const a of this.context.trustAnchors) if (a.kind === 'x509') ders.push(a.der);
    const { certs, errors } = certInfos(ders);
    if (errors.length) this.fail('anchors', `a trust anchor given is not a readable X.509 certificate: ${errors[0]}`);
    if (certs.length === 0) this.fail('anchors', 'no X.509 trust anchor to verify an Intel PCK chain against');
    return certs;
  }

  /** The PCK leaf: from the quote (certification data type 5) or, for other types, from collateral. */
  private pckCertificate(quote: Quote, collateral: IntelCollateral): { leaf: CertInfo; pool: CertInfo[]; fromQuote: CertInfo[] } {
    let fromQuote: CertInfo[] = [];
    if (quote.certification.type === CERT_DATA_PCK_CHAIN) {
      try {
        fromQuote = quoteChains.getOrCompute(digest(quote.certification.data), () => {
          const parsed = certInfos(parseCertificateChainData(quote.certification.data));
          if (parsed.errors.length) throw new Error(`PCK chain in the quote: ${parsed.errors[0]}`);
          return parsed.certs;
        });
      } catch (error) {
        return this.fail('pck.certificate', message(error));
      }
    }
    const candidates = (fromQuote.length ? fromQuote : collateral.certs).filter((c) => !c.ca && c.subject.includes('SGX PCK Certificate'));
    if (candidates.length === 0) {
      this.fail(
        'pck.certificate',
        fromQuote.length
          ? 'the PCK chain in the quote holds no "Intel SGX PCK Certificate" leaf'
          : `the quote carries certification data type ${quote.certification.type} (no PCK chain); give the PCK certificate and its chain as collateral`,
      );
    }
    // several PCK certificates in collateral: the one whose key signed the QE report
    const leaf = candidates.length === 1 ? candidates[0] : (candidates.find((c) => verifyP256(c.publicKey, quote.qeReport.raw, quote.qeReportSignature)) ?? candidates[0]);
    this.pass('pck.certificate', leaf.subject);
    return { leaf, pool: [...fromQuote, ...collateral.certs], fromQuote };
  }

  /** A nonce binds when REPORTDATA starts with it, or with its SHA-256, or is its SHA-512. Recorded once. */
  private checkNonce(quote: Quote): void {
    const nonce = this.context.nonce;
    if (!nonce) return;
    if (!reportDataBindsNonce(quote.body.report.reportData, nonce)) {
      return this.fail('nonce.binding', 'REPORTDATA holds neither the nonce nor its SHA-256 or SHA-512: stale or replayed evidence');
    }
    this.nonce = nonce;
    this.pass('nonce.binding');
  }

  private evaluateCollateral(quote: Quote, collateral: IntelCollateral, pckPath: CertInfo[], anchors: CertInfo[]): void {
    const now = this.context.now;
    const anchor = pckPath[pckPath.length - 1];
    const leaf = pckPath[0];
    const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
    // every CRL given must come from a known issuer and carry its valid signature: none is ignored
    const issuers = [...anchors, ...pckPath, ...collateral.certs];
    const fromRoot: Crl[] = [];
    const fromPckCa: Crl[] = [];
    for (const crl of collateral.crls) {
      const key = hex(crl.issuer);
      const candidates = issuers.filter((c) => c.subjectKey === key);
      if (!candidates.length) this.fail('crl.issuer', 'a CRL was given whose issuer is none of the trust anchors, the PCK chain or the collateral certificates');
      const name = key === anchor.subjectKey ? 'crl.root' : 'crl.pck';
      if (!candidates.some((c) => crlSignedBy(crl, c))) this.fail(`${name}.signature`, `a CRL of ${candidates[0].subject} does not verify with its issuer's key`);
      if (key === anchor.subjectKey) fromRoot.push(crl);
      else if (key === leaf.issuerKey) fromPckCa.push(crl);
    }
    const newest = (list: Crl[]) => list.sort((a, b) => b.thisUpdate.getTime() - a.thisUpdate.getTime())[0] ?? null;
    const rootCrl = newest(fromRoot);
    if (rootCrl) this.record(checkCrl('crl.root', rootCrl, anchor, now));
    else this.reasons.push('collateral: no root CA CRL given, so revocation of the intermediate CAs was not checked');
    const pckCrl = newest(fromPckCa);
    if (pckCrl) {
      this.record(checkCrl('crl.pck', pckCrl, pckPath[1], now));
    } else if (collateral.crls.length > fromRoot.length) {
      this.fail('crl.pck.issuer', `no PCK CRL of the PCK certificate's issuer (${leaf.issuer}) was given, only CRLs of other CAs; give the CRL of that CA`);
    } else {
      this.reasons.push('collateral: no PCK CRL given, so revocation of the PCK certificate was not checked');
    }
    const revocation = checkPckRevocation(pckPath, rootCrl, pckCrl);
    if (revocation) this.record([revocation]);

    const trust: TrustContext = { anchors, certs: collateral.certs, now, rootCrl };
    const pck = this.pck!;
    const wantId = this.tee === 'sgx' ? 'SGX' : 'TDX';
    // every signed item given must carry a valid signature, used or not
    const unsigned = (items: Array<Signed<{ issueDate: Date; nextUpdate: Date }>>) => items.find((item) => !signedByTcbSigner(item, trust));
    for (const [name, bad] of [['tcbInfo', unsigned(collateral.tcbInfos)], ['qeIdentity', unsigned(collateral.qeIdentities)]] as const) {
      if (bad) this.fail(`${name}.signature`, `the signature of ${bad.source} does not verify with a TCB signing certificate over the served bytes`);
    }
    let tcbInfo = null;
    if (collateral.tcbInfos.length) {
      const sameTee = collateral.tcbInfos.filter((t) => t.value.id === wantId);
      if (!sameTee.length) this.fail('tcbInfo.tee', `the TCB Info given is for ${collateral.tcbInfos[0].value.id}, the quote is ${wantId}`);
      tcbInfo = pickCurrent(sameTee.filter((t) => bytesEqual(t.value.fmspc, pck.fmspc)), now);
      if (!tcbInfo) this.fail('tcbInfo.fmspc', `no TCB Info for FMSPC ${hex(pck.fmspc).toUpperCase()} (given: ${sameTee.map((t) => hex(t.value.fmspc).toUpperCase()).join(', ')})`);
      this.record(checkSignedCollateral('tcbInfo', tcbInfo, trust));
      this.pass('tcbInfo.fmspc');
      if (!bytesEqual(tcbInfo.value.pceId, pck.pceId)) this.fail('tcbInfo.pceId', `TCB Info PCEID ${hex(tcbInfo.value.pceId)} is not the PCK certificate's ${hex(pck.pceId)}`);
      this.pass('tcbInfo.pceId');
    } else {
      this.reasons.push('collateral: no TCB Info given, so the TCB status is unknown');
    }

    let qeLevel = null;
    if (collateral.qeIdentities.length) {
      const wantQe = this.tee === 'sgx' ? 'QE' : 'TD_QE';
      const identity = pickCurrent(collateral.qeIdentities.filter((q) => q.value.id === wantQe), now);
      if (!identity) this.fail('qeIdentity.id', `the QE identity given is for ${collateral.qeIdentities[0].value.id}, a ${wantId} quote needs ${wantQe}`);
      this.record(checkSignedCollateral('qeIdentity', identity, trust));
      const result = checkQeIdentity(identity.value, quote.qeReport);
      this.record(result.checks);
      qeLevel = result.level;
    } else {
      this.reasons.push('collateral: no QE identity given, so the quoting enclave was not checked against Intel\'s identity');
    }

    if (!tcbInfo) return;
    let moduleLevel = null;
    const td = quote.body.kind === 'td' ? quote.body.report : null;
    if (td) {
      const module = checkTdxModule(tcbInfo.value, td);
      this.record([module.check]);
      moduleLevel = module.level;
    }
    const match = matchTcbLevels(tcbInfo.value, pck, td ? td.teeTcbSvn : null);
    if (!match.sgxLevel) this.fail('tcb.level', 'no TCB level of the TCB Info is met by the PCK certificate\'s SGX TCB (TCB not supported)');
    const platform = td ? match.tdxLevel : match.sgxLevel;
    if (!platform) this.fail('tcb.level', 'no TCB level of the TCB Info is met by the TD report\'s TEE_TCB_SVN (TCB not supported)');
    this.pass('tcb.level', `${platform.tcbStatus} (TCB date ${platform.tcbDate.toISOString()})`);
    const verdict = mergeVerdict(platform, moduleLevel, qeLevel);
    this.tcbStatus = verdict.status;
    this.advisoryIds = verdict.advisoryIds;
    if (verdict.status === 'Revoked') this.fail('tcb.status', 'the platform TCB (or its TDX module or QE) is revoked');
    this.pass('tcb.status', verdict.status);
  }

  output(): VerifierOutput {
    const quote = this.quote;
    const claims = quote ? normalizedClaims(quote, this.tcbStatus, this.advisoryIds, this.nonce) : null;
    const rawClaims = quote ? rawQuoteClaims(quote, this.pck) : {};
    return { tee: this.tee, claims, rawClaims, checks: this.checks, appraisal: this.appraisal(claims?.debug ?? null) };
  }

  private appraisal(debug: boolean | null): Appraisal {
    const reasons: string[] = [];
    let status: Appraisal['status'] = 'affirming';
    if (this.tcbStatus && this.tcbStatus !== 'UpToDate') {
      status = 'warning';
      const advisories = this.advisoryIds.length ? ` (advisories ${this.advisoryIds.join(', ')})` : '';
      reasons.push(`tcb: platform TCB status is ${this.tcbStatus}${advisories}`);
    }
    if (this.reasons.length) {
      status = 'warning';
      reasons.push(...this.reasons);
    }
    if (debug) {
      status = 'warning';
      reasons.push(`debug: the ${this.tee === 'sgx' ? 'enclave' : 'TD'} runs in debug mode, so the host can read its memory`);
    }
    if (status === 'affirming') reasons.push(`tcb: UpToDate, every signature, chain, CRL and identity check passed`);
    return { status, reasons };
  }
}
