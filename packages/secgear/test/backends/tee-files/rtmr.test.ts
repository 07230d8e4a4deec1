// TDX RTMR extension through the measurements sysfs files, with the event log a verifier replays.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { RtmrEventLog, eventDigest, extendValue, parseRtmrEventLog, replayRtmr, rtmrPath } from '../../../src/backends/tee-files/rtmr.js';
import { ErrorCode, isSecGearError } from '../../../src/common/errors.js';
import { FixtureFilePort } from '../../support/tee-fixtures/fixture-file-port.js';
import { rejectsWith } from '../../support/assertions.js';

/** The kernel's rtmrN:sha384 attributes: read gives the value, a 48-byte write extends it. */
function tdxMeasurements(port = new FixtureFilePort()) {
  const registers: Uint8Array[] = [0, 1, 2, 3].map(() => new Uint8Array(48));
  for (let i = 0; i < 4; i++) {
    port.addFile(rtmrPath(i), {
      load: () => registers[i].slice(),
      save: (data) => {
        if (data.byteLength !== 48) throw Object.assign(new Error('EINVAL'), { code: 'EINVAL' });
        registers[i] = new Uint8Array(createHash('sha384').update(registers[i]).update(data).digest());
      },
    });
  }
  return { port, registers };
}

const image = { name: 'demo', measurement: new Uint8Array(48).fill(1), signer: new Uint8Array(48).fill(2), svn: 3 };

describe('TDX RTMR extension and event log', () => {
  test('extend = SHA-384(old || digest), by hand', () => {
    const digest = new Uint8Array(48).fill(0xab);
    assert.deepEqual(extendValue(new Uint8Array(48), digest), new Uint8Array(createHash('sha384').update(new Uint8Array(96).fill(0, 0, 48).fill(0xab, 48)).digest()));
  });

  test('extending with an image records an event whose replay equals the register', async () => {
    const { port, registers } = tdxMeasurements();
    const log = new RtmrEventLog(port);
    assert.equal(await log.available(), true);
    await log.extendImage(2, image);
    await log.extend(2, 'app.config', { file: 'config.json', sha256: 'ab'.repeat(32) });
    assert.deepEqual(replayRtmr(log.events)[2], registers[2]);
    const parsed = parseRtmrEventLog(JSON.parse(JSON.stringify(log.toJSON())));
    assert.deepEqual(replayRtmr(parsed)[2], registers[2]);
    assert.deepEqual(registers[3], new Uint8Array(48), 'other registers untouched');
  });

  test('a register moved by someone else between our read and write is reported', async () => {
    const { port, registers } = tdxMeasurements();
    const log = new RtmrEventLog(port);
    let reads = 0;
    port.addFile(rtmrPath(2), {
      load: () => {
        // after our write, someone else extends once more before we read back
        if (++reads === 2) registers[2] = extendValue(registers[2], new Uint8Array(48).fill(9));
        return registers[2].slice();
      },
      save: (data) => void (registers[2] = extendValue(registers[2], data)),
    });
    await assert.rejects(log.extendImage(2, image), rejectsWith(ErrorCode.TEE_DEVICE, /another process/));
    assert.equal(log.events.length, 0);
  });

  test('no TDX measurements sysfs: not available; EIO on write: CC_ERROR_TEE_DEVICE', async () => {
    assert.equal(await new RtmrEventLog(new FixtureFilePort()).available(), false);
    const { port } = tdxMeasurements();
    port.inject(/rtmr2/, 'close', 'EIO');
    await assert.rejects(new RtmrEventLog(port).extendImage(2, image), rejectsWith(ErrorCode.TEE_DEVICE));
    assert.throws(() => rtmrPath(4), rejectsWith(ErrorCode.BAD_PARAMETERS));
  });

  test('a log whose content does not match its digest fails replay; malformed logs are refused', () => {
    const event = { rtmr: 2, type: 'secgear.enclave-image', content: { name: 'demo' }, digest: eventDigest('secgear.enclave-image', { name: 'demo' }) };
    assert.throws(() => replayRtmr([{ ...event, content: { name: 'other' } }]), rejectsWith(ErrorCode.INVALID_EVIDENCE));
    for (const bad of [null, {}, { version: 2, events: [] }, { version: 1, events: [{ rtmr: 5 }] }, { version: 1, events: [{ rtmr: 2, type: 'x', content: { a: [1] }, digest: '00'.repeat(48) }] }, { version: 1, events: [{ rtmr: 2, type: 'x', content: {}, digest: 'zz' }] }]) {
      assert.throws(() => parseRtmrEventLog(bad), rejectsWith(ErrorCode.INVALID_EVIDENCE));
    }
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        try {
          parseRtmrEventLog(value);
        } catch (error) {
          assert.ok(isSecGearError(error, ErrorCode.INVALID_EVIDENCE));
        }
      }),
    );
  });
});
