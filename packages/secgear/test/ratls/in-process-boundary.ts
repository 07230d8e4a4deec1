// The enclave boundary of the RA-TLS tests, played in-process: the in-enclave stream table and
// the host relay reach each other through ocalls and ecalls whose every value is structured-cloned.
import { raTlsStreams } from '../../src/ratls/enclave/index.js';
import type { RaTlsRelay } from '../../src/ratls/host/index.js';

const clone = <T>(v: T): T => structuredClone(v);

/** The "enclave" side's ocalls to the relay (set before the server or client starts). */
export function wireEnclaveToRelay(relay: RaTlsRelay): void {
  raTlsStreams.ocalls = {
    send: async (id, bytes) => relay.ocalls.ratlsSend(clone(id), clone(bytes)),
    end: async (id) => relay.ocalls.ratlsEnd(clone(id)),
    connect: async (host, p) => relay.ocalls.ratlsConnect(clone(host), clone(p)),
  };
}

/** The relay's ecalls into the "enclave" stream table. */
export function wireRelayToEnclave(relay: RaTlsRelay): void {
  const ecalls = raTlsStreams.ecalls;
  relay.attach({
    ecall: {
      ratlsOpen: (id) => ecalls.ratlsOpen(clone(id)),
      ratlsData: (id, bytes) => ecalls.ratlsData(clone(id), clone(bytes)),
      ratlsEnd: (id) => ecalls.ratlsEnd(clone(id)),
      ratlsAbort: (id) => ecalls.ratlsAbort(clone(id)),
    },
  });
}
