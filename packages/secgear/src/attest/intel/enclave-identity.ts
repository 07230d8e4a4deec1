import type { TcbStatus } from '../types.js';
import { JsonFields, fail, parseJsonText } from './json-fields.js';

export interface EnclaveIdentityLevel {
  isvSvn: number;
  tcbDate: Date;
  tcbStatus: Extract<TcbStatus, 'UpToDate' | 'OutOfDate' | 'Revoked'>;
  advisoryIds: string[];
}

/** Enclave Identity v2 (Intel PCS): the expected identity of the QE, TD_QE or QVE. */
export interface EnclaveIdentity {
  id: 'QE' | 'QVE' | 'TD_QE';
  version: number;
  issueDate: Date;
  nextUpdate: Date;
  tcbEvaluationDataNumber: number;
  /** MISCSELECT and its mask as 4 bytes in report order. */
  miscselect: Uint8Array;
  miscselectMask: Uint8Array;
  attributes: Uint8Array;
  attributesMask: Uint8Array;
  mrSigner: Uint8Array;
  isvProdId: number;
  tcbLevels: EnclaveIdentityLevel[];
}

const LEVEL_STATUSES = ['UpToDate', 'OutOfDate', 'Revoked'] as const;

/** Parses the inner `enclaveIdentity` JSON value (the signed bytes). Throws `CC_ERROR_INVALID_COLLATERAL`. */
export function parseEnclaveIdentity(body: Uint8Array): EnclaveIdentity {
  const e = JsonFields.of(parseJsonText(body, 'Enclave Identity'), 'enclaveIdentity');
  const version = e.int('version');
  if (version !== 2) fail(`enclaveIdentity.version ${version} is not supported (2 is)`);
  const levels = e.array('tcbLevels');
  if (levels.length === 0) fail('enclaveIdentity.tcbLevels is empty');
  // the hex lists MISCSELECT bytes in report order (checked against Intel's sample data)
  const misc = e.hex('miscselect', 4);
  const miscMask = e.hex('miscselectMask', 4);
  return {
    id: e.status('id', ['QE', 'QVE', 'TD_QE'] as const),
    version,
    issueDate: e.date('issueDate'),
    nextUpdate: e.date('nextUpdate'),
    tcbEvaluationDataNumber: e.has('tcbEvaluationDataNumber') ? e.int('tcbEvaluationDataNumber') : 0,
    miscselect: misc,
    miscselectMask: miscMask,
    attributes: e.hex('attributes', 16),
    attributesMask: e.hex('attributesMask', 16),
    mrSigner: e.hex('mrsigner', 32),
    isvProdId: e.int('isvprodid', 0xffff),
    tcbLevels: levels.map((l, i) => {
      const level = JsonFields.of(l, `enclaveIdentity.tcbLevels[${i}]`);
      return {
        isvSvn: level.object_('tcb').int('isvsvn', 0xffff),
        tcbDate: level.date('tcbDate'),
        tcbStatus: level.status('tcbStatus', LEVEL_STATUSES),
        advisoryIds: level.advisories(),
      };
    }),
  };
}
