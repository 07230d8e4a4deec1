/**
 * What the EKMS enclave trusts when it verifies a Recipient's evidence. It is compiled into
 * the enclave image (host/enclave-image.ts writes a small entry that calls
 * `setRecipientTrust` before the service loads), so it is covered by the image's measurement:
 * the host cannot add an anchor of its own at run time and then forge a recipient.
 */
import type { JsonWebKey } from 'node:crypto';
import type { TrustAnchor } from 'secgear/attest/enclave';

/** How an anchor travels in the compiled-in configuration. */
export type AnchorConfig = { x509: string } | { jwk: JsonWebKey };

export interface RecipientTrust {
  /** Trust anchors besides the built-in vendor roots (Intel, AMD, AWS Nitro): certificates, and public keys as JWK (CCA CPAKs). */
  anchors: TrustAnchor[];
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

export function setRecipientTrust(value: { anchors?: AnchorConfig[]; allowSimulation?: boolean; maxAgeMs?: number; fixedTime?: number }): void {
  trust = {
    anchors: (value.anchors ?? []).map((a): TrustAnchor => ('jwk' in a ? { kind: 'jwk', jwk: a.jwk, source: 'configured JWK' } : { kind: 'x509', der: new Uint8Array(Buffer.from(a.x509, 'base64')), source: 'configured certificate' })),
    allowSimulation: value.allowSimulation === true,
    maxAgeMs: value.maxAgeMs ?? 5 * 60_000,
    ...(value.fixedTime !== undefined ? { fixedTime: value.fixedTime } : {}),
  };
}

export function recipientTrust(): RecipientTrust {
  return trust;
}
