/**
 * Paging of the List* operations: `Limit` checked against the operation's documented range,
 * and `Marker`/`NextMarker` values the caller cannot forge or move between lists.
 *
 * A marker is base64url(version 1 | tag (16) | position JSON). The tag is HMAC-SHA-256, cut
 * to 16 bytes, under a key kept in the database's meta table (so every node of a cluster
 * accepts every other's markers), over the list's scope (operation, account, key, filters)
 * and the position. A marker from another list, another tenant, or with any byte changed is
 * refused with InvalidMarkerException. The key guards against clients only: the host that
 * keeps the database could forge markers, but a marker only says where a listing resumes.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { Exception, KmsError } from '../common/kms-error.js';
import { optionalInteger, optionalString, type Params } from '../common/params.js';
import type { KmsStore } from '../store/kms-store.js';

const MARKER_VERSION = 1;
const TAG_LENGTH = 16;
const META_NAME = 'paging-marker-key';
/** AWS allows markers of up to 1024 characters. */
const MAX_MARKER = 1024;

/** A position in a listing: the sort key of the last item returned. */
export type Position = Array<string | number>;

export interface PageRequest {
  limit: number;
  /** Where to resume; undefined on the first page. */
  after: Position | undefined;
}

const keys = new WeakMap<KmsStore, Promise<Uint8Array>>();

function markerKey(store: KmsStore): Promise<Uint8Array> {
  let key = keys.get(store);
  if (!key) {
    key = store.putMetaOnce(META_NAME, randomBytes(32));
    // a failed read must not stay cached
    key.catch(() => keys.delete(store));
    keys.set(store, key);
  }
  return key;
}

function tagOf(key: Uint8Array, scope: readonly string[], payload: Uint8Array): Buffer {
  const mac = createHmac('sha256', key);
  // JSON of the scope is unambiguous (each part quoted), and the payload follows a separator JSON never contains
  mac.update(JSON.stringify(scope));
  mac.update('\0');
  mac.update(payload);
  return mac.digest().subarray(0, TAG_LENGTH);
}

const invalidMarker = () => new KmsError(Exception.InvalidMarker, 'Marker is not a NextMarker this service returned for this list (it was altered, or belongs to another list or key)');

function isPosition(value: unknown): value is Position {
  return Array.isArray(value) && value.length >= 1 && value.length <= 4 && value.every((v) => typeof v === 'string' || (typeof v === 'number' && Number.isSafeInteger(v)));
}

/**
 * Reads `Limit` (from `min` 1 to `max`, `defaultLimit` when absent) and `Marker`, which must be
 * one issued for the same `scope`.
 */
export async function readPage(store: KmsStore, params: Params, scope: readonly string[], range: { max: number; defaultLimit: number }): Promise<PageRequest> {
  const limit = optionalInteger(params, 'Limit', 1, range.max) ?? range.defaultLimit;
  const marker = optionalString(params, 'Marker', MAX_MARKER);
  if (marker === undefined) return { limit, after: undefined };
  if (!/^[A-Za-z0-9_-]+$/.test(marker)) throw invalidMarker();
  const bytes = Buffer.from(marker, 'base64url');
  if (bytes.length < 1 + TAG_LENGTH + 2 || bytes[0] !== MARKER_VERSION) throw invalidMarker();
  const payload = bytes.subarray(1 + TAG_LENGTH);
  const expected = tagOf(await markerKey(store), scope, payload);
  if (!timingSafeEqual(expected, bytes.subarray(1, 1 + TAG_LENGTH))) throw invalidMarker();
  let after: unknown;
  try {
    after = JSON.parse(payload.toString('utf8'));
  } catch {
    throw invalidMarker();
  }
  if (!isPosition(after)) throw invalidMarker();
  return { limit, after };
}

/** The marker that resumes a listing of `scope` after `position`. */
export async function makeMarker(store: KmsStore, scope: readonly string[], position: Position): Promise<string> {
  const payload = Buffer.from(JSON.stringify(position), 'utf8');
  const bytes = Buffer.concat([Buffer.of(MARKER_VERSION), tagOf(await markerKey(store), scope, payload), payload]);
  const marker = bytes.toString('base64url');
  if (marker.length > MAX_MARKER) throw new KmsError(Exception.Internal, 'a paging marker would exceed 1024 characters', 500);
  return marker;
}

/**
 * Builds the page answer from `rows` fetched with `limit + 1`: the first `limit` items, and
 * NextMarker/Truncated when there were more.
 */
export async function pageOf<T>(
  store: KmsStore, scope: readonly string[], page: PageRequest, rows: T[], positionOf: (row: T) => Position,
): Promise<{ items: T[]; Truncated: boolean; NextMarker?: string }> {
  const items = rows.slice(0, page.limit);
  const truncated = rows.length > page.limit;
  if (!truncated) return { items, Truncated: false };
  return { items, Truncated: true, NextMarker: await makeMarker(store, scope, positionOf(items[items.length - 1])) };
}

/** The position value at `index` as a string or number, or an InvalidMarkerException. */
export function positionPart<K extends 'string' | 'number'>(after: Position, index: number, kind: K): K extends 'string' ? string : number {
  const value = after[index];
  if (typeof value !== kind) throw invalidMarker();
  return value as K extends 'string' ? string : number;
}
