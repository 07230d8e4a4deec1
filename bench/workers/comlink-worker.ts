// Baseline: the same empty function exposed through Comlink.
import { parentPort } from 'node:worker_threads';
import * as Comlink from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';

Comlink.expose({ noop: () => undefined, take1k: (b: Uint8Array) => b.byteLength }, nodeEndpoint(parentPort!));
