/**
 * Client of Gramine's `/dev/attestation` pseudo-files, as seen from inside a Gramine enclave
 * (Gramine ≥ 1.6.1, SGX). The rules it relies on, from Gramine's pseudo-file semantics:
 * - writes to `user_report_data` and `target_info` take effect at close; shorter data is
 *   zero-padded, so we always write the full size in one write;
 * - `quote`, `report` and `my_target_info` are computed when they are opened, from the report
 *   data and target info saved at that moment, so each read opens afresh;
 * - `keys/_sgx_mrenclave` and `keys/_sgx_mrsigner` are 16-byte keys from EGETKEY (they change
 *   with the CPU SVN: use them only to wrap a data key that has another recovery path).
 * Gramine serialises these pseudo-files inside one enclave; callers still send one request at
 * a time (see GramineAttestation's queue) so report data and quote never interleave.
 */
import { ErrorCode, SecGearError } from '../../common/errors.js';
import { readDeviceFile, readDeviceText, writeDeviceFile, type FilePort } from './file-port.js';

export const GRAMINE_ATTESTATION_DIR = '/dev/attestation';
export const SGX_REPORT_DATA_SIZE = 64;
export const SGX_TARGET_INFO_SIZE = 512;
export const SGX_REPORT_SIZE = 432;
export const SGX_SEAL_KEY_SIZE = 16;
/** Offsets inside an SGX REPORT (and the report body of a quote), from the SDM. */
export const SGX_REPORT_BODY = { mrEnclave: 64, mrSigner: 128, isvProdId: 256, isvSvn: 258, reportData: 320, size: 384 } as const;

export type GramineSealKeyName = '_sgx_mrenclave' | '_sgx_mrsigner';

export interface GramineAttestation {
  /** `dcap` on an SGX machine set up for remote attestation; `none` otherwise. */
  attestationType(): Promise<string>;
  /** A DCAP quote whose REPORTDATA is `reportData` (exactly 64 bytes). */
  quote(reportData: Uint8Array): Promise<Uint8Array>;
  /** This enclave's TARGETINFO (512 bytes), for enclaves that report to it. */
  myTargetInfo(): Promise<Uint8Array>;
  /** An EREPORT (432 bytes) for the enclave named by `targetInfo`, carrying `reportData`. */
  report(targetInfo: Uint8Array, reportData: Uint8Array): Promise<Uint8Array>;
  /** A 16-byte sealing key of this enclave. */
  sealKey(name: GramineSealKeyName): Promise<Uint8Array>;
}

export function gramineAttestation(port: FilePort, dir = GRAMINE_ATTESTATION_DIR): GramineAttestation {
  let queue: Promise<unknown> = Promise.resolve();
  // one request at a time: the saved report data is shared state of the whole enclave
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const next = queue.then(work, work);
    queue = next.catch(() => undefined);
    return next;
  };
  const exact = (bytes: Uint8Array, size: number, what: string) => {
    if (!(bytes instanceof Uint8Array) || bytes.byteLength !== size) throw new SecGearError(ErrorCode.BAD_PARAMETERS, `${what} must be exactly ${size} bytes`);
  };
  const expectSize = (bytes: Uint8Array, size: number, what: string) => {
    if (bytes.byteLength !== size) throw new SecGearError(ErrorCode.TEE_DEVICE, `${dir}/${what} returned ${bytes.byteLength} bytes, expected ${size}: this is not SGX under Gramine ≥ 1.6.1`);
    return bytes;
  };
  return {
    attestationType: () => readDeviceText(port, `${dir}/attestation_type`),
    quote: (reportData) =>
      serial(async () => {
        exact(reportData, SGX_REPORT_DATA_SIZE, 'report data');
        await writeDeviceFile(port, `${dir}/user_report_data`, reportData);
        const quote = await readDeviceFile(port, `${dir}/quote`);
        if (quote.byteLength < 48 + SGX_REPORT_BODY.size) throw new SecGearError(ErrorCode.TEE_DEVICE, `${dir}/quote returned ${quote.byteLength} bytes, too short for an SGX quote`);
        // the quote must carry what we just wrote: another writer in this enclave would show here
        const carried = quote.subarray(48 + SGX_REPORT_BODY.reportData, 48 + SGX_REPORT_BODY.reportData + SGX_REPORT_DATA_SIZE);
        if (!carried.every((b, i) => b === reportData[i])) throw new SecGearError(ErrorCode.TEE_DEVICE, `${dir}/quote carries other report data than was written; retry`);
        return quote;
      }),
    myTargetInfo: async () => expectSize(await readDeviceFile(port, `${dir}/my_target_info`), SGX_TARGET_INFO_SIZE, 'my_target_info'),
    report: (targetInfo, reportData) =>
      serial(async () => {
        exact(targetInfo, SGX_TARGET_INFO_SIZE, 'target info');
        exact(reportData, SGX_REPORT_DATA_SIZE, 'report data');
        await writeDeviceFile(port, `${dir}/target_info`, targetInfo);
        await writeDeviceFile(port, `${dir}/user_report_data`, reportData);
        return expectSize(await readDeviceFile(port, `${dir}/report`), SGX_REPORT_SIZE, 'report');
      }),
    sealKey: async (name) => expectSize(await readDeviceFile(port, `${dir}/keys/${name}`), SGX_SEAL_KEY_SIZE, `keys/${name}`),
  };
}
