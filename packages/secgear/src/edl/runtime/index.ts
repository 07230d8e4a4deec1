/**
 * `secgear/edl-runtime`: what code generated from an EDL (`secgear codegen`) calls at run
 * time, on both sides of the boundary. Generated files import exactly the helpers they use;
 * application code has no need of it. It depends only on `secgear/errors`, so it is small in
 * an enclave bundle.
 */
export * from './checks.js';
export * from './tables.js';
export type { EcallOptions, EcallTarget } from './types.js';
