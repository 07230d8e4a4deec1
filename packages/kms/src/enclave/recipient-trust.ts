/**
 * What the EKMS enclave trusts when it verifies a Recipient's evidence. It is compiled into
 * the enclave image (host/enclave-image.ts writes a small entry that calls
 * `setRecipientTrust` before the service loads), so it is covered by the image's measurement:
 * the host cannot add an anchor of its own at run time and then forge a recipient.
 */
export interface RecipientTrust {
  /** Trust anchors besides the built-in vendor roots (Intel, AMD, AWS Nitro): X.509 DER. */
  anchors: Uint8Array[];
  /** Accept simulated evidence (sim/process backends). Never in production. */
  allowSimulation: boolean;
  /** How old evidence may be, in milliseconds (default 5 minutes). */
  maxAgeMs: number;
  /**
   * Tests only: verify evidence as of this instant (epoch ms) instead of the enclave's clock,
   * so recorded real evidence (a Nitro document whose certificates lived three hours) can be
   * checked. It is part of the measured image, so a service built with it is recognisable.
   */
  fixedTime?: number;
}

let trust: RecipientTrust = { anchors: [], allowSimulation: false, maxAgeMs: 5 * 60_000 };

export function setRecipientTrust(value: { anchors?: string[]; allowSimulation?: boolean; maxAgeMs?: number; fixedTime?: number }): void {
  trust = {
    anchors: (value.anchors ?? []).map((b64) => new Uint8Array(Buffer.from(b64, 'base64'))),
    allowSimulation: value.allowSimulation === true,
    maxAgeMs: value.maxAgeMs ?? 5 * 60_000,
    ...(value.fixedTime !== undefined ? { fixedTime: value.fixedTime } : {}),
  };
}

export function recipientTrust(): RecipientTrust {
  return trust;
}
