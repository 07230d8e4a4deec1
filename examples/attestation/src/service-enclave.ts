// Trusted side of the service enclave: it admits a request only with a local report made for
// it, from an enclave of the expected signer, binding the request's message.
import { createHash } from 'node:crypto';
import { defineEnclave, getTargetInfo, identity, verifyReport } from 'secgear/enclave';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

export const ecalls = {
  targetInfo: () => getTargetInfo(),
  async admit(report: Uint8Array, message: string) {
    const { identity: peer, reportData } = await verifyReport(report);
    const digest = createHash('sha256').update(message).digest();
    if (!digest.equals(Buffer.from(reportData.subarray(0, 32)))) return { admitted: false, reason: 'the report does not bind this message' };
    // this service trusts enclaves signed by its own signer (same developer key)
    if (hex(peer.signer) !== hex(identity().signer)) return { admitted: false, reason: 'the reporting enclave has another signer' };
    return { admitted: true, reason: `enclave ${hex(peer.measurement).slice(0, 16)}... (prodId ${peer.prodId}, svn ${peer.svn}) vouched for "${message}"` };
  },
};

defineEnclave({ ecalls });
