/** Readers of the JSON request parameters: each checks type and range and names the field when it refuses. */
import { Exception, KmsError } from './kms-error.js';

export type Params = Record<string, unknown>;

export function parseBody(body: Uint8Array): Params {
  if (body.length === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch {
    throw new KmsError(Exception.SerializationError, 'the request body is not valid UTF-8 JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new KmsError(Exception.SerializationError, 'the request body must be a JSON object');
  return value as Params;
}

export function optionalString(params: Params, name: string, max = 2048): string | undefined {
  const value = params[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new KmsError(Exception.Validation, `${name} must be a string`);
  if (value.length < 1 || value.length > max) throw new KmsError(Exception.Validation, `${name} must be 1 to ${max} characters`);
  return value;
}

export function requiredString(params: Params, name: string, max = 2048): string {
  const value = optionalString(params, name, max);
  if (value === undefined) throw new KmsError(Exception.Validation, `${name} is required`);
  return value;
}

export function optionalInteger(params: Params, name: string, min: number, max: number): number | undefined {
  const value = params[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new KmsError(Exception.Validation, `${name} must be an integer from ${min} to ${max}`);
  }
  return value;
}

export function optionalBoolean(params: Params, name: string): boolean | undefined {
  const value = params[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw new KmsError(Exception.Validation, `${name} must be true or false`);
  return value;
}

export function oneOf<T extends string>(params: Params, name: string, allowed: readonly T[]): T | undefined {
  const value = optionalString(params, name, 128);
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw new KmsError(Exception.Validation, `${name} must be one of ${allowed.join(', ')}`);
  return value as T;
}

export function optionalStringList(params: Params, name: string, maxItems = 50): string[] | undefined {
  const value = params[name];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.length > maxItems || value.some((v) => typeof v !== 'string' || v.length === 0 || v.length > 8192)) {
    throw new KmsError(Exception.Validation, `${name} must be a list of at most ${maxItems} non-empty strings`);
  }
  return value as string[];
}
