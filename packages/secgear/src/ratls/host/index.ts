/**
 * `secgear/ratls/host`: the host relay for RA-TLS with TLS inside the enclave. It accepts TCP
 * connections and carries ciphertext between them and the enclave; it never holds a TLS key.
 */
export { RaTlsRelay, type RaTlsRelayOptions, type RaTlsRelayEcalls } from './relay.js';
