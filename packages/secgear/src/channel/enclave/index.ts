/**
 * `secgear/channel/enclave`: the trusted side of the secure channel. Import it from enclave
 * code only.
 *
 *   import { secureChannel } from 'secgear/channel/enclave';
 *   defineEnclave({ ecalls: { ...secureChannel.ecalls, query(sessionId, message) {
 *     const request = secureChannel.decrypt(sessionId, message);
 *     return secureChannel.encrypt(sessionId, answer(request));
 *   } } });
 */
import { SecureChannelService } from './service.js';

export { SecureChannelService, type SecureChannelOptions, type SecureChannelEcalls } from './service.js';

/** The enclave's one secure channel service (configure it with `secureChannel.configure`). */
export const secureChannel = new SecureChannelService();
