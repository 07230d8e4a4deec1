/**
 * Reads the three settings the measurement depends on (`sgx.enclave_size`, `sgx.max_threads`,
 * `sgx.edmm_enable`) from a `.manifest.sgx`, which gramine-sgx-sign writes with tomli-w: tables
 * as `[sgx]` headers, scalars as `key = value`. Only that subset of TOML is read (a `[sgx]`
 * table or dotted `sgx.key` lines, basic strings, integers, booleans); anything else about the
 * file is left alone, since its bytes are measured as they are. Missing settings get Gramine's
 * defaults, as its Manifest class fills them.
 */
import { ErrorCode, SecGearError } from '../../../common/errors.js';
import { parseGramineSize, type GramineEnclaveAttributes } from './gramine-layout.js';

/** Gramine's defaults (graminelibos/manifest.py). */
export const GRAMINE_DEFAULTS = { maxThreads: 4, enclaveSizeNoEdmm: '256M', enclaveSizeEdmm: '1024G' } as const;

type Scalar = string | number | boolean;

export function readSgxAttributes(manifestSgx: string): GramineEnclaveAttributes {
  const sgx = new Map<string, Scalar>();
  let table = '';
  const lines = manifestSgx.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '' || line.startsWith('#')) continue;
    const header = /^\[\s*([A-Za-z0-9_.\-"]+)\s*\]$/.exec(line);
    if (header) {
      table = header[1];
      continue;
    }
    if (line.startsWith('[[')) {
      table = line;
      continue;
    }
    const kv = /^([A-Za-z0-9_.\-]+)\s*=\s*(.*)$/.exec(line);
    if (!kv) continue;
    const key = table ? `${table}.${kv[1]}` : kv[1];
    const m = /^sgx\.(enclave_size|max_threads|edmm_enable)$/.exec(key);
    if (!m) continue;
    if (sgx.has(m[1])) throw new SecGearError(ErrorCode.INVALID_MANIFEST, `manifest line ${i + 1}: sgx.${m[1]} is set twice`);
    sgx.set(m[1], scalar(kv[2], i + 1));
  }
  const edmm = sgx.get('edmm_enable') ?? false;
  if (typeof edmm !== 'boolean') throw new SecGearError(ErrorCode.INVALID_MANIFEST, 'sgx.edmm_enable must be true or false');
  const threads = sgx.get('max_threads') ?? GRAMINE_DEFAULTS.maxThreads;
  if (typeof threads !== 'number') throw new SecGearError(ErrorCode.INVALID_MANIFEST, 'sgx.max_threads must be an integer');
  const size = sgx.get('enclave_size') ?? (edmm ? GRAMINE_DEFAULTS.enclaveSizeEdmm : GRAMINE_DEFAULTS.enclaveSizeNoEdmm);
  if (typeof size !== 'string') throw new SecGearError(ErrorCode.INVALID_MANIFEST, 'sgx.enclave_size must be a string such as "256M"');
  return { enclaveSize: parseGramineSize(size), maxThreads: threads, edmm };
}

function scalar(raw: string, line: number): Scalar {
  const value = raw.replace(/\s+#.*$/, '').trim();
  if (value === 'true' || value === 'false') return value === 'true';
  if (/^[+-]?\d[\d_]*$/.test(value)) return Number(value.replace(/_/g, ''));
  if (/^0x[0-9a-fA-F_]+$/.test(value)) return Number(value.replace(/_/g, ''));
  const basic = /^"((?:[^"\\]|\\.)*)"$/.exec(value) ?? /^'([^']*)'$/.exec(value);
  if (basic) return basic[1];
  throw new SecGearError(ErrorCode.INVALID_MANIFEST, `manifest line ${line}: cannot read the value ${JSON.stringify(value.slice(0, 40))}`);
}
