// secGear's JSON RA-TLS extension (1.3.6.1.4.1.2011.2.8): the layout openEuler secGear writes,
// what it refuses, and the parse-or-reject property.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { describe, it } from 'node:test';
import { encodeSecGearExtension, parseSecGearExtension, challengeKeyHash } from '../../../../src/attest/verifiers/ra-tls-cert/secgear-extension.js';
import { assertParsesOrRejects, nearValidBytes } from '../../parser-properties.js';

const text = (s: string) => new TextEncoder().encode(s);
const challenge = Uint8Array.from({ length: 64 }, (_, i) => i);

describe('secGear RA-TLS extension', () => {
  it('round-trips challenge and evidence; the key hash is bytes 32..64 of the challenge', () => {
    const value = encodeSecGearExtension(challenge, Uint8Array.of(1, 2, 3));
    assert.match(new TextDecoder().decode(value), /^\{"challenge":"[A-Za-z0-9_-]+","quote":"AQID"\}$/);
    const parsed = parseSecGearExtension(value);
    assert.deepEqual(parsed.challenge, challenge);
    assert.deepEqual(parsed.evidence, Uint8Array.of(1, 2, 3));
    assert.deepEqual(challengeKeyHash(parsed.challenge), challenge.subarray(32));
  });

  it('reads secGear\'s own form: a trailing NUL tolerated, attestation-agent JSON as quote text without evidence bytes', () => {
    const c = Buffer.from(challenge).toString('base64url');
    const parsed = parseSecGearExtension(text(`{"challenge":"${c}","quote":"{\\"tee\\":\\"virtcca\\"}"}\0`));
    assert.equal(parsed.evidence, null);
    assert.equal(parsed.quote, '{"tee":"virtcca"}');
  });

  it('rejects what is not the format with CC_ERROR_INVALID_EVIDENCE', () => {
    const c = Buffer.from(challenge).toString('base64url');
    for (const bad of ['', 'null', '[]', '{"quote":"AQID"}', `{"challenge":"${c}"}`, `{"challenge":"${c}","quote":""}`, '{"challenge":"AAAA","quote":"AQID"}', `{"challenge":"not base64!","quote":"AQID"}`, '\xff\xfe']) {
      assert.throws(() => parseSecGearExtension(text(bad)), (e: { code?: string }) => e.code === 'CC_ERROR_INVALID_EVIDENCE', bad);
    }
  });

  it('property: any bytes parse or are rejected with CC_ERROR_INVALID_EVIDENCE', () => {
    const good = encodeSecGearExtension(challenge, Uint8Array.of(9, 9, 9, 9));
    assertParsesOrRejects(parseSecGearExtension, nearValidBytes(good, { maxLength: 300, maxEdits: 4 }), { seed: 1010, numRuns: 400 });
    assertParsesOrRejects(parseSecGearExtension, fc.string().map(text), { seed: 1011, numRuns: 200 });
  });
});
