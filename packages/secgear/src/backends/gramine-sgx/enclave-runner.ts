/**
 * What runs inside the Gramine enclave (the Node process Gramine started), before and around
 * the enclave bundle. Nothing the host says is taken on trust here:
 * - the image is read from a Gramine trusted file and verified again inside (format,
 *   measurement, signature), and the enclave's identity is what this verification found;
 * - ecalls, ocalls and the enclave name come from that verified manifest; from the host only
 *   the log level is taken;
 * - platform calls (sealing keys, reports, evidence) are answered here by the Gramine platform
 *   and never leave the enclave;
 * - host and enclave talk over our own channel (channel-crypto.ts), whose keys the enclave's
 *   quote binds.
 */
import { connect } from 'node:net';
import { deserialize, serialize } from 'node:v8';
import { ErrorCode, SecGearError } from '../../common/errors.js';
import type { EnclaveIdentity, PlatformService } from '../../common/platform.js';
import { PlatformOp, type PlatformEvidence } from '../../common/platform-ops.js';
import { LOG_LEVELS, ToEnclave, ToHost, type EnclaveInit, type EnclaveMessage, type HostMessage, type LogLevel } from '../../common/protocol.js';
import { callPolicyOf, effectiveMemoryLimitMb } from '../../image/manifest.js';
import { verifyImageBytes } from '../../image/verify-image.js';
import type { FilePort } from '../tee-files/file-port.js';
import { gramineAttestation } from '../tee-files/gramine-attestation.js';
import { channelBindingData, deriveChannelKeys, encodeHello, generateChannelKey, RecordCipher } from '../tee-channel/channel-crypto.js';
import { FrameReader, frame } from '../tee-channel/frame-reader.js';
import { createGraminePlatform } from './gramine-platform.js';
import { runBundle } from './run-bundle.js';

/** Largest record the enclave accepts from the host (ecall arguments). */
export const MAX_CHANNEL_RECORD = 256 * 1024 * 1024;

export interface TeeEnclaveParams {
  imageBytes: Uint8Array;
  files: FilePort;
  /** `host:port` of the host's loopback listener (from SECGEAR_CHANNEL). */
  channel: string;
  /** The host's X25519 key, 64 hex digits (from SECGEAR_CHANNEL_KEY). */
  hostKeyHex: string;
  /** The platform for the verified identity; default: Gramine's /dev/attestation through `files`. */
  platform?: (identity: EnclaveIdentity) => PlatformService;
}

export async function runTeeEnclave(params: TeeEnclaveParams): Promise<void> {
  const verified = verifyImageBytes(params.imageBytes);
  const { manifest } = verified;
  const identity: EnclaveIdentity = { measurement: verified.measurement, signer: verified.signer, prodId: manifest.prodId, svn: manifest.svn, debug: manifest.debug };
  const platform = params.platform ? params.platform(identity) : createGraminePlatform(identity, gramineAttestation(params.files));

  const match = /^(127\.0\.0\.1|\[::1\]):(\d{1,5})$/.exec(params.channel);
  if (!match) throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'SECGEAR_CHANNEL must be a loopback host:port');
  if (!/^[0-9a-f]{64}$/.test(params.hostKeyHex)) throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'SECGEAR_CHANNEL_KEY must be 64 hex digits');
  const hostPublic = Uint8Array.from(Buffer.from(params.hostKeyHex, 'hex'));
  const own = generateChannelKey();
  const evidence = (await platform.handle(PlatformOp.evidence, [{ reportData: channelBindingData(hostPublic, own.publicKey) }])) as PlatformEvidence;
  const keys = deriveChannelKeys(own, hostPublic, hostPublic, own.publicKey);
  const toHost = new RecordCipher(keys.enclaveToHost);
  const fromHost = new RecordCipher(keys.hostToEnclave);

  const socket = connect({ host: match[1].replace(/[[\]]/g, ''), port: Number(match[2]) });
  socket.setNoDelay(true);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.on('close', () => process.exit(0));
  socket.on('error', () => process.exit(0));
  socket.write(frame(encodeHello({ enclavePublic: own.publicKey, mediaType: evidence.mediaType, evidence: evidence.data })));

  const handlers: Array<(message: HostMessage) => void> = [];
  let logLevel: LogLevel | null = null;
  let started: () => void;
  const start = new Promise<void>((resolve) => (started = resolve));
  const reader = new FrameReader(
    MAX_CHANNEL_RECORD,
    (record) => {
      let message: unknown;
      try {
        message = deserialize(fromHost.open(record));
      } catch {
        socket.destroy();
        process.exit(0);
      }
      if (logLevel === null) {
        const level = (message as { logLevel?: unknown })?.logLevel;
        logLevel = LOG_LEVELS.includes(level as LogLevel) ? (level as LogLevel) : 'info';
        started();
        return;
      }
      for (const handler of handlers) handler(message as HostMessage);
    },
    () => {
      socket.destroy();
      process.exit(0);
    },
  );
  socket.on('data', (chunk: Buffer) => reader.push(chunk));
  await start;

  const deliver = (message: HostMessage) => {
    for (const handler of handlers) handler(message);
  };
  const send = (message: EnclaveMessage) => {
    if (message[0] === ToHost.Platform) {
      // answered here, inside the TEE: the host never sees platform requests or results
      const [, id, op, args] = message;
      platform.handle(op, args).then(
        (value) => deliver([ToEnclave.PlatformResult, id, true, value]),
        (error: unknown) => deliver([ToEnclave.PlatformResult, id, false, { code: (error as SecGearError).code ?? ErrorCode.GENERIC, message: error instanceof Error ? error.message : String(error) }]),
      );
      return;
    }
    socket.write(frame(toHost.seal(serialize(message))));
  };
  const init: EnclaveInit = {
    identity,
    name: manifest.name,
    ecalls: manifest.ecalls.map((e) => ({ name: e.name, switchless: false })),
    ocalls: manifest.ocalls.map((o) => o.name),
    callPolicy: callPolicyOf(manifest),
    logLevel: logLevel ?? 'info',
    switchless: null,
  };
  await runBundle({ bundle: verified.bundle, init, memoryLimitMb: effectiveMemoryLimitMb(manifest), send, onMessage: (handler) => handlers.push(handler) });
}
