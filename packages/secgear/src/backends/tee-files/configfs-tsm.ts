/**
 * Client of the Linux configfs-tsm report interface (`/sys/kernel/config/tsm/report/`), which
 * gives TDX quotes, SEV-SNP reports and Arm CCA tokens the same shape. One request:
 * 1. mkdir a fresh entry (never shared with another request);
 * 2. read `generation` (g0), write the 64-byte `inblob` in one write (applied at close), read
 *    `generation` again: it must be exactly g0 + 1, else someone else wrote to the entry;
 * 3. read `outblob` (the report is built on this first read) and `auxblob` (SEV-SNP
 *    certificates; absent or empty elsewhere), `provider`, and `generation` once more: still
 *    g0 + 1, so the outblob belongs to our inblob;
 * 4. check the report data inside the outblob against the inblob (for the formats we parse);
 * 5. rmdir the entry, whatever happened.
 * EBUSY (the provider is generating for another entry) is retried a few times with a pause.
 */
import { randomBytes } from 'node:crypto';
import { ErrorCode, SecGearError } from '../../common/errors.js';
import { guard, readDeviceFile, readDeviceText, writeDeviceFile, type FilePort } from './file-port.js';

export const TSM_REPORT_DIR = '/sys/kernel/config/tsm/report';
export const TSM_INBLOB_SIZE = 64;

/** The providers the kernel registers, and the evidence format each gives. */
export const TSM_PROVIDERS = { tdx_guest: 'tdx', sev_guest: 'sev-snp', arm_cca_guest: 'cca' } as const;
export type TsmProvider = keyof typeof TSM_PROVIDERS;
export type TsmEvidenceFormat = (typeof TSM_PROVIDERS)[TsmProvider];

export interface TsmReport {
  provider: TsmProvider;
  format: TsmEvidenceFormat;
  outblob: Uint8Array;
  /** SEV-SNP certificate table (VCEK/VLEK chain) when the host supplied one; empty otherwise. */
  auxblob: Uint8Array;
  generation: number;
}

export interface TsmReportOptions {
  /** SEV-SNP VMPL the report is requested for (`privlevel`), 0..3. */
  privlevel?: number;
  /** EBUSY retries before giving up. Default 5. */
  busyRetries?: number;
  /** Pause between EBUSY retries, in ms. Default 20. */
  busyPauseMs?: number;
  signal?: AbortSignal;
}

export async function requestTsmReport(port: FilePort, inblob: Uint8Array, options: TsmReportOptions = {}, dir = TSM_REPORT_DIR): Promise<TsmReport> {
  if (!(inblob instanceof Uint8Array) || inblob.byteLength !== TSM_INBLOB_SIZE) {
    throw new SecGearError(ErrorCode.BAD_PARAMETERS, `inblob must be exactly ${TSM_INBLOB_SIZE} bytes`);
  }
  if (options.privlevel !== undefined && !(Number.isInteger(options.privlevel) && options.privlevel >= 0 && options.privlevel <= 3)) {
    throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'privlevel must be an integer from 0 to 3');
  }
  const retries = options.busyRetries ?? 5;
  for (let attempt = 0; ; attempt++) {
    options.signal?.throwIfAborted();
    try {
      return await oneRequest(port, inblob, options, dir);
    } catch (error) {
      if ((error as SecGearError).code !== ErrorCode.TEE_DEVICE_BUSY || attempt >= retries) throw error;
      await new Promise((resolve) => setTimeout(resolve, options.busyPauseMs ?? 20));
    }
  }
}

async function oneRequest(port: FilePort, inblob: Uint8Array, options: TsmReportOptions, dir: string): Promise<TsmReport> {
  const entry = `${dir}/secgear-${process.pid}-${randomBytes(8).toString('hex')}`;
  await guard(entry, 'mkdir', () => port.mkdir(entry));
  try {
    if (options.privlevel !== undefined) {
      await writeDeviceFile(port, `${entry}/privlevel`, new TextEncoder().encode(`${options.privlevel}\n`));
    }
    const configured = await generation(port, entry);
    await writeDeviceFile(port, `${entry}/inblob`, inblob);
    const written = await generation(port, entry);
    if (written !== configured + 1) {
      throw new SecGearError(ErrorCode.TEE_DEVICE_BUSY, `${entry}: generation went from ${configured} to ${written} around our inblob write (expected +1); another writer touched the entry; retry`);
    }
    const outblob = await readDeviceFile(port, `${entry}/outblob`);
    const auxblob = (await port.exists(`${entry}/auxblob`)) ? await readDeviceFile(port, `${entry}/auxblob`) : new Uint8Array(0);
    const providerName = await readDeviceText(port, `${entry}/provider`);
    const after = await generation(port, entry);
    if (after !== written) {
      throw new SecGearError(ErrorCode.TEE_DEVICE_BUSY, `${entry}: generation changed from ${written} to ${after} while the report was read; it may not carry our inblob; retry`);
    }
    if (!(providerName in TSM_PROVIDERS)) {
      throw new SecGearError(ErrorCode.NOT_SUPPORTED, `configfs-tsm provider "${providerName}" is not one secGear understands (${Object.keys(TSM_PROVIDERS).join(', ')})`);
    }
    const provider = providerName as TsmProvider;
    const format = TSM_PROVIDERS[provider];
    checkReportData(format, outblob, inblob, entry);
    return { provider, format, outblob, auxblob, generation: after };
  } finally {
    await port.rmdir(entry).catch(() => undefined);
  }
}

async function generation(port: FilePort, entry: string): Promise<number> {
  const text = await readDeviceText(port, `${entry}/generation`);
  if (!/^\d{1,15}$/.test(text)) throw new SecGearError(ErrorCode.TEE_DEVICE, `${entry}/generation is not a number: ${JSON.stringify(text.slice(0, 40))}`);
  return Number(text);
}

/** Where each format carries the 64 bytes of report data (byte tables: docs/formats/*.md). */
function reportDataOf(format: TsmEvidenceFormat, outblob: Uint8Array): Uint8Array | null {
  if (format === 'tdx') {
    // quote header (48) + TD report body: REPORTDATA at 520
    return outblob.byteLength >= 48 + 584 ? outblob.subarray(48 + 520, 48 + 584) : null;
  }
  if (format === 'sev-snp') {
    // ATTESTATION_REPORT: REPORT_DATA at 0x50
    return outblob.byteLength >= 0x50 + 64 ? outblob.subarray(0x50, 0x90) : null;
  }
  return null;
}

/** Checks that a report carries our inblob as its report data (CCA: as its challenge). */
export function checkReportData(format: TsmEvidenceFormat, outblob: Uint8Array, inblob: Uint8Array, entry: string): void {
  if (format === 'cca') {
    // the realm token carries the challenge as a 64-byte CBOR byte string (0x58 0x40 + bytes);
    // the CCA verifier checks its place in the token, here we check it is there at all
    const needle = new Uint8Array([0x58, 0x40, ...inblob]);
    if (!Buffer.from(outblob.buffer, outblob.byteOffset, outblob.byteLength).includes(Buffer.from(needle))) {
      throw new SecGearError(ErrorCode.TEE_DEVICE, `${entry}/outblob does not carry our inblob as its challenge; the token is not ours`);
    }
    return;
  }
  const carried = reportDataOf(format, outblob);
  if (!carried) throw new SecGearError(ErrorCode.TEE_DEVICE, `${entry}/outblob is too short for a ${format} report (${outblob.byteLength} bytes)`);
  if (!carried.every((b, i) => b === inblob[i])) {
    throw new SecGearError(ErrorCode.TEE_DEVICE, `${entry}/outblob carries other report data than our inblob; the report is not ours`);
  }
}

/** Whether the configfs-tsm report interface exists on this machine (through `port`). */
export function tsmAvailable(port: FilePort, dir = TSM_REPORT_DIR): Promise<boolean> {
  return port.exists(dir);
}
