// Bench enclave: a secure channel echo beside a plain echo ecall.
import { defineEnclave } from 'secgear/enclave';
import { secureChannel } from 'secgear/channel/enclave';

export const ecalls = {
  ...secureChannel.ecalls,
  channelEcho(sessionId: string, message: Uint8Array): Uint8Array {
    return secureChannel.encrypt(sessionId, secureChannel.decrypt(sessionId, message));
  },
  plainEcho(data: Uint8Array): Uint8Array {
    return data;
  },
};

defineEnclave({ ecalls });
