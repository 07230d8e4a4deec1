import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { createEnclave, ErrorCode, isSecGearError } from '../../src/host/index.js';
import { decodeImage, encodeImage } from '../../src/image/format.js';
import { normalizeManifest } from '../../src/image/manifest.js';
import { verifyImageBytes } from '../../src/image/verify-image.js';
import { buildImage } from '../../src/image/build-image.js';
import { liveEnclaves } from '../../src/host/limits.js';
import { buildFixture, fixtureEntry, fixtureManifest, testKey } from '../support/fixtures.js';
import { rejectsWith } from '../support/assertions.js';

const ocalls = { print: () => 0, reenter: () => 0, reenterForbidden: () => 0 };

function flip(bytes: Uint8Array, offset: number): Uint8Array {
  const copy = new Uint8Array(bytes);
  copy[offset] ^= 0x01;
  return copy;
}

describe('enclave images', () => {
  let bytes: Uint8Array;
  let regions: Record<'manifest' | 'bundle' | 'measurement' | 'publicKey' | 'signature', [number, number]>;

  before(async () => {
    bytes = new Uint8Array(readFileSync(await buildFixture('conformance')));
    const parts = decodeImage(bytes);
    const at = (part: Uint8Array): [number, number] => [part.byteOffset - bytes.byteOffset, part.byteOffset - bytes.byteOffset + part.byteLength];
    regions = { manifest: at(parts.manifest), bundle: at(parts.bundle), measurement: at(parts.measurement), publicKey: at(parts.publicKey), signature: at(parts.signature) };
  });

  test('a built image verifies and re-encodes to the same bytes', () => {
    const verified = verifyImageBytes(bytes);
    assert.equal(verified.manifest.name, 'conformance');
    assert.deepEqual(encodeImage(decodeImage(bytes)), bytes);
  });

  for (const [region, code, pattern] of [
    ['manifest', ErrorCode.INVALID_IMAGE, /measurement mismatch/],
    ['bundle', ErrorCode.INVALID_IMAGE, /measurement mismatch/],
    ['measurement', ErrorCode.INVALID_IMAGE, /measurement mismatch/],
    ['publicKey', ErrorCode.INVALID_SIGNATURE, /signature/],
    ['signature', ErrorCode.INVALID_SIGNATURE, /signature/],
  ] as const) {
    test(`a flipped byte in the ${region} is refused before any code runs (${code})`, async () => {
      const [start, end] = regions[region];
      for (const offset of [start, Math.floor((start + end) / 2), end - 1]) {
        const tampered = flip(bytes, offset);
        assert.throws(() => verifyImageBytes(tampered), rejectsWith(code, pattern));
        const live = liveEnclaves();
        await assert.rejects(createEnclave(tampered, { ocalls }), rejectsWith(code));
        assert.equal(liveEnclaves(), live);
      }
    });
  }

  test('truncated files, trailing bytes and foreign files are CC_ERROR_INVALID_IMAGE with a reason', () => {
    for (const length of [0, 4, 8, 11, regions.manifest[1], regions.bundle[1], bytes.byteLength - 1]) {
      assert.throws(() => verifyImageBytes(bytes.subarray(0, length)), rejectsWith(ErrorCode.INVALID_IMAGE, /truncated|magic/));
    }
    const longer = new Uint8Array(bytes.byteLength + 1);
    longer.set(bytes);
    assert.throws(() => verifyImageBytes(longer), rejectsWith(ErrorCode.INVALID_IMAGE, /unexpected bytes/));
    assert.throws(() => verifyImageBytes(new TextEncoder().encode('#!/bin/sh\necho hi\n')), rejectsWith(ErrorCode.INVALID_IMAGE, /magic/));
  });

  test('property: any single flipped byte or random input never verifies and never crashes', () => {
    fc.assert(
      fc.property(fc.nat({ max: bytes.byteLength - 1 }), fc.integer({ min: 1, max: 255 }), (offset, mask) => {
        const tampered = new Uint8Array(bytes);
        tampered[offset] ^= mask;
        assert.throws(() => verifyImageBytes(tampered), (e: unknown) => isSecGearError(e));
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (random) => {
        assert.throws(() => verifyImageBytes(random), (e: unknown) => isSecGearError(e));
      }),
    );
  });

  test('an image signed by another key has another signer; expect.signer pins it', async () => {
    const other = await buildFixture('conformance', {}, (await import('../../src/image/signing-key.js')).generateSigningKey());
    const a = verifyImageBytes(bytes);
    const b = verifyImageBytes(new Uint8Array(readFileSync(other)));
    assert.deepEqual(a.measurement, b.measurement);
    assert.notDeepEqual(a.signer, b.signer);
    await assert.rejects(createEnclave(other, { ocalls, expect: { signer: a.signer } }), rejectsWith(ErrorCode.INVALID_SIGNATURE));
  });

  test('manifests are validated with messages that name the field', async () => {
    assert.throws(() => normalizeManifest({ name: 'x', svn: 70000 }), rejectsWith(ErrorCode.INVALID_MANIFEST, /svn.*0 to 65535/));
    assert.throws(() => normalizeManifest({ name: 'x', ecalls: ['a', 'a'] }), rejectsWith(ErrorCode.INVALID_MANIFEST, /twice/));
    assert.throws(() => normalizeManifest({ name: 'x', ocalls: [{ name: 'o', allow: ['missing'] }] }), rejectsWith(ErrorCode.INVALID_MANIFEST, /not a declared ecall/));
    assert.throws(() => normalizeManifest({ name: 'x', colour: 'red' }), rejectsWith(ErrorCode.INVALID_MANIFEST, /unknown field "colour"/));
    assert.throws(() => normalizeManifest({ name: 'x', ecalls: ['1bad'] }), rejectsWith(ErrorCode.INVALID_MANIFEST, /valid function name/));
    assert.throws(() => normalizeManifest(null), rejectsWith(ErrorCode.INVALID_MANIFEST));
    fc.assert(fc.property(fc.jsonValue(), (value) => {
      try {
        normalizeManifest(value);
      } catch (error) {
        assert.ok(isSecGearError(error, ErrorCode.INVALID_MANIFEST));
      }
    }));
  });

  test('enclave code may not import host-reaching built-ins: the build fails and says why', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'secgear-bad-'));
    const entry = join(dir, 'bad.ts');
    writeFileSync(entry, "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n");
    await assert.rejects(buildImage({ entry, manifest: { name: 'bad' }, key: testKey() }), rejectsWith(ErrorCode.BUILD_FAILED, /may not import "node:fs".*ocall/s));
    await assert.rejects(buildImage({ entry: fixtureEntry('conformance'), manifest: { ...fixtureManifest('conformance'), heapLimitMb: 1 }, key: testKey() }), rejectsWith(ErrorCode.INVALID_MANIFEST));
    await assert.rejects(buildImage({ entry: fixtureEntry('conformance'), manifest: { name: 'k' }, key: 'not a key path' }), rejectsWith(ErrorCode.BAD_PARAMETERS, /keygen/));
  });
});
