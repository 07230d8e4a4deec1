/**
 * `secgear/channel`: the attested secure channel's client (data owner) and host relay, after
 * secGear's cc_sec_chl_*. Messages: docs/formats/secure-channel.md.
 */
import '../attest/verifiers/sim/host-root.js';
export { SecureChannelClient, type SecureChannelClientOptions } from './client.js';
export { SecureChannelServer, SecureChannelConnection, MAX_CHANNEL_MESSAGE, type SecureChannelServerOptions } from './server.js';
export type { SecureChannelEcalls } from './enclave/service.js';
export type { GroupName } from './messages.js';
export type { AttestationPolicy, PeerAttestation } from '../attest/peer-appraisal.js';
export { FramedStream, type FramedStreamOptions } from '../records/framed-stream.js';
export { SecGearError, ErrorCode } from '../common/errors.js';
