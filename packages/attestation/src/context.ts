import type { CollateralFetcher, CollateralItem, TrustAnchor } from 'secgear/attest';
import type { Metrics } from './metrics.js';
import type { SigningKey } from './signing.js';
import type { Store } from './store/types.js';

/** What every route of one service instance shares; nothing of it is module state. */
export interface ServiceContext {
  store: Store;
  key: SigningKey;
  issuer: string;
  audience: string | undefined;
  tokenLifetimeSeconds: number;
  challengeLifetimeSeconds: number;
  challengeBytes: number;
  adminTokenDigests: Uint8Array[];
  verifier: {
    trustAnchors: TrustAnchor[];
    replaceBuiltInAnchors: boolean;
    collateral: CollateralItem[];
    collateralFetcher: CollateralFetcher | undefined;
    allowSimulation: boolean;
  };
  clock: () => Date;
  randomBytes: (size: number) => Uint8Array;
  metrics: Metrics;
}

/** An error a route answers with: HTTP status, stable code, message. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
