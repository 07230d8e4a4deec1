/**
 * `secgear/pkcs11/enclave`: the trusted side of the PKCS#11 token. The whole token — the RPC
 * decoder, sessions, PIN checks, keys and every cryptographic operation — runs here; the host
 * only relays p11-kit RPC frames and stores sealed blobs.
 *
 * ```ts
 * const service = createP11TokenService({ acceptHostPins: true });
 * defineEnclave({ ecalls: { ...service.ecalls } });
 * ```
 * The manifest declares the ecalls p11Handle and p11Disconnect and the ocalls p11StoreLoad,
 * p11StoreSave, p11StoreRemove and p11StoreList.
 */
import { log } from '../../enclave/api.js';
import { TokenService } from '../token/dispatch.js';
import { ocallBlobStore, type BlobStore } from '../token/persistence.js';
import { Token } from '../token/token.js';

export interface P11TokenServiceOptions {
  /**
   * Accept PINs that the host relays (the p11-kit socket carries them in the clear to the host
   * process). Tokens created this way are marked local-only; an image built without this flag
   * refuses PIN calls from the host.
   */
  acceptHostPins: boolean;
  /** Sealed-blob storage. Default: the host's p11Store* ocalls. */
  store?: BlobStore;
}

export interface P11HandleResult {
  response: Uint8Array | null;
  close: string | null;
}

export function createP11TokenService(options: P11TokenServiceOptions) {
  const token = new Token({ store: options.store ?? ocallBlobStore, acceptHostPins: options.acceptHostPins === true });
  token.onUnreadableObject = (name) => log.warn(`token object ${name} does not unseal (tampered or from another signer): left out`);
  const service = new TokenService(
    token,
    (call, error) =>
    log.error(`${call} failed inside the token: ${error instanceof Error ? error.message : String(error)}`),
    (call, error) => log.debug(`${call}: ${error.message}`),
  );
  const check = (conn: unknown, version: unknown) => {
    if (!Number.isSafeInteger(conn) || (conn as number) < 0) throw new TypeError('connection id must be a non-negative integer');
    if (version !== 0 && version !== 1 && version !== 2) throw new TypeError('protocol version must be 0, 1 or 2');
  };
  return {
    service,
    ecalls: {
      /** One RPC request body in, the answer body out (or why the connection must close). */
      async p11Handle(conn: number, version: number, body: Uint8Array): Promise<P11HandleResult> {
        check(conn, version);
        if (!(body instanceof Uint8Array)) throw new TypeError('the request body must be bytes');
        const result = await service.handle(conn, version, body);
        return 'close' in result ? { response: null, close: result.close } : { response: result.response, close: null };
      },
      /** The connection closed: its sessions end and its session objects die. */
      async p11Disconnect(conn: number): Promise<void> {
        check(conn, 0);
        service.disconnect(conn);
      },
    },
  };
}

export { STORE_OCALLS, type BlobStore } from '../token/persistence.js';
