// The enclave the sealing benchmarks run in. Every timing loop runs here, inside the enclave,
// with its node:crypto baseline in the same loop structure, so the ratios compare like with like.
import { createCipheriv, createDecipheriv, randomFillSync } from 'node:crypto';
import { defineEnclave, getEvidence, seal, unseal, type Evidence } from 'secgear/enclave';

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
   * seal+unseal vs plain encrypt+decrypt of `size` bytes: `count` pairs, alternating one of each
   * so both see the same noise; returns ops/s from the median time per operation.
   */
  roundTrip: async (size: number, count: number) => {
    const data = randomFillSync(new Uint8Array(size));
    const ours: number[] = [];
    const plain: number[] = [];
    for (let i = 0; i < 10; i++) {
      await unseal(await seal(data));
      plainRoundTrip(data);
    }
    for (let i = 0; i < count; i++) {
      let t0 = performance.now();
      plainRoundTrip(data);
      plain.push(performance.now() - t0);
      t0 = performance.now();
      await unseal(await seal(data));
      ours.push(performance.now() - t0);
    }
    return { ours: 1000 / median(ours), plain: 1000 / median(plain) };
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
  evidence: (nonce: Uint8Array): Promise<Evidence> => getEvidence({ nonce }),
};

defineEnclave({ ecalls });
