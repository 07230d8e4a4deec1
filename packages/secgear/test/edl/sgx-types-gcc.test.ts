/**
 * The built-in SGX types against the real headers, compiled: sizeof of every type, the
 * offset of every struct member and the value of every enumerator as gcc has them, compared
 * with the generator's.
 * Runs when SECGEAR_SGX_HEADERS names a directory holding the SDK's common/inc headers and
 * DCAP's (sgx_ql_lib_common.h, sgx_quote_3.h, sgx_ql_quote.h, sgx_pce.h, sgx_qve_header.h,
 * sgx_dcap_ql_wrapper.h, pce_cert.h, user_types.h, ecdsa_quote.h) and gcc is installed;
 * skipped otherwise (the headers are not in this repository).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEdl, sgxBuiltinTypes } from '../../src/edl/index.js';
import type { StructModel, ValueType } from '../../src/edl/model.js';

const HEADERS = process.env.SECGEAR_SGX_HEADERS ?? '';
const HAVE_GCC = spawnSync('gcc', ['--version']).status === 0;
const skip = !HEADERS ? 'set SECGEAR_SGX_HEADERS to a directory of SGX SDK and DCAP headers' : !existsSync(HEADERS) ? `${HEADERS} does not exist` : !HAVE_GCC ? 'gcc is not installed' : false;

const INCLUDES = [
  'sgx_urts.h', 'sgx_report.h', 'sgx_report2.h', 'sgx_key.h', 'sgx_attributes.h', 'sgx_tcrypto.h', 'sgx_ecp_types.h', 'sgx_tseal.h', 'sgx_quote.h', 'sgx_dh.h',
  'sgx_key_exchange.h', 'sgx_error.h', 'sgx_eid.h', 'sgx_thread.h', 'sgx_capable.h', 'sgx_ql_lib_common.h', 'sgx_quote_3.h', 'sgx_ql_quote.h', 'sgx_pce.h',
  'sgx_qve_header.h', 'sgx_dcap_ql_wrapper.h', 'pce_cert.h', 'user_types.h', 'ecdsa_quote.h',
];

test('sgx types vs gcc: sizeof of every type, offsetof of every member and every enumerator agree with the compiled headers', { skip }, () => {
  const builtins = sgxBuiltinTypes();
  const names = Object.keys(builtins.typedefs);
  const structs = [...builtins.defs.values()].filter((d) => d.kind === 'struct');
  // the generator's view: one EDL reaching every struct, and sizeof of every name
  const { model } = parseEdl(
    `enclave { trusted { ${structs.map((d, i) => `public void s${i}([in] ${d.name} *p);`).join(' ')} ${names.map((n, i) => `public void n${i}([in, size=sizeof(${n})] uint8_t *p);`).join(' ')} }; };`,
    { fileName: join(tmpdir(), 'all-sgx.edl') },
  );
  const models = new Map(model.types.filter((t): t is StructModel => t.kind !== 'enum').map((t) => [t.name, t]));
  const sizeOf = (t: ValueType): number =>
    t.kind === 'int' || t.kind === 'float' ? t.bits / 8 : t.kind === 'bool' ? 1 : t.kind === 'handle' ? 8 : t.kind === 'enum' ? 4 : t.kind === 'array' ? sizeOf(t.elem) * t.length : models.get(t.name)!.size;
  const alignOf = (t: ValueType): number => (t.kind === 'array' ? alignOf(t.elem) : t.kind === 'struct' || t.kind === 'union' ? models.get(t.name)!.align : sizeOf(t));
  const ours: string[] = [];
  names.forEach((n, i) => {
    const p = model.ecalls.find((e) => e.name === `n${i}`)!.params[0];
    assert.ok(p.kind === 'buffer' && p.size?.kind === 'num');
    ours.push(`sizeof ${n} ${p.size.value}`);
  });
  const members: [string, string][] = [];
  for (const def of structs) {
    let offset = 0;
    for (const m of models.get(def.name)!.members) {
      const size = m.kind === 'value' ? sizeOf(m.type) : 8;
      const align = def.kind === 'struct' && def.packed ? 1 : m.kind === 'value' ? alignOf(m.type) : 8;
      offset = Math.ceil(offset / align) * align;
      ours.push(`offsetof ${def.name}.${m.name} ${offset}`);
      members.push([def.name, m.name]);
      offset += size;
    }
  }

  // enumerator values (model.types holds the enums the EDL reached: all of them, by sizeof)
  const enums = model.types.filter((t) => t.kind === 'enum');
  assert.equal(enums.length, [...builtins.defs.values()].filter((d) => d.kind === 'enum').length);
  const enumerators: string[] = [];
  for (const e of enums) {
    for (const item of e.items) {
      ours.push(`enum ${e.name}.${item.name} ${item.value}`);
      enumerators.push(`${e.name}.${item.name}`);
    }
  }

  // gcc's view of the same
  const dir = mkdtempSync(join(tmpdir(), 'secgear-sgx-gcc-'));
  // internal headers the architectural enclaves' headers include; nothing they declare is used
  writeFileSync(join(dir, 'se_types.h'), '#include <stdint.h>\n');
  writeFileSync(join(dir, 'se_trace.h'), '\n');
  const program = [
    ...INCLUDES.map((h) => `#include "${h}"`),
    '#include <stdio.h>',
    '#include <stddef.h>',
    'int main(void) {',
    ...names.map((n) => `  printf("sizeof %s %zu\\n", "${n}", sizeof(${n}));`),
    ...members.map(([s, m]) => `  printf("offsetof %s %zu\\n", "${s}.${m}", offsetof(${s}, ${m}));`),
    ...enumerators.map((n) => `  printf("enum %s %lld\\n", "${n}", (long long)${n.split('.')[1]});`),
    '  return 0;',
    '}',
  ].join('\n');
  writeFileSync(join(dir, 'layout.c'), program);
  const cc = spawnSync('gcc', ['-w', '-I', HEADERS, '-I', dir, '-o', join(dir, 'layout'), join(dir, 'layout.c')], { encoding: 'utf8' });
  assert.equal(cc.status, 0, cc.stderr);
  const run = spawnSync(join(dir, 'layout'), { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const theirs = run.stdout.trim().split('\n');
  const wrong = ours.filter((line, i) => line !== theirs[i]).map((line) => `ours: ${line}; gcc: ${theirs[ours.indexOf(line)]}`);
  assert.deepEqual(wrong, []);
  assert.equal(theirs.length, ours.length);
});
