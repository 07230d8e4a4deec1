import { ErrorCode, SecGearError } from '../../common/errors.js';
import type { TcbStatus } from '../types.js';

/** Strict field readers for Intel's collateral JSON: a wrong type is an error, never a guess. */
export class JsonFields {
  constructor(
    private readonly object: Record<string, unknown>,
    private readonly where: string,
  ) {}

  static of(value: unknown, where: string): JsonFields {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(`${where} must be a JSON object`);
    return new JsonFields(value as Record<string, unknown>, where);
  }

  has(key: string): boolean {
    return this.object[key] !== undefined;
  }

  raw(key: string): unknown {
    return this.object[key];
  }

  int(key: string, max = 0xffffffff): number {
    const v = this.object[key];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) fail(`${this.where}.${key} must be an integer 0..${max}`);
    return v;
  }

  string(key: string): string {
    const v = this.object[key];
    if (typeof v !== 'string') fail(`${this.where}.${key} must be a string`);
    return v;
  }

  hex(key: string, bytes: number): Uint8Array {
    const v = this.string(key);
    if (v.length !== bytes * 2 || !/^[0-9a-fA-F]*$/.test(v)) fail(`${this.where}.${key} must be ${bytes} bytes of hex`);
    return new Uint8Array(Buffer.from(v, 'hex'));
  }

  date(key: string): Date {
    const v = this.string(key);
    const ms = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(v) ? Date.parse(v) : NaN;
    if (Number.isNaN(ms)) fail(`${this.where}.${key} must be an ISO 8601 UTC time, found "${v.slice(0, 40)}"`);
    return new Date(ms);
  }

  array(key: string): unknown[] {
    const v = this.object[key];
    if (!Array.isArray(v)) fail(`${this.where}.${key} must be an array`);
    return v;
  }

  object_(key: string): JsonFields {
    return JsonFields.of(this.object[key], `${this.where}.${key}`);
  }

  /** Advisory IDs: optional array of strings. */
  advisories(): string[] {
    if (!this.has('advisoryIDs')) return [];
    const list = this.array('advisoryIDs');
    if (!list.every((x) => typeof x === 'string')) fail(`${this.where}.advisoryIDs must be strings`);
    return list as string[];
  }

  status<T extends string>(key: string, allowed: readonly T[]): T {
    const v = this.string(key);
    if (!(allowed as readonly string[]).includes(v)) fail(`${this.where}.${key} "${v.slice(0, 40)}" is not one of ${allowed.join(', ')}`);
    return v as T;
  }
}

export const TCB_STATUSES: readonly TcbStatus[] = [
  'UpToDate',
  'SWHardeningNeeded',
  'ConfigurationNeeded',
  'ConfigurationAndSWHardeningNeeded',
  'OutOfDate',
  'OutOfDateConfigurationNeeded',
  'Revoked',
];

export function fail(message: string): never {
  throw new SecGearError(ErrorCode.INVALID_COLLATERAL, message);
}

export function parseJsonText(bytes: Uint8Array, what: string): unknown {
  try {
    return JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch (error) {
    return fail(`${what} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
}
