// Trusted side: a salary ledger that only the data owner's secure channel reaches. The channel's
// session keys, the records and the totals exist in the clear only inside the enclave; the host
// relays ciphertext.
import { defineEnclave } from 'secgear/enclave';
import { secureChannel } from 'secgear/channel/enclave';

const salaries = new Map<string, number>();
const decoder = new TextDecoder();
const encoder = new TextEncoder();

secureChannel.configure({ maxSessions: 32, idleTimeoutMs: 120_000 });

function handle(request: string): string {
  const [command, name, amount] = request.trim().split(/\s+/);
  switch (command?.toUpperCase()) {
    case 'PUT': {
      const value = Number(amount);
      if (!name || !Number.isFinite(value) || value < 0) return 'ERROR usage: PUT <name> <amount>';
      salaries.set(name, value);
      return `OK ${salaries.size}`;
    }
    case 'TOTAL':
      return `TOTAL ${[...salaries.values()].reduce((a, b) => a + b, 0)} over ${salaries.size}`;
    case 'AVERAGE':
      return salaries.size ? `AVERAGE ${([...salaries.values()].reduce((a, b) => a + b, 0) / salaries.size).toFixed(2)}` : 'AVERAGE none';
    default:
      return 'ERROR unknown command (PUT <name> <amount>, TOTAL, AVERAGE); single salaries are never returned';
  }
}

defineEnclave({
  ecalls: {
    ...secureChannel.ecalls,
    /** One encrypted request from the data owner's session; the answer goes back encrypted. */
    ledger(sessionId: string, message: Uint8Array): Uint8Array {
      const request = decoder.decode(secureChannel.decrypt(sessionId, message));
      return secureChannel.encrypt(sessionId, encoder.encode(handle(request)));
    },
  },
});
