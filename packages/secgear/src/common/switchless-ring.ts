import { RegionCodec } from './codec.js';

/**
 * The switchless ring: a SharedArrayBuffer the host and the enclave's switchless server share.
 * Layout (docs/formats/switchless-ring.md):
 *   control: Int32[8]  DOORBELL (sequence, bumped on every submit or posted message),
 *                      MESSAGES (1 when the host posted a normal message), CLOSED,
 *                      SERVER_SLEEPING, HOST_SLEEPERS, SERVER_SLEEPS, SPIN_HINT,
 *                      SERVER_WAKEUPS
 *   slots:   poolSize × (Int32[4] header: STATE, FUNCTION, LENGTH, CALL_ID  +  slotBytes payload)
 * A slot moves FREE → RESERVED (host writes args) → SUBMITTED → RUNNING (enclave took it)
 * → DONE (result written) → FREE (host read it). Every transition is an Atomics operation.
 */

export const CONTROL_INTS = 8;
export const DOORBELL = 0;
export const MESSAGES = 1;
export const CLOSED = 2;
/** 1 while the enclave's server sleeps in Atomics.wait (the host notifies only then). */
export const SERVER_SLEEPING = 3;
/** Number of host threads sleeping in Atomics.wait on a slot (the enclave notifies only then). */
export const HOST_SLEEPERS = 4;
/** How many times the enclave's server went to sleep (wraps; for stats and tests). */
export const SERVER_SLEEPS = 5;
/** Most polls the server may spin when idle (besides retriesBeforeSleep): the host lowers it, to 0 under contention. */
export const SPIN_HINT = 6;
/** How many of the server's sleeps ended because the host woke it (not by timeout; wraps). */
export const SERVER_WAKEUPS = 7;

/**
 * Atomic loads in one poll, on both sides: one poll is a short spin, about as long as the x86
 * `pause` that secGear's retry counts are measured in, so retriesBeforeFallback and
 * retriesBeforeSleep mean about what they do there.
 */
export const LOADS_PER_POLL = 64;

export const HEADER_INTS = 4;
export const STATE = 0;
export const FUNCTION = 1;
export const LENGTH = 2;
export const CALL_ID = 3;

export const FREE = 0;
export const RESERVED = 1;
export const SUBMITTED = 2;
export const RUNNING = 3;
export const DONE = 4;

/** Result kinds, stored in FUNCTION once a slot is DONE. */
export const RESULT_OK = 0;
export const RESULT_ERROR = 1;
/** The result did not fit the slot: it comes as a normal message keyed by CALL_ID. */
export const RESULT_BY_MESSAGE = 2;

export interface RingView {
  control: Int32Array;
  /** One header view per slot. */
  headers: Int32Array[];
  /** Buffer views of each slot's payload (Buffer: native UTF-8 string writes). */
  payloads: Buffer[];
  /** A codec bound to each payload. */
  codecs: RegionCodec[];
  slotBytes: number;
}

function slotStride(slotBytes: number): number {
  return HEADER_INTS * 4 + slotBytes;
}

export function ringByteLength(poolSize: number, slotBytes: number): number {
  return CONTROL_INTS * 4 + poolSize * slotStride(slotBytes);
}

export function createRingBuffer(poolSize: number, slotBytes: number): SharedArrayBuffer {
  return new SharedArrayBuffer(ringByteLength(poolSize, slotBytes));
}

export function viewRing(buffer: SharedArrayBuffer, poolSize: number, slotBytes: number): RingView {
  const headers: Int32Array[] = [];
  const payloads: Buffer[] = [];
  for (let i = 0; i < poolSize; i++) {
    const base = CONTROL_INTS * 4 + i * slotStride(slotBytes);
    headers.push(new Int32Array(buffer, base, HEADER_INTS));
    payloads.push(Buffer.from(buffer, base + HEADER_INTS * 4, slotBytes));
  }
  return { control: new Int32Array(buffer, 0, CONTROL_INTS), headers, payloads, codecs: payloads.map((p) => new RegionCodec(p)), slotBytes };
}

/**
 * Wakes the enclave's switchless server (after a submit or a posted message). The server
 * sets SERVER_SLEEPING before it waits on DOORBELL, so with sequentially consistent atomics
 * either we see the flag and notify, or its wait sees the new DOORBELL value and returns.
 */
export function ringDoorbell(control: Int32Array): void {
  Atomics.add(control, DOORBELL, 1);
  if (Atomics.load(control, SERVER_SLEEPING) !== 0) Atomics.notify(control, DOORBELL);
}
