/**
 * The host's end of the gramine-sgx channel: listens on loopback for exactly one connection,
 * checks the enclave's hello (its quote must bind both channel keys, and may be pinned to an
 * MRENCLAVE and checked by a caller-supplied verifier), then carries HostMessage/EnclaveMessage
 * in sealed records.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { deserialize, serialize } from 'node:v8';
import { constantTimeEqual, toHex } from '../../common/bytes.js';
import { ErrorCode, SecGearError } from '../../common/errors.js';
import type { EnclaveMessage, HostMessage, LogLevel } from '../../common/protocol.js';
import { channelBindingData, deriveChannelKeys, generateChannelKey, parseHello, RecordCipher, type ChannelKeyPair } from '../tee-channel/channel-crypto.js';
import { FrameReader, frame } from '../tee-channel/frame-reader.js';
import { SGX_REPORT_BODY } from '../tee-files/gramine-attestation.js';
import { reportDataForRequest } from '../tee-files/report-data.js';
import { SGX_QUOTE_MEDIA_TYPE } from './gramine-platform.js';

const MAX_HELLO = 64 * 1024;
const MAX_RECORD = 256 * 1024 * 1024;

export interface ChannelCheck {
  /** Refuse the enclave unless its quote's MRENCLAVE is this (hex, 64 digits). */
  expectMrEnclave?: string;
  /**
   * Full verification of the quote (signature, certificate chain, TCB), e.g. with
   * `verifyEvidence` from `secgear/attest` and your collateral; resolve true to accept.
   */
  verifyEvidence?(evidence: { mediaType: string; data: Uint8Array }): Promise<boolean>;
}

export interface HostChannel {
  /** `127.0.0.1:port` for SECGEAR_CHANNEL. */
  address: string;
  /** The host's public key in hex, for SECGEAR_CHANNEL_KEY. */
  publicKeyHex: string;
  /** Resolves once the enclave connected and its hello checked out. */
  accept(timeoutMs: number, logLevel: LogLevel): Promise<ConnectedChannel>;
  close(): void;
}

export interface ConnectedChannel {
  mrEnclave: Uint8Array;
  send(message: HostMessage): void;
  onMessage(handler: (message: EnclaveMessage) => void): void;
  onClose(handler: (reason: string) => void): void;
  close(): void;
}

export async function openHostChannel(check: ChannelCheck): Promise<HostChannel> {
  const key: ChannelKeyPair = generateChannelKey();
  let socketPromise: { resolve(socket: Socket): void; reject(error: Error): void } | null = null;
  const sockets = new Promise<Socket>((resolve, reject) => (socketPromise = { resolve, reject }));
  sockets.catch(() => undefined);
  let taken = false;
  const server: Server = createServer((socket) => {
    if (taken) {
      socket.destroy();
      return;
    }
    taken = true;
    server.close();
    socketPromise!.resolve(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  return {
    address: `127.0.0.1:${port}`,
    publicKeyHex: toHex(key.publicKey),
    close: () => {
      server.close();
      socketPromise?.reject(new SecGearError(ErrorCode.ENCLAVE_LOST, 'the channel was closed before the enclave connected'));
    },
    async accept(timeoutMs, logLevel) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new SecGearError(ErrorCode.TIMEOUT, `the enclave did not connect within ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        const socket = await Promise.race([sockets, timeout]);
        return await Promise.race([handshake(socket, key, check, logLevel), timeout]);
      } finally {
        clearTimeout(timer);
        server.close();
      }
    },
  };
}

function handshake(socket: Socket, key: ChannelKeyPair, check: ChannelCheck, logLevel: LogLevel): Promise<ConnectedChannel> {
  socket.setNoDelay(true);
  return new Promise((resolve, reject) => {
    let channel: { toEnclave: RecordCipher; fromEnclave: RecordCipher } | null = null;
    let handler: ((message: EnclaveMessage) => void) | null = null;
    let closeHandler: ((reason: string) => void) | null = null;
    let closed = false;
    const fail = (reason: string) => {
      if (closed) return;
      closed = true;
      socket.destroy();
      if (!channel) reject(new SecGearError(ErrorCode.ENCLAVE_LOST, `the enclave's channel failed: ${reason}`));
      else closeHandler?.(reason);
    };
    let helloSeen = false;
    const reader = new FrameReader(
      MAX_RECORD,
      (record) => {
        if (!helloSeen) {
          helloSeen = true;
          socket.pause();
          checkHello(record, key, check).then(
            (result) => {
              channel = result.ciphers;
              socket.write(frame(channel.toEnclave.seal(serialize({ logLevel }))));
              resolve({
                mrEnclave: result.mrEnclave,
                send: (message) => {
                  if (!closed) socket.write(frame(channel!.toEnclave.seal(serialize(message))));
                },
                onMessage: (h) => void (handler = h),
                onClose: (h) => void (closeHandler = h),
                close: () => {
                  closed = true;
                  socket.destroy();
                  channel?.toEnclave.wipe();
                  channel?.fromEnclave.wipe();
                },
              });
              socket.resume();
            },
            (error: unknown) => {
              closed = true;
              socket.destroy();
              reject(error);
            },
          );
          return;
        }
        if (!channel) return fail('a record arrived before the hello was checked');
        let message: EnclaveMessage;
        try {
          message = deserialize(channel.fromEnclave.open(record)) as EnclaveMessage;
        } catch (error) {
          return fail(error instanceof Error ? error.message : String(error));
        }
        handler?.(message);
      },
      (message) => fail(message),
    );
    socket.on('data', (chunk: Buffer) => {
      if (!helloSeen && chunk.byteLength > MAX_HELLO + 4) return fail('the hello is too large');
      reader.push(chunk);
    });
    socket.on('close', () => fail('the enclave closed the channel'));
    socket.on('error', (error) => fail(error.message));
  });
}

async function checkHello(record: Uint8Array, key: ChannelKeyPair, check: ChannelCheck) {
  const hello = parseHello(record);
  if (hello.mediaType !== SGX_QUOTE_MEDIA_TYPE) throw new SecGearError(ErrorCode.INVALID_EVIDENCE, `the enclave sent ${hello.mediaType} evidence, not an SGX quote`);
  const quote = hello.evidence;
  const body = 48;
  if (quote.byteLength < body + SGX_REPORT_BODY.size) throw new SecGearError(ErrorCode.INVALID_EVIDENCE, 'the enclave\'s quote is too short');
  const expected = reportDataForRequest({ reportData: channelBindingData(key.publicKey, hello.enclavePublic) });
  const carried = quote.subarray(body + SGX_REPORT_BODY.reportData, body + SGX_REPORT_BODY.reportData + 64);
  if (!constantTimeEqual(carried, expected)) throw new SecGearError(ErrorCode.INVALID_EVIDENCE, 'the enclave\'s quote does not bind this channel\'s keys: another process may be answering on the channel');
  const mrEnclave = quote.slice(body + SGX_REPORT_BODY.mrEnclave, body + SGX_REPORT_BODY.mrEnclave + 32);
  if (check.expectMrEnclave !== undefined && toHex(mrEnclave) !== check.expectMrEnclave.toLowerCase()) {
    throw new SecGearError(ErrorCode.INVALID_EVIDENCE, `the enclave's MRENCLAVE ${toHex(mrEnclave)} is not the expected ${check.expectMrEnclave}`);
  }
  if (check.verifyEvidence && !(await check.verifyEvidence({ mediaType: hello.mediaType, data: quote }))) {
    throw new SecGearError(ErrorCode.INVALID_EVIDENCE, 'the enclave\'s quote did not pass the verification you configured');
  }
  const keys = deriveChannelKeys(key, hello.enclavePublic, key.publicKey, hello.enclavePublic);
  return { mrEnclave, ciphers: { toEnclave: new RecordCipher(keys.hostToEnclave), fromEnclave: new RecordCipher(keys.enclaveToHost) } };
}
