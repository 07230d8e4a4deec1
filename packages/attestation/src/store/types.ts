/**
 * What the service keeps: single-use challenges, and records by kind (policies, reference
 * values, resources, resource policies, public signing keys) as JSON. Two stores implement it:
 * SQLite (one node, the default) and PostgreSQL (several nodes sharing one database). Every
 * service instance owns its store: nothing is shared through module state.
 */

export type RecordKind = 'policy' | 'reference' | 'resource' | 'resource-policy' | 'signing-key';

export interface ChallengeRecord {
  /** The nonce, base64url: what the attester sends back. */
  challenge: string;
  /** The session id in the cookie. */
  session: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

export interface Store {
  /** Creates the tables when they do not exist. */
  init(): Promise<void>;
  close(): Promise<void>;
  putChallenge(record: ChallengeRecord): Promise<void>;
  /** Removes and returns the challenge (single use, atomic across nodes); null when unknown or already used. */
  takeChallenge(challenge: string): Promise<ChallengeRecord | null>;
  /** Drops challenges that expired before `now`; returns how many. */
  purgeChallenges(now: number): Promise<number>;
  put(kind: RecordKind, key: string, value: unknown): Promise<void>;
  get<T>(kind: RecordKind, key: string): Promise<T | null>;
  /** Every record of a kind, ordered by key; with `prefix`, only keys that start with it. */
  list<T>(kind: RecordKind, prefix?: string): Promise<{ key: string; value: T }[]>;
  /** True when a record was deleted. */
  delete(kind: RecordKind, key: string): Promise<boolean>;
  /** Deletes every record of a kind (with `prefix`: whose key starts with it); returns how many. */
  clear(kind: RecordKind, prefix?: string): Promise<number>;
}

/** LIKE pattern for a key prefix, with the wildcards escaped (`\` is the escape character). */
export function likePrefix(prefix: string): string {
  return `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
