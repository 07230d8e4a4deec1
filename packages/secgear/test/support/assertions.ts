import assert from 'node:assert/strict';
import { isSecGearError, type ErrorCodeName } from '../../src/common/errors.js';

/** An `assert.rejects`/`assert.throws` validator: a SecGearError with `code` (and a message matching `pattern`). */
export function rejectsWith(code: ErrorCodeName, pattern?: RegExp) {
  return (error: unknown) => {
    assert.ok(isSecGearError(error), `expected a SecGearError, got ${String(error)}`);
    assert.equal(error.code, code, `expected ${code}, got ${error.code}: ${error.message}`);
    if (pattern) assert.match(error.message, pattern);
    return true;
  };
}
