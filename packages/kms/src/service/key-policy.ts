/**
 * Key policies, the subset of the IAM policy language KMS key policies use: statements with
 * Effect, Principal, Action (with `*` wildcards) and Condition. An explicit Deny overrides any
 * Allow; no matching Allow is a deny. There is no IAM here: the account root principal
 * (`arn:aws:iam::<account>:root`, or the bare account id) stands for every principal of that
 * account, as the default key policy's "Enable IAM User Permissions" statement intends.
 */
import { Exception, KmsError } from '../common/kms-error.js';

export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal: '*' | { AWS: string | string[] };
  Action: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
}

export interface KeyPolicy {
  Version?: string;
  Id?: string;
  Statement: PolicyStatement[];
}

/** What a request looks like to the policy: who, what, and the condition keys' values. */
export interface PolicyRequest {
  principal: string;
  account: string;
  action: string;
  /** Condition keys, lowercase: `kms:encryptioncontext:<key>`, `kms:calleraccount`, `aws:principalarn`, ... */
  context: Map<string, string | string[]>;
}

export function defaultKeyPolicy(account: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Id: 'key-default-1',
    Statement: [{ Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'kms:*', Resource: '*' }],
  });
}

const malformed = (why: string) => new KmsError(Exception.MalformedPolicyDocument, `the key policy is malformed: ${why}`);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : [v]);

/** Parses and checks a policy document; refuses what it cannot evaluate faithfully. */
export function parseKeyPolicy(text: string): KeyPolicy {
  if (text.length > 32768) throw malformed('it is longer than 32768 characters');
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw malformed('it is not JSON');
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw malformed('it must be a JSON object');
  const statements = list((doc as { Statement?: unknown }).Statement);
  if (statements.length === 0 || statements[0] === undefined) throw malformed('it has no Statement');
  for (const s of statements) {
    if (typeof s !== 'object' || s === null) throw malformed('a Statement is not an object');
    const st = s as Record<string, unknown>;
    if (st.Effect !== 'Allow' && st.Effect !== 'Deny') throw malformed('Effect must be Allow or Deny');
    if ('NotAction' in st || 'NotPrincipal' in st || 'NotResource' in st) throw malformed('NotAction, NotPrincipal and NotResource are not supported');
    const p = st.Principal;
    if (p !== '*' && !(typeof p === 'object' && p !== null && 'AWS' in p && list((p as { AWS: unknown }).AWS).every((x) => typeof x === 'string'))) {
      throw malformed('Principal must be "*" or {"AWS": ...}');
    }
    if (!list(st.Action).every((a) => typeof a === 'string' && /^(kms:[A-Za-z*?]+|\*)$/.test(a))) throw malformed('Action must be kms:<Operation> names (wildcards allowed)');
    if (st.Condition !== undefined) {
      if (typeof st.Condition !== 'object' || st.Condition === null) throw malformed('Condition must be an object');
      for (const [op, body] of Object.entries(st.Condition as Record<string, unknown>)) {
        if (!operatorOf(op)) throw malformed(`the condition operator ${op} is not supported`);
        if (typeof body !== 'object' || body === null) throw malformed(`the ${op} condition must be an object`);
        for (const v of Object.values(body as Record<string, unknown>)) {
          if (!list(v).every((x) => typeof x === 'string' || typeof x === 'boolean' || typeof x === 'number')) throw malformed(`the ${op} values must be strings`);
        }
      }
    }
  }
  return { ...(doc as object), Statement: statements as PolicyStatement[] };
}

function wildcard(pattern: string, value: string, ignoreCase = false): boolean {
  const escaped = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`, ignoreCase ? 'is' : 's').test(value);
}

function principalMatches(principal: PolicyStatement['Principal'], request: PolicyRequest): boolean {
  if (principal === '*') return true;
  return list(principal.AWS).some((p) => {
    const s = String(p);
    if (s === '*') return true;
    if (s === request.account || s === `arn:aws:iam::${request.account}:root`) return true;
    return s === request.principal;
  });
}

type Compare = (actual: string, expected: string) => boolean;
const STRING_OPERATORS: Record<string, { compare: Compare; negate: boolean }> = {
  StringEquals: { compare: (a, e) => a === e, negate: false },
  StringNotEquals: { compare: (a, e) => a === e, negate: true },
  StringEqualsIgnoreCase: { compare: (a, e) => a.toLowerCase() === e.toLowerCase(), negate: false },
  StringNotEqualsIgnoreCase: { compare: (a, e) => a.toLowerCase() === e.toLowerCase(), negate: true },
  StringLike: { compare: (a, e) => wildcard(e, a), negate: false },
  StringNotLike: { compare: (a, e) => wildcard(e, a), negate: true },
  Bool: { compare: (a, e) => a === e, negate: false },
};

function operatorOf(name: string): { set?: 'ForAnyValue' | 'ForAllValues'; base: string; ifExists: boolean } | undefined {
  let rest = name;
  let set: 'ForAnyValue' | 'ForAllValues' | undefined;
  for (const prefix of ['ForAnyValue:', 'ForAllValues:'] as const) {
    if (rest.startsWith(prefix)) {
      set = prefix.slice(0, -1) as 'ForAnyValue' | 'ForAllValues';
      rest = rest.slice(prefix.length);
    }
  }
  const ifExists = rest.endsWith('IfExists');
  if (ifExists) rest = rest.slice(0, -'IfExists'.length);
  if (rest === 'Null' && !set && !ifExists) return { base: 'Null', ifExists: false };
  return STRING_OPERATORS[rest] ? { set, base: rest, ifExists } : undefined;
}

function conditionHolds(operator: string, key: string, expected: unknown, request: PolicyRequest): boolean {
  const op = operatorOf(operator)!;
  const actual = request.context.get(key.toLowerCase());
  const wanted = list(expected).map(String);
  if (op.base === 'Null') return (actual === undefined) === (wanted[0] === 'true');
  if (actual === undefined) return op.ifExists || (STRING_OPERATORS[op.base].negate && !op.set);
  const { compare, negate } = STRING_OPERATORS[op.base];
  const one = (value: string) => {
    const hit = wanted.some((w) => compare(value, w));
    return negate ? !hit : hit;
  };
  const values = list(actual).map(String);
  if (op.set === 'ForAllValues') return values.every(one);
  if (op.set === 'ForAnyValue') return values.some(one);
  return values.length === 1 && one(values[0]);
}

function statementApplies(statement: PolicyStatement, request: PolicyRequest): boolean {
  if (!principalMatches(statement.Principal, request)) return false;
  if (!list(statement.Action).some((a) => wildcard(String(a), request.action, true))) return false;
  for (const [operator, body] of Object.entries(statement.Condition ?? {})) {
    for (const [key, expected] of Object.entries(body)) if (!conditionHolds(operator, key, expected, request)) return false;
  }
  return true;
}

/** `allow`, `deny` (explicit) or `none` (no statement allows: also a deny, but grants may still allow). */
export function evaluateKeyPolicy(policy: KeyPolicy, request: PolicyRequest): 'allow' | 'deny' | 'none' {
  let allowed = false;
  for (const statement of policy.Statement) {
    if (!statementApplies(statement, request)) continue;
    if (statement.Effect === 'Deny') return 'deny';
    allowed = true;
  }
  return allowed ? 'allow' : 'none';
}
