// Trusted side: the ledger lives here. Every argument has been checked against bank.edl by
// the generated table before these functions run (sizes, ranges, strings, struct shapes).
import { defineEnclave, log } from 'secgear/enclave';
import { createEcallTable, review_transfer, sg_ocall_print_string, type Status } from './bank_t.js';

interface Ledger {
  owner: string;
  balance: bigint;
  history: bigint[];
}

const REVIEW_THRESHOLD = 1000n;
const accounts = new Map<number, Ledger>();
const pending = new Map<number, bigint>();
let nextId = 1;
let nextTicket = 1;

function ownerBytes(owner: string): Uint8Array {
  // char owner[32]: UTF-8, NUL-terminated, truncated on a character boundary
  const out = new Uint8Array(32);
  const encoded = new TextEncoder().encode(owner);
  let n = Math.min(encoded.length, 31);
  while (n > 0 && (encoded[n] & 0xc0) === 0x80) n--;
  out.set(encoded.subarray(0, n));
  return out;
}

export const ecalls = createEcallTable({
  async open_account(owner, initial) {
    if (initial < 0n) return 0;
    const id = nextId++;
    accounts.set(id, { owner, balance: initial, history: [initial] });
    // an ocall of the standard library (secgear_tstdc.edl); the host may override it
    await sg_ocall_print_string(`opened account ${id} for ${owner}`);
    return id;
  },

  async transfer(t): Promise<Status> {
    const payer = accounts.get(t.payer);
    const payee = accounts.get(t.payee);
    if (!payer || !payee || t.amount <= 0n) return 'NO_SUCH_ACCOUNT';
    if (payer.balance < t.amount) return 'INSUFFICIENT_FUNDS';
    if (t.amount >= REVIEW_THRESHOLD) {
      // ask the host; while it reviews, it may call pending_amount (allowed by the EDL)
      const ticket = nextTicket++;
      pending.set(ticket, t.amount);
      const memo = new TextDecoder().decode(t.memo);
      const verdict = await review_transfer(memo, ticket);
      pending.delete(ticket);
      if (verdict !== 'OK') {
        log.info(`transfer ${t.payer} -> ${t.payee} refused by review`);
        return 'REFUSED';
      }
    }
    payer.balance -= t.amount;
    payee.balance += t.amount;
    payer.history.unshift(-t.amount);
    payee.history.unshift(t.amount);
    return 'OK';
  },

  statement(id, account, history, max, count) {
    const a = accounts.get(id);
    if (!a) return 'NO_SUCH_ACCOUNT';
    account.value = { id, balance: a.balance, owner: ownerBytes(a.owner) };
    const n = Math.min(max, a.history.length);
    history.set(a.history.slice(0, n));
    count.value = n;
    return 'OK';
  },

  balance_of(id) {
    return accounts.get(id)?.balance ?? -1n;
  },

  redact(text) {
    let masked = 0;
    for (let i = 0; i < text.length; i++) {
      if (text[i] >= 0x30 && text[i] <= 0x39) {
        text[i] = 0x2a; // '*'
        masked++;
      }
    }
    return masked;
  },

  pending_amount(ticket) {
    return pending.get(ticket) ?? -1n;
  },
});

defineEnclave({ ecalls });
