// Baseline peers: a raw postMessage echo, and a raw SharedArrayBuffer + Atomics ping-pong.
import { parentPort, workerData } from 'node:worker_threads';

const data = workerData as { mode: 'post' | 'atomics' | 'spin'; buffer?: SharedArrayBuffer };
if (data.mode === 'post') {
  parentPort!.on('message', (m: [number, unknown]) => parentPort!.postMessage([m[0], undefined]));
} else if (data.mode === 'spin') {
  // the lowest-latency raw exchange: both threads poll the flag, nobody sleeps
  const flag = new Int32Array(data.buffer!);
  for (;;) {
    const v = Atomics.load(flag, 0);
    if (v === 3) break;
    if (v === 1) Atomics.store(flag, 0, 2);
  }
} else {
  const flag = new Int32Array(data.buffer!);
  // flag[0]: 1 = request, 2 = response, 3 = stop
  for (;;) {
    Atomics.wait(flag, 0, 0);
    const v = Atomics.load(flag, 0);
    if (v === 3) break;
    if (v === 1) {
      Atomics.store(flag, 0, 2);
      Atomics.notify(flag, 0);
      Atomics.wait(flag, 0, 2);
    }
  }
}
