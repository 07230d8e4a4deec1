import { bytesEqual } from '../../common/bytes.js';
import type { CheckOutcome, TcbStatus } from '../types.js';
import type { EnclaveIdentity, EnclaveIdentityLevel } from './enclave-identity.js';
import type { PckExtension } from './pck-extension.js';
import type { SgxReport, TdReport } from './report-body.js';
import type { TcbInfo, TcbLevel, TdxModuleIdentity, TdxModuleLevel } from './tcb-info.js';

/**
 * TCB evaluation after Intel's Quote Verification Library: select the TCB level from the PCK
 * certificate's SVNs (and, for TDX, the TD report's TEE_TCB_SVN), check the TDX module and the
 * QE against their identities, and merge the statuses and advisory IDs.
 */

/** Component SVNs are bytes; QVL reads TCB Info values into `uint8_t`, and so do we. */
const svnByte = (value: number) => value & 0xff;

function sgxLevelMatches(pck: PckExtension, level: TcbLevel): boolean {
  for (let i = 0; i < 16; i++) if (pck.components[i] < svnByte(level.sgxComponents[i])) return false;
  return pck.pceSvn >= level.pceSvn;
}

function tdxLevelMatches(teeTcbSvn: Uint8Array, level: TcbLevel): boolean {
  const components = level.tdxComponents;
  if (!components) return false;
  // with a TDX module version in byte 1, bytes 0-1 belong to the module identity check instead
  const start = teeTcbSvn[1] > 0 ? 2 : 0;
  for (let i = start; i < 16; i++) if (teeTcbSvn[i] < svnByte(components[i])) return false;
  return true;
}

export interface LevelMatch {
  sgxLevel: TcbLevel | null;
  tdxLevel: TcbLevel | null;
}

/** QVL's level selection: the first (highest) level the platform meets, in served order. */
export function matchTcbLevels(info: TcbInfo, pck: PckExtension, teeTcbSvn: Uint8Array | null): LevelMatch {
  let sgxLevel: TcbLevel | null = null;
  for (const level of info.tcbLevels) {
    if (!sgxLevelMatches(pck, level)) continue;
    if (!teeTcbSvn) return { sgxLevel: level, tdxLevel: null };
    sgxLevel ??= level;
    if (tdxLevelMatches(teeTcbSvn, level)) return { sgxLevel, tdxLevel: level };
  }
  return { sgxLevel, tdxLevel: null };
}

/** Merges a component's "OutOfDate"/"Revoked" into the platform level status, as QVL does. */
export function convergeStatus(levelStatus: TcbStatus, other: TcbStatus): TcbStatus {
  if (other === 'Revoked') return 'Revoked';
  if (other === 'OutOfDate') {
    if (levelStatus === 'UpToDate' || levelStatus === 'SWHardeningNeeded') return 'OutOfDate';
    if (levelStatus === 'ConfigurationNeeded' || levelStatus === 'ConfigurationAndSWHardeningNeeded') return 'OutOfDateConfigurationNeeded';
  }
  return levelStatus;
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

export interface QeIdentityResult {
  checks: CheckOutcome[];
  level: EnclaveIdentityLevel | null;
}

/** Checks the QE report against the QE identity (MISCSELECT, ATTRIBUTES, MRSIGNER, ISVPRODID, ISVSVN). */
export function checkQeIdentity(identity: EnclaveIdentity, qe: SgxReport): QeIdentityResult {
  const checks: CheckOutcome[] = [];
  const misc = new Uint8Array(4);
  for (let i = 0; i < 4; i++) misc[i] = qe.raw[16 + i] & identity.miscselectMask[i];
  if (!bytesEqual(misc, identity.miscselect)) {
    checks.push({ check: 'qeIdentity.miscselect', ok: false, detail: `QE MISCSELECT under mask is ${hex(misc)}, the QE identity requires ${hex(identity.miscselect)}` });
    return { checks, level: null };
  }
  checks.push({ check: 'qeIdentity.miscselect', ok: true });
  const attrs = qe.attributes.map((b, i) => b & identity.attributesMask[i]);
  if (!bytesEqual(attrs, identity.attributes)) {
    checks.push({ check: 'qeIdentity.attributes', ok: false, detail: `QE ATTRIBUTES under mask are ${hex(attrs)}, the QE identity requires ${hex(identity.attributes)}` });
    return { checks, level: null };
  }
  checks.push({ check: 'qeIdentity.attributes', ok: true });
  if (!bytesEqual(qe.mrSigner, identity.mrSigner)) {
    checks.push({ check: 'qeIdentity.mrsigner', ok: false, detail: `QE MRSIGNER ${hex(qe.mrSigner)} is not the one in the QE identity (${hex(identity.mrSigner)})` });
    return { checks, level: null };
  }
  checks.push({ check: 'qeIdentity.mrsigner', ok: true });
  if (qe.isvProdId !== identity.isvProdId) {
    checks.push({ check: 'qeIdentity.isvProdId', ok: false, detail: `QE ISVPRODID ${qe.isvProdId} is not ${identity.isvProdId}` });
    return { checks, level: null };
  }
  checks.push({ check: 'qeIdentity.isvProdId', ok: true });
  const level = identity.tcbLevels.find((l) => qe.isvSvn >= l.isvSvn) ?? null;
  if (!level) {
    checks.push({ check: 'qeIdentity.isvSvn', ok: false, detail: `QE ISVSVN ${qe.isvSvn} is below every TCB level of the QE identity (TCB not supported)` });
    return { checks, level: null };
  }
  checks.push({ check: 'qeIdentity.isvSvn', ok: true, detail: `QE ISVSVN ${qe.isvSvn}: ${level.tcbStatus}` });
  return { checks, level };
}

export interface TdxModuleResult {
  check: CheckOutcome;
  /** The module's own TCB level (null when the quote names no module version). */
  level: TdxModuleLevel | null;
}

/** Finds the TDX module identity for the report's module version and checks MRSIGNERSEAM and SEAM attributes. */
export function checkTdxModule(info: TcbInfo, td: TdReport): TdxModuleResult {
  const version = td.teeTcbSvn[1];
  let expected: { mrSigner: Uint8Array; attributes: Uint8Array; attributesMask: Uint8Array } | null = info.tdxModule;
  let identity: TdxModuleIdentity | null = null;
  if (version > 0) {
    const id = `TDX_${version.toString(16).padStart(2, '0').toUpperCase()}`;
    identity = info.tdxModuleIdentities?.find((m) => m.id === id) ?? null;
    if (!identity) return { check: { check: 'tdxModule.identity', ok: false, detail: `the TCB Info has no TDX module identity ${id} for module version ${version}` }, level: null };
    expected = identity;
  }
  if (!expected) return { check: { check: 'tdxModule.identity', ok: false, detail: 'the TDX TCB Info has no tdxModule' }, level: null };
  if (!bytesEqual(td.mrSignerSeam, expected.mrSigner)) {
    return { check: { check: 'tdxModule.identity', ok: false, detail: `MRSIGNERSEAM ${hex(td.mrSignerSeam)} is not the TDX module signer ${hex(expected.mrSigner)}` }, level: null };
  }
  // QVL requires SEAM attributes to be zero and equal to the identity's attributes
  if (td.seamAttributes.some((b, i) => b !== 0 || b !== expected.attributes[i])) {
    return { check: { check: 'tdxModule.identity', ok: false, detail: `SEAMATTRIBUTES ${hex(td.seamAttributes)} are not zero / not ${hex(expected.attributes)}` }, level: null };
  }
  if (!identity) return { check: { check: 'tdxModule.identity', ok: true }, level: null };
  const level = identity.tcbLevels.find((l) => td.teeTcbSvn[0] >= l.isvSvn) ?? null;
  if (!level) {
    return { check: { check: 'tdxModule.tcbLevel', ok: false, detail: `TDX module ISVSVN ${td.teeTcbSvn[0]} is below every level of ${identity.id} (TCB not supported)` }, level: null };
  }
  return { check: { check: 'tdxModule.identity', ok: true, detail: `${identity.id} ISVSVN ${td.teeTcbSvn[0]}: ${level.tcbStatus}` }, level };
}

export interface TcbVerdict {
  status: TcbStatus;
  advisoryIds: string[];
}

/** Final status and advisory IDs: platform level, then the TDX module, then the QE (QVL's order). */
export function mergeVerdict(platform: TcbLevel, module: TdxModuleLevel | null, qe: EnclaveIdentityLevel | null): TcbVerdict {
  let status = platform.tcbStatus;
  if (module) status = convergeStatus(status, module.tcbStatus);
  if (qe) status = convergeStatus(status, qe.tcbStatus);
  const advisoryIds = [...new Set([...platform.advisoryIds, ...(module?.advisoryIds ?? []), ...(qe?.advisoryIds ?? [])])];
  return { status, advisoryIds };
}
