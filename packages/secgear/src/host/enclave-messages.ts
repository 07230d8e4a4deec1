/**
 * Shape checks for every message an enclave sends. Enclave code is hostile until checked: a
 * message that is not exactly one of the protocol's shapes ends that enclave
 * (CC_ERROR_ENCLAVE_LOST, protocol violation) instead of reaching host code.
 */
import { LOG_LEVELS, ToHost, type EnclaveMessage } from '../common/protocol.js';

/** Longest log line kept from an enclave; longer ones are cut and marked. */
export const MAX_LOG_LINE = 8192;
/** Longest ecall/ocall/platform name and Fatal reason accepted. */
const MAX_NAME = 128;
const MAX_REASON = 2000;
const MAX_ERROR_MESSAGE = 65536;

export type CheckedMessage = { ok: true; message: EnclaveMessage } | { ok: false; violation: string };

const isId = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v > 0;
const isName = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= MAX_NAME;

function isWireError(v: unknown): boolean {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const { code, message, stack } = v as Record<string, unknown>;
  return (
    typeof code === 'string' &&
    code.length <= MAX_NAME &&
    typeof message === 'string' &&
    message.length <= MAX_ERROR_MESSAGE &&
    (stack === undefined || (typeof stack === 'string' && stack.length <= MAX_ERROR_MESSAGE))
  );
}

const bad = (violation: string): CheckedMessage => ({ ok: false, violation });

/** Checks one message from an enclave. Never throws. */
export function checkEnclaveMessage(raw: unknown): CheckedMessage {
  if (!Array.isArray(raw) || raw.length === 0) return bad('a message that is not a non-empty array');
  const m = raw as unknown[];
  switch (m[0]) {
    case ToHost.Result:
      if (m.length !== 4 || !isId(m[1]) || typeof m[2] !== 'boolean') return bad('a malformed result');
      if (m[2] === false && !isWireError(m[3])) return bad('a failed result without a { code, message } error');
      break;
    case ToHost.Ocall:
      if (m.length !== 4 || !isId(m[1]) || !isName(m[2]) || !Array.isArray(m[3])) return bad('a malformed ocall');
      break;
    case ToHost.Platform:
      if (m.length !== 4 || !isId(m[1]) || !isName(m[2]) || !Array.isArray(m[3])) return bad('a malformed platform request');
      break;
    case ToHost.Log:
      if (m.length !== 3 || typeof m[2] !== 'string') return bad('a malformed log line');
      if (!(LOG_LEVELS as readonly unknown[]).includes(m[1])) return bad('a log line with an unknown level');
      break;
    case ToHost.Ready:
      if (m.length !== 2 || !Array.isArray(m[1]) || m[1].length > 65536 || !m[1].every(isName)) return bad('a malformed ready message');
      break;
    case ToHost.Fatal:
      if (m.length !== 2 || typeof m[1] !== 'string') return bad('a malformed fatal message');
      break;
    default:
      return bad('a message of unknown kind');
  }
  return { ok: true, message: m as EnclaveMessage };
}

/**
 * What of an enclave's text may reach the host's output: control characters escaped (no
 * forged lines or terminal sequences) and at most `max` characters.
 */
export function printable(text: string, max: number): string {
  const cut = text.length > max ? `${text.slice(0, max)}… (${text.length - max} more characters cut)` : text;
  return cut.replace(/[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Bounds a reason string (Fatal, crash message) for the CC_ERROR_ENCLAVE_LOST message. */
export function boundedReason(text: string): string {
  return printable(text, MAX_REASON);
}
