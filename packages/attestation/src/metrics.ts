import { Counter, Histogram, Registry } from 'prom-client';

/** Prometheus metrics of one service instance, in its own registry (two instances never mix counts). */
export interface Metrics {
  registry: Registry;
  attestations: Counter<'tee' | 'status'>;
  attestationSeconds: Histogram<'outcome'>;
  refused: Counter<'reason'>;
  resources: Counter<'outcome'>;
  httpRequests: Counter<'method' | 'route' | 'status'>;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  return {
    registry,
    attestations: new Counter({ name: 'secgear_as_attestations_total', help: 'Tokens issued, by TEE and EAR status', labelNames: ['tee', 'status'], registers: [registry] }),
    attestationSeconds: new Histogram({
      name: 'secgear_as_attestation_seconds',
      help: 'Time to appraise evidence and issue a token',
      labelNames: ['outcome'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    refused: new Counter({ name: 'secgear_as_refused_total', help: 'Attestation requests refused, by reason code', labelNames: ['reason'], registers: [registry] }),
    resources: new Counter({ name: 'secgear_as_resource_requests_total', help: 'Resource requests, by outcome', labelNames: ['outcome'], registers: [registry] }),
    httpRequests: new Counter({ name: 'secgear_as_http_requests_total', help: 'HTTP requests, by route and status', labelNames: ['method', 'route', 'status'], registers: [registry] }),
  };
}
