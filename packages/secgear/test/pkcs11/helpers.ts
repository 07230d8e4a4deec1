// Shared by the PKCS#11 tests: a token enclave (sim backend) served on a socket in a temp folder.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildTokenImage, startToken, type RunningToken } from '../../src/pkcs11/token-image.js';
import { P11Client } from '../../src/pkcs11/client.js';
import { CKA, CKK, CKM, CKO, CKU } from '../../src/pkcs11/constants.js';
import type { Attribute } from '../../src/pkcs11/rpc/attributes.js';
import { testKey } from '../support/fixtures.js';

export const SO_PIN = '12345678';
export const USER_PIN = '1234';
export const text = (s: string) => new TextEncoder().encode(s);
export const P256 = Uint8Array.from([0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07]);
export const ED25519 = Uint8Array.from([0x06, 0x03, 0x2b, 0x65, 0x70]);
export const P11_KIT_CLIENT = '/usr/lib/x86_64-linux-gnu/pkcs11/p11-kit-client.so';

let image: Promise<Uint8Array> | undefined;
/** The token image, built once per test process. */
export function tokenImage(): Promise<Uint8Array> {
  image ??= buildTokenImage({ key: testKey() });
  return image;
}

export interface TokenFixture {
  dir: string;
  socketPath: string;
  storeDir: string;
  token: RunningToken;
  protocolErrors: string[];
  restart(): Promise<void>;
  cleanup(): Promise<void>;
}

/** A running token with its own socket, store and simulated platform state. */
export async function startTestToken(type: 'sim' | 'process' = 'sim'): Promise<TokenFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'secgear-p11-'));
  const socketPath = join(dir, 'token.sock');
  const storeDir = join(dir, 'store');
  const protocolErrors: string[] = [];
  const bytes = await tokenImage();
  const imagePath = join(dir, 'token.sgimg');
  (await import('node:fs')).writeFileSync(imagePath, bytes);
  const start = () =>
    startToken({ socketPath, storeDir, image: imagePath, enclave: { type, platform: { stateDir: join(dir, 'sim') } }, onProtocolError: (r) => protocolErrors.push(r) });
  const fixture: TokenFixture = {
    dir,
    socketPath,
    storeDir,
    token: await start(),
    protocolErrors,
    async restart() {
      await fixture.token.close();
      fixture.token = await start();
    },
    async cleanup() {
      await fixture.token.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return fixture;
}

/** Initializes the token (SO PIN, label) and the user PIN over RPC. */
export async function initToken(socketPath: string, label = 'test token'): Promise<void> {
  const c = await P11Client.connect({ socketPath });
  try {
    await c.call('C_InitToken', [1, text(SO_PIN), text(label)]);
    const s = await c.openSession(1, true);
    await c.login(s, CKU.SO, SO_PIN);
    await c.call('C_InitPIN', [s, text(USER_PIN)]);
  } finally {
    await c.close();
  }
}

/** A client logged in as the user with one RW session. */
export async function userSession(socketPath: string, version?: number): Promise<{ client: P11Client; session: number }> {
  const client = await P11Client.connect({ socketPath, version });
  const session = await client.openSession(1, true);
  await client.login(session, CKU.USER, USER_PIN);
  return { client, session };
}

export const mech = (type: number, param: Attribute[] | null = null) => ({ type, param: param as null });

export function aesTemplate(extra: Attribute[] = []): Attribute[] {
  return [{ type: CKA.CLASS, value: CKO.SECRET_KEY }, { type: CKA.KEY_TYPE, value: CKK.AES }, { type: CKA.VALUE_LEN, value: 32 }, ...extra];
}

export { CKM };
