/**
 * The EDL hash recorded in the image manifest (`edlHash`): SHA-384 over the canonical JSON of
 * the resolved interface — types, ecalls, ocalls and every attribute that shapes a value —
 * so comments, whitespace, file names and the layout of imports do not change it, and any
 * change to what crosses the boundary does.
 */
import { createHash } from 'node:crypto';
import type { EdlModel } from './model.js';

function canonical(value: unknown): string {
  if (typeof value === 'bigint') return JSON.stringify(value.toString());
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj)
      .filter((k) => obj[k] !== undefined && k !== 'loc' && k !== 'file')
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(obj[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The canonical form the hash covers (exposed for tools that want to diff interfaces). */
export function canonicalInterface(model: EdlModel): string {
  return canonical({ types: model.types, constants: model.constants, ecalls: model.ecalls, ocalls: model.ocalls });
}

export function edlHash(model: EdlModel): string {
  return createHash('sha384').update(canonicalInterface(model)).digest('hex');
}
