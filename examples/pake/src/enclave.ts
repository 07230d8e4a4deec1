// Trusted side: the SPAKE2+ verifier and the application run here. Device registrations and the
// failed-attempt counters are sealed to this enclave's signer and stored by the host; session
// keys and the application's plaintext never leave the enclave.
import { defineEnclave } from 'secgear/enclave';
import { createPakeService } from 'secgear/pake/enclave';

/** Per-device readings, kept in enclave memory. */
const readings = new Map<string, number[]>();
const decoder = new TextDecoder();
const encoder = new TextEncoder();

function handle(device: string, request: string): string {
  const [command, ...rest] = request.trim().split(/\s+/);
  switch (command?.toUpperCase()) {
    case 'PING':
      return 'PONG';
    case 'READING': {
      const value = Number(rest[0]);
      if (!Number.isFinite(value)) return 'ERROR reading must be a number';
      const list = readings.get(device) ?? [];
      list.push(value);
      readings.set(device, list.slice(-100));
      return `OK ${list.length}`;
    }
    case 'AVERAGE': {
      const list = readings.get(device) ?? [];
      return list.length ? `AVERAGE ${(list.reduce((a, b) => a + b, 0) / list.length).toFixed(2)} over ${list.length}` : 'AVERAGE none';
    }
    default:
      return 'ERROR unknown command (PING, READING <n>, AVERAGE)';
  }
}

const service = createPakeService({
  idVerifier: 'telemetry.example',
  limits: { maxFailures: 3, baseBackoffMs: 30_000 },
  onMessage: (session, data) => encoder.encode(handle(decoder.decode(session.idProver), decoder.decode(data))),
});

export const ecalls = { ...service.ecalls };
defineEnclave({ ecalls });
