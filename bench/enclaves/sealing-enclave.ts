// The enclave the sealing benchmarks run in. Every timing loop runs here, inside the enclave,
// with its node:crypto baseline in the same loop structure, so the ratios compare like with like.
import { createCipheriv, createDecipheriv, randomFillSync } from 'node:crypto';
import { defineEnclave, getEvidence, seal, unseal } from 'secgear/enclave';

const key = randomFillSync(new Uint8Array(32));

/** Plain AES-256-GCM: encrypt with a fresh iv (ciphertext and tag), then decrypt and check. */
function plainRoundTrip(data: Uint8Array): Uint8Array {
  const iv = randomFillSync(new Uint8Array(12));
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ciphertext = cipher.update(data);
  cipher.final();
  const tag = cipher.getAuthTag();
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAuthTag(tag);
  const plain = decipher.update(ciphertext);
  decipher.final();
  return plain;
}

/**
 * The same job as seal+unseal done with plain node:crypto: encrypt into one storable message
 * (iv ‖ ciphertext ‖ tag, as anyone storing GCM output must keep all three), then decrypt it.
 */
function plainMessageRoundTrip(data: Uint8Array): Uint8Array {
  const iv = randomFillSync(new Uint8Array(12));
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ciphertext = cipher.update(data);
  cipher.final();
  const message = Buffer.concat([iv, ciphertext, cipher.getAuthTag()]);
  const decipher = createDecipheriv('aes-256-gcm', key, message.subarray(0, 12));
  decipher.setAuthTag(message.subarray(message.byteLength - 16));
  const plain = decipher.update(message.subarray(12, message.byteLength - 16));
  decipher.final();
  return plain;
}

function plainEncrypt(data: Uint8Array): number {
  const cipher = createCipheriv('aes-256-gcm', key, randomFillSync(new Uint8Array(12)));
  const n = cipher.update(data).byteLength;
  cipher.final();
  return n + cipher.getAuthTag().byteLength;
}

async function timed(count: number, fn: () => unknown): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < count; i++) await fn();
  return count / ((performance.now() - t0) / 1000);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export const ecalls = {
  /**
   * seal+unseal vs plain AES-256-GCM of `size` bytes, two baselines (bare cipher calls, and the
   * same job as one storable message): `count` rounds alternating one operation of each, so all
   * see the same noise; returns ops/s from the median time per operation.
   */
  roundTrip: async (size: number, count: number) => {
    const data = randomFillSync(new Uint8Array(size));
    const times = { ours: [] as number[], bare: [] as number[], message: [] as number[] };
    const ops = {
      bare: () => plainRoundTrip(data),
      message: () => plainMessageRoundTrip(data),
      ours: async () => (await unseal(await seal(data))).data,
    };
    for (let i = 0; i < count + 10; i++) {
      for (const name of ['bare', 'message', 'ours'] as const) {
        const t0 = performance.now();
        await ops[name]();
        if (i >= 10) times[name].push(performance.now() - t0);
      }
    }
    return { ours: 1000 / median(times.ours), bare: 1000 / median(times.bare), message: 1000 / median(times.message) };
  },
  /** seals of `size` bytes per second vs plain AES-256-GCM encryptions per second, interleaved. */
  sealRate: async (size: number, perRound: number, rounds: number) => {
    const data = randomFillSync(new Uint8Array(size));
    const ours: number[] = [];
    const plain: number[] = [];
    for (let r = 0; r < rounds; r++) {
      plain.push(await timed(perRound, () => plainEncrypt(data)));
      ours.push(await timed(perRound, () => seal(data, { policy: 'signer' })));
    }
    return { ours: median(ours), plain: median(plain) };
  },
  evidenceRate: (count: number) => timed(count, () => getEvidence({ nonce: randomFillSync(new Uint8Array(32)) })),
};

defineEnclave({ ecalls });
