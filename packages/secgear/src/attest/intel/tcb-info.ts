import type { TcbStatus } from '../types.js';
import { JsonFields, TCB_STATUSES, fail, parseJsonText } from './json-fields.js';

/** One TCB level of a TCB Info: the minimum SVNs it requires and the status it gives. */
export interface TcbLevel {
  sgxComponents: number[];
  pceSvn: number;
  /** TDX TCB Info only: minimum TEE_TCB_SVN bytes. */
  tdxComponents: number[] | null;
  tcbDate: Date;
  tcbStatus: TcbStatus;
  advisoryIds: string[];
}

export interface TdxModuleLevel {
  isvSvn: number;
  tcbDate: Date;
  tcbStatus: TcbStatus;
  advisoryIds: string[];
}

export interface TdxModuleIdentity {
  /** `TDX_01`, `TDX_03`, ...: module major version in hex. */
  id: string;
  mrSigner: Uint8Array;
  attributes: Uint8Array;
  attributesMask: Uint8Array;
  tcbLevels: TdxModuleLevel[];
}

/** TCB Info (Intel PCS), version 2 (SGX) or 3 (SGX or TDX). */
export interface TcbInfo {
  id: 'SGX' | 'TDX';
  version: number;
  issueDate: Date;
  nextUpdate: Date;
  fmspc: Uint8Array;
  pceId: Uint8Array;
  tcbType: number;
  tcbEvaluationDataNumber: number;
  tdxModule: { mrSigner: Uint8Array; attributes: Uint8Array; attributesMask: Uint8Array } | null;
  tdxModuleIdentities: TdxModuleIdentity[] | null;
  tcbLevels: TcbLevel[];
}

function components(list: unknown[], where: string): number[] {
  if (list.length !== 16) fail(`${where} must list 16 components, found ${list.length}`);
  return list.map((c, i) => JsonFields.of(c, `${where}[${i}]`).int('svn'));
}

function readLevel(value: unknown, where: string, version: number, tdx: boolean): TcbLevel {
  const level = JsonFields.of(value, where);
  const tcb = level.object_('tcb');
  let sgxComponents: number[];
  if (version === 2) {
    sgxComponents = [];
    for (let i = 1; i <= 16; i++) sgxComponents.push(tcb.int(`sgxtcbcomp${String(i).padStart(2, '0')}svn`));
  } else {
    sgxComponents = components(tcb.array('sgxtcbcomponents'), `${where}.tcb.sgxtcbcomponents`);
  }
  const tdxComponents = tdx ? components(tcb.array('tdxtcbcomponents'), `${where}.tcb.tdxtcbcomponents`) : null;
  return {
    sgxComponents,
    pceSvn: tcb.int('pcesvn', 0xffff),
    tdxComponents,
    tcbDate: level.date('tcbDate'),
    tcbStatus: level.status('tcbStatus', TCB_STATUSES),
    advisoryIds: level.advisories(),
  };
}

function readModuleIdentity(value: unknown, where: string): TdxModuleIdentity {
  const m = JsonFields.of(value, where);
  const id = m.string('id');
  if (!/^TDX_[0-9A-Fa-f]{2}$/.test(id)) fail(`${where}.id "${id.slice(0, 20)}" is not TDX_<hex byte>`);
  return {
    id: id.toUpperCase(),
    mrSigner: m.hex('mrsigner', 48),
    attributes: m.hex('attributes', 8),
    attributesMask: m.hex('attributesMask', 8),
    tcbLevels: m.array('tcbLevels').map((l, i) => {
      const level = JsonFields.of(l, `${where}.tcbLevels[${i}]`);
      return {
        isvSvn: level.object_('tcb').int('isvsvn', 0xff),
        tcbDate: level.date('tcbDate'),
        tcbStatus: level.status('tcbStatus', TCB_STATUSES),
        advisoryIds: level.advisories(),
      };
    }),
  };
}

/**
 * Parses the inner `tcbInfo` JSON value (the signed bytes). Throws `CC_ERROR_INVALID_COLLATERAL`
 * naming the field when anything is missing or of the wrong type.
 */
export function parseTcbInfo(body: Uint8Array): TcbInfo {
  const t = JsonFields.of(parseJsonText(body, 'TCB Info'), 'tcbInfo');
  const version = t.int('version');
  if (version !== 2 && version !== 3) fail(`tcbInfo.version ${version} is not supported (2 and 3 are)`);
  const id = version === 2 ? 'SGX' : t.status('id', ['SGX', 'TDX'] as const);
  const tdx = id === 'TDX';
  const levels = t.array('tcbLevels');
  if (levels.length === 0) fail('tcbInfo.tcbLevels is empty');
  let tdxModule: TcbInfo['tdxModule'] = null;
  let tdxModuleIdentities: TdxModuleIdentity[] | null = null;
  if (tdx) {
    const m = t.object_('tdxModule');
    tdxModule = { mrSigner: m.hex('mrsigner', 48), attributes: m.hex('attributes', 8), attributesMask: m.hex('attributesMask', 8) };
    if (t.has('tdxModuleIdentities')) tdxModuleIdentities = t.array('tdxModuleIdentities').map((m2, i) => readModuleIdentity(m2, `tcbInfo.tdxModuleIdentities[${i}]`));
  }
  return {
    id,
    version,
    issueDate: t.date('issueDate'),
    nextUpdate: t.date('nextUpdate'),
    fmspc: t.hex('fmspc', 6),
    pceId: t.hex('pceId', 2),
    tcbType: t.has('tcbType') ? t.int('tcbType') : 0,
    tcbEvaluationDataNumber: t.has('tcbEvaluationDataNumber') ? t.int('tcbEvaluationDataNumber') : 0,
    tdxModule,
    tdxModuleIdentities,
    tcbLevels: levels.map((l, i) => readLevel(l, `tcbInfo.tcbLevels[${i}]`, version, tdx)),
  };
}
