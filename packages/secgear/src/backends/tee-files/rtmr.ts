/**
 * Extending a TDX runtime measurement register (RTMR) with the enclave image's measurement,
 * through the kernel's sysfs files (Linux ≥ 6.16): reading
 * `/sys/class/misc/tdx_guest/measurements/rtmrN:sha384` gives the register (48 bytes), writing
 * 48 bytes extends it: RTMR := SHA-384(RTMR || digest). The register alone says only that
 * something was extended; the event log says what, so a verifier replays the log and compares
 * the result with the RTMR in the quote (`replayRtmr`). Format: docs/formats/rtmr-event-log.md.
 */
import { createHash } from 'node:crypto';
import { fromHex, toHex } from '../../common/bytes.js';
import { ErrorCode, SecGearError } from '../../common/errors.js';
import { readDeviceFile, writeDeviceFile, type FilePort } from './file-port.js';

export const TDX_MEASUREMENTS_DIR = '/sys/class/misc/tdx_guest/measurements';
export const RTMR_SIZE = 48;
/** RTMR2 is the OS-application register by convention (RTMR0: firmware config, RTMR1: kernel). */
export const DEFAULT_RTMR = 2;
const EVENT_LOG_VERSION = 1;
/** Domain label hashed into every event digest, so our digests never collide with other software's. */
const EVENT_DOMAIN = 'secgear-rtmr-event-v1\0';

/** One extension, as recorded in the event log. */
export interface RtmrEvent {
  rtmr: number;
  /** What was measured: `secgear.enclave-image` for images; other types are the caller's. */
  type: string;
  /** The event's content (for images: name, measurement, signer, svn), JSON. */
  content: Record<string, string | number | boolean>;
  /** SHA-384(domain || canonical content): the 48 bytes extended into the register. */
  digest: Uint8Array;
}

export function rtmrPath(index: number, dir = TDX_MEASUREMENTS_DIR): string {
  if (!Number.isInteger(index) || index < 0 || index > 3) throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'a TDX RTMR index is 0, 1, 2 or 3');
  return `${dir}/rtmr${index}:sha384`;
}

/** The digest of an event: SHA-384 over a domain label, the type and the canonical JSON content. */
export function eventDigest(type: string, content: Record<string, string | number | boolean>): Uint8Array {
  const keys = Object.keys(content).sort();
  const canonical = JSON.stringify(Object.fromEntries(keys.map((k) => [k, content[k]])));
  return new Uint8Array(createHash('sha384').update(EVENT_DOMAIN).update(type).update('\0').update(canonical).digest());
}

/** RTMR := SHA-384(RTMR || digest), as the TDX module computes it. */
export function extendValue(register: Uint8Array, digest: Uint8Array): Uint8Array {
  if (register.byteLength !== RTMR_SIZE || digest.byteLength !== RTMR_SIZE) throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'RTMR values and digests are 48 bytes');
  return new Uint8Array(createHash('sha384').update(register).update(digest).digest());
}

/**
 * Replays an event log onto initial register values (all zero after TD build for RTMR2/3, or
 * the values the log starts from) and returns the expected value of each register it touches.
 */
export function replayRtmr(events: readonly RtmrEvent[], initial: Record<number, Uint8Array> = {}): Record<number, Uint8Array> {
  const registers: Record<number, Uint8Array> = {};
  for (const event of events) {
    const recomputed = eventDigest(event.type, event.content);
    if (!recomputed.every((b, i) => b === event.digest[i])) {
      throw new SecGearError(ErrorCode.INVALID_EVIDENCE, `event log entry of type ${event.type} has a digest that does not match its content`);
    }
    const current = registers[event.rtmr] ?? initial[event.rtmr] ?? new Uint8Array(RTMR_SIZE);
    registers[event.rtmr] = extendValue(current, event.digest);
  }
  return registers;
}

/** The RTMR extender with its event log (one per process; the register is per VM). */
export class RtmrEventLog {
  readonly events: RtmrEvent[] = [];

  constructor(
    private readonly port: FilePort,
    private readonly dir = TDX_MEASUREMENTS_DIR,
  ) {}

  /** Whether this VM lets us extend RTMRs (TDX guest with the measurements sysfs). */
  available(index = DEFAULT_RTMR): Promise<boolean> {
    return this.port.exists(rtmrPath(index, this.dir));
  }

  read(index: number): Promise<Uint8Array> {
    return readDeviceFile(this.port, rtmrPath(index, this.dir), RTMR_SIZE * 4).then((value) => {
      if (value.byteLength !== RTMR_SIZE) throw new SecGearError(ErrorCode.TEE_DEVICE, `${rtmrPath(index, this.dir)} returned ${value.byteLength} bytes, expected ${RTMR_SIZE}`);
      return value;
    });
  }

  /**
   * Extends `index` with an event and records it. Checks that the register moved exactly as
   * the log says (old → SHA-384(old || digest)); another extender in between makes the log
   * incomplete, which is an error the caller must see.
   */
  async extend(index: number, type: string, content: Record<string, string | number | boolean>): Promise<RtmrEvent> {
    const digest = eventDigest(type, content);
    const before = await this.read(index);
    await writeDeviceFile(this.port, rtmrPath(index, this.dir), digest);
    const after = await this.read(index);
    const expected = extendValue(before, digest);
    if (!after.every((b, i) => b === expected[i])) {
      throw new SecGearError(ErrorCode.TEE_DEVICE, `RTMR${index} did not move to SHA-384(old || digest): another process extended it at the same time; the event log cannot describe it`);
    }
    const event: RtmrEvent = { rtmr: index, type, content: { ...content }, digest };
    this.events.push(event);
    return event;
  }

  /** Extends with an enclave image's identity (what `cvm` does before the image runs). */
  extendImage(index: number, image: { name: string; measurement: Uint8Array; signer: Uint8Array; svn: number }): Promise<RtmrEvent> {
    return this.extend(index, 'secgear.enclave-image', { name: image.name, measurement: toHex(image.measurement), signer: toHex(image.signer), svn: image.svn });
  }

  /** The log as JSON (what verifiers receive beside the quote). */
  toJSON(): { version: number; events: Array<Omit<RtmrEvent, 'digest'> & { digest: string }> } {
    return { version: EVENT_LOG_VERSION, events: this.events.map((e) => ({ ...e, digest: toHex(e.digest) })) };
  }
}

/** Parses an event log from its JSON form, checking every field (it comes from an untrusted host). */
export function parseRtmrEventLog(json: unknown): RtmrEvent[] {
  const bad = (why: string): never => {
    throw new SecGearError(ErrorCode.INVALID_EVIDENCE, `RTMR event log: ${why}`);
  };
  if (typeof json !== 'object' || json === null || (json as { version?: unknown }).version !== EVENT_LOG_VERSION) bad(`expected { version: ${EVENT_LOG_VERSION}, events: [...] }`);
  const events = (json as { events?: unknown }).events;
  if (!Array.isArray(events) || events.length > 4096) bad('events must be an array of at most 4096 entries');
  return (events as unknown[]).map((e, i) => {
    if (typeof e !== 'object' || e === null) bad(`events[${i}] is not an object`);
    const { rtmr, type, content, digest } = e as Record<string, unknown>;
    if (!Number.isInteger(rtmr) || (rtmr as number) < 0 || (rtmr as number) > 3) bad(`events[${i}].rtmr must be 0..3`);
    if (typeof type !== 'string' || type.length === 0 || type.length > 128) bad(`events[${i}].type must be a short string`);
    if (typeof content !== 'object' || content === null || Array.isArray(content)) bad(`events[${i}].content must be an object`);
    for (const [k, v] of Object.entries(content as object)) {
      if (!['string', 'number', 'boolean'].includes(typeof v)) bad(`events[${i}].content.${k} must be a string, number or boolean`);
    }
    if (typeof digest !== 'string' || !/^[0-9a-f]{96}$/.test(digest)) bad(`events[${i}].digest must be 96 hex digits`);
    return { rtmr: rtmr as number, type: type as string, content: content as Record<string, string | number | boolean>, digest: fromHex(digest as string) };
  });
}
