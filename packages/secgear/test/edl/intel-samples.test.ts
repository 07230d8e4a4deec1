/**
 * Intel's own EDL files (fixtures/intel, copied unmodified; see its README) load, check and
 * generate both sides without --foreign-type flags; the generated TypeScript type-checks
 * under the strictest settings; SDK structs cross the boundary field by field.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate, loadEdl } from '../../src/edl/index.js';
import type { EdlModel, ValueType } from '../../src/edl/model.js';
import { repoRoot } from '../support/paths.js';
import { boundary, loadGenerated, rejectsWith, sourceDir, TYPECHECK_MODULES, typeCheck } from './support.js';

const FIXTURES = join(sourceDir, 'fixtures', 'intel');
const SDK_INCLUDE = join(FIXTURES, 'linux-sgx', 'sdk-include');
const STD_OCALLS = ['sg_ocall_print_string', 'sg_ocall_sleep_ms', 'sg_ocall_time_ms'];

interface Sample {
  path: string;
  ecalls: string[];
  ocalls: string[];
  searchPath?: string[];
}

const LA_RESPONDER = ['session_request', 'exchange_report', 'generate_response', 'end_session'];
const LA_OCALLS = ['session_request_ocall', 'exchange_report_ocall', 'send_request_ocall', 'end_session_ocall'];

const SAMPLES: Sample[] = [
  { path: 'linux-sgx/LocalAttestation/EnclaveInitiator/EnclaveInitiator.edl', ecalls: ['test_create_session', 'test_message_exchange', 'test_close_session'], ocalls: LA_OCALLS },
  { path: 'linux-sgx/LocalAttestation/EnclaveResponder/EnclaveResponder.edl', ecalls: LA_RESPONDER, ocalls: [] },
  {
    path: 'linux-sgx/LocalAttestation-2.7/Enclave1/Enclave1.edl',
    ecalls: [...LA_RESPONDER, 'test_create_session', 'test_enclave_to_enclave_call', 'test_message_exchange', 'test_close_session'],
    ocalls: LA_OCALLS,
  },
  {
    path: 'linux-sgx/RemoteAttestation/isv_enclave/isv_enclave.edl',
    ecalls: ['sgx_ra_get_ga', 'sgx_ra_proc_msg2_trusted', 'sgx_ra_get_msg3_trusted', 'enclave_init_ra', 'enclave_ra_close', 'verify_att_result_mac', 'put_secret_data'],
    ocalls: [],
  },
  {
    path: 'linux-sgx/SampleEnclave/Enclave.edl',
    ecalls: [
      'ecall_type_char', 'ecall_type_int', 'ecall_type_float', 'ecall_type_double', 'ecall_type_size_t', 'ecall_type_wchar_t', 'ecall_type_struct', 'ecall_type_enum_union',
      'ecall_pointer_user_check', 'ecall_pointer_in', 'ecall_pointer_out', 'ecall_pointer_in_out', 'ecall_pointer_string', 'ecall_pointer_string_const', 'ecall_pointer_size',
      'ecall_pointer_count', 'ecall_pointer_isptr_readonly', 'ocall_pointer_attr', 'ecall_array_user_check', 'ecall_array_in', 'ecall_array_out', 'ecall_array_in_out',
      'ecall_array_isary', 'ecall_function_public', 'ecall_function_private', 'ecall_malloc_free', 'ecall_sgx_cpuid', 'ecall_exception', 'ecall_map',
      'ecall_increase_counter', 'ecall_producer', 'ecall_consumer',
    ],
    ocalls: ['ocall_pointer_user_check', 'ocall_pointer_in', 'ocall_pointer_out', 'ocall_pointer_in_out', 'ocall_function_allow', 'ocall_print_string'],
  },
  { path: 'linux-sgx/SealUnseal/Enclave_Seal/Enclave_Seal.edl', ecalls: ['get_sealed_data_size', 'seal_data'], ocalls: STD_OCALLS },
  { path: 'linux-sgx/SealUnseal/Enclave_Unseal/Enclave_Unseal.edl', ecalls: ['unseal_data'], ocalls: STD_OCALLS },
  { path: 'linux-sgx/Switchless/Enclave.edl', ecalls: ['ecall_repeat_ocalls', 'ecall_empty', 'ecall_empty_switchless'], ocalls: [...STD_OCALLS, 'ocall_empty', 'ocall_empty_switchless'] },
  { path: 'linux-sgx/ae/qe/quoting_enclave.edl', ecalls: ['verify_blob', 'get_quote'], ocalls: STD_OCALLS },
  { path: 'linux-sgx/ae/pce/pce.edl', ecalls: ['get_pc_info', 'certify_enclave', 'get_pc_info_without_ppid'], ocalls: STD_OCALLS },
  { path: 'dcap/qe3/qe3.edl', ecalls: ['get_pce_encrypt_key', 'gen_att_key', 'verify_blob', 'store_cert_data', 'gen_quote'], ocalls: [] },
  { path: 'dcap/id_enclave/id_enclave.edl', ecalls: ['ide_get_id', 'ide_get_pce_encrypt_key'], ocalls: [] },
  { path: 'dcap/pce/pce.edl', ecalls: ['get_pc_info', 'certify_enclave', 'get_pc_info_without_ppid'], ocalls: [] },
  { path: 'dcap/QuoteGenerationSample/Enclave.edl', ecalls: ['enclave_create_report'], ocalls: [] },
  {
    path: 'dcap/QuoteVerificationSample/Enclave.edl',
    ecalls: ['sgx_tvl_verify_qve_report_and_identity', 'ecall_get_target_info'],
    ocalls: STD_OCALLS,
    searchPath: [join(FIXTURES, 'dcap', 'dcap_tvl')],
  },
];

/** What the generator may warn about in these files: things TypeScript cannot carry as C does. */
const EXPECTED_WARNINGS = [/user_check pointer/, /comes from a C header this generator cannot read/, /serves the SGX SDK's C runtime/];

test('intel samples: each loads, checks and generates both sides without foreign-type flags; all type-check', () => {
  const files: Record<string, string> = {};
  SAMPLES.forEach((s, i) => {
    const parsed = loadEdl(join(FIXTURES, s.path), { searchPath: s.searchPath ?? [] });
    assert.deepEqual(parsed.model.ecalls.map((e) => e.name).sort(), [...s.ecalls].sort(), `${s.path}: ecalls`);
    assert.deepEqual(parsed.model.ocalls.map((o) => o.name).sort(), [...s.ocalls].sort(), `${s.path}: ocalls`);
    for (const w of parsed.warnings) assert.ok(EXPECTED_WARNINGS.some((re) => re.test(w.message)), `${s.path}: unexpected warning ${w.message}`);
    const result = generate(parsed, { modules: TYPECHECK_MODULES });
    assert.deepEqual(result.files.map((f) => f.side).sort(), ['trusted', 'untrusted']);
    for (const f of result.files) files[`${i}/${f.name}`] = f.contents;
  });
  const diagnostics = typeCheck(files);
  assert.deepEqual(diagnostics.slice(0, 10), []);
});

test('intel samples: the SDK structs they name are real layouts, not byte blobs', () => {
  const qe3 = loadEdl(join(FIXTURES, 'dcap/qe3/qe3.edl')).model;
  const struct = (m: EdlModel, name: string) => {
    const t = m.types.find((x) => x.name === name);
    assert.ok(t && t.kind === 'struct', `${name} is a struct`);
    return t;
  };
  assert.equal(struct(qe3, 'sgx_report_t').size, 432);
  assert.equal(struct(qe3, 'sgx_target_info_t').size, 512);
  assert.equal(struct(qe3, 'ref_plaintext_ecdsa_data_sdk_t').size, 1223);
  assert.deepEqual(
    struct(qe3, 'sgx_report_body_t').members.map((m) => m.name),
    ['cpu_svn', 'misc_select', 'reserved1', 'isv_ext_prod_id', 'attributes', 'mr_enclave', 'reserved2', 'mr_signer', 'reserved3', 'config_id', 'isv_prod_id', 'isv_svn', 'config_svn', 'reserved4', 'isv_family_id', 'report_data'],
  );
  const certType = qe3.ecalls.find((e) => e.name === 'store_cert_data')!.params[1];
  assert.ok(certType.kind === 'value' && certType.type.kind === 'enum' && certType.type.name === 'sgx_ql_cert_key_type_t');
  const ra = loadEdl(join(FIXTURES, 'linux-sgx/RemoteAttestation/isv_enclave/isv_enclave.edl')).model;
  assert.equal(struct(ra, 'sgx_ra_msg2_t').size, 168); // the head; sig_rl[] is not copied (as edger8r copies sizeof)
  assert.ok(ra.files.includes('<secgear>/sgx_tkey_exchange.edl'));
});

test('intel samples: a real SDK include directory on the search path is used instead of the built-in system EDLs', () => {
  const builtin = loadEdl(join(FIXTURES, 'linux-sgx/ae/qe/quoting_enclave.edl'));
  assert.ok(builtin.model.files.includes('<secgear>/sgx_tstdc.edl'));
  const sdk = loadEdl(join(FIXTURES, 'linux-sgx/ae/qe/quoting_enclave.edl'), { searchPath: [SDK_INCLUDE] });
  assert.ok(sdk.model.files.includes(join(SDK_INCLUDE, 'sgx_tstdc.edl')));
  // the SDK's own C-runtime ocalls then belong to the interface (the host must implement them)
  assert.ok(sdk.model.ocalls.some((o) => o.name === 'sgx_oc_cpuidex'));
  const ra = loadEdl(join(FIXTURES, 'linux-sgx/RemoteAttestation/isv_enclave/isv_enclave.edl'), { searchPath: [SDK_INCLUDE] });
  assert.deepEqual(
    ra.model.ecalls.filter((e) => e.name.startsWith('sgx_ra_')).map((e) => e.file),
    Array(3).fill(join(SDK_INCLUDE, 'sgx_tkey_exchange.edl')),
  );
  assert.equal(typeCheck(Object.fromEntries(generate(sdk, { modules: TYPECHECK_MODULES }).files.map((f) => [`sdk/${f.name}`, f.contents]))).length, 0);
});

test('intel samples: importing the SDK C runtime\'s own ocalls by name (SampleEnclave\'s Libc.edl, Thread.edl) is a warning, not an error', () => {
  for (const [file, names] of [
    ['Libc.edl', ['sgx_oc_cpuidex']],
    ['Thread.edl', ['sgx_thread_wait_untrusted_event_ocall', 'sgx_thread_set_untrusted_event_ocall', 'sgx_thread_setwait_untrusted_events_ocall', 'sgx_thread_set_multiple_untrusted_events_ocall']],
  ] as const) {
    const parsed = loadEdl(join(FIXTURES, 'linux-sgx/SampleEnclave/TrustedLibrary', file));
    const ignored = parsed.warnings.filter((w) => /serves the SGX SDK's C runtime \(sgx_tstdc\.edl\)/.test(w.message)).map((w) => w.message.split("'")[1]);
    assert.deepEqual(ignored, names);
    assert.equal(parsed.model.ocalls.length, 0);
  }
  // a name the SDK's file does not declare either is still an error
  const files = { '/edl/x.edl': 'enclave { from "sgx_tstdc.edl" import sgx_no_such_ocall; trusted { public void f(void); }; };' };
  assert.throws(() => loadEdl('/edl/x.edl', { fs: { readFile: (p) => files[p as keyof typeof files] ?? null } }), /import failed: function 'sgx_no_such_ocall'/);
});

/** A zero value of a model type (what a C caller's memset gives), for building test inputs. */
function zero(model: EdlModel, t: ValueType): unknown {
  switch (t.kind) {
    case 'int':
      return t.bits === 64 ? 0n : 0;
    case 'float':
      return 0;
    case 'bool':
      return false;
    case 'handle':
      return 0n;
    case 'enum': {
      const e = model.types.find((x) => x.name === t.name);
      return e && e.kind === 'enum' ? e.items[0].name : '';
    }
    case 'struct':
    case 'union': {
      const s = model.types.find((x) => x.name === t.name);
      assert.ok(s && s.kind !== 'enum');
      return Object.fromEntries(s.members.map((m) => [m.name, m.kind === 'value' ? zero(model, m.type) : new Uint8Array(0)]));
    }
    case 'array':
      if (t.elem.kind === 'int' && t.elem.bits === 8) return new Uint8Array(t.length);
      if (t.elem.kind === 'int' && t.elem.bits === 32) return t.elem.signed ? new Int32Array(t.length) : new Uint32Array(t.length);
      return Array.from({ length: t.length }, () => zero(model, t.elem));
  }
}

test('intel samples: LocalAttestation responder: dh messages cross field by name; malformed fields are refused', async () => {
  const path = join(FIXTURES, 'linux-sgx/LocalAttestation/EnclaveResponder/EnclaveResponder.edl');
  const loaded = await loadGenerated(readFileSync(path, 'utf8'), { fileName: path });
  const model = loaded.parsed.model;
  const seen: unknown[] = [];
  type Ref<T> = { value: T };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  type Any = any;
  const enclave = boundary(
    loaded,
    loaded.t.createEcallTable({
      session_request(msg1: Ref<Any>, sessionId: Ref<number>) {
        msg1.value.g_a.gx.fill(0xaa);
        msg1.value.target.mr_enclave.m.fill(0x11);
        msg1.value.target.attributes.flags = 0x7n;
        sessionId.value = 9;
        return 0;
      },
      exchange_report(msg2: Any, msg3: Ref<Any>, sessionId: number) {
        seen.push([msg2.report.body.isv_svn, msg2.report.body.mr_signer.m[0], msg2.cmac[15], sessionId]);
        msg3.value.cmac.fill(0x33);
        msg3.value.msg3_body.report.body.isv_prod_id = 0x1234;
        msg3.value.msg3_body.additional_prop_length = 0;
        return 0;
      },
      generate_response(req: Uint8Array, reqSize: bigint, _max: bigint, resp: Uint8Array, respSize: bigint) {
        seen.push([req.length, Number(reqSize), resp.length, Number(respSize)]);
        resp.set(req.subarray(0, Math.min(req.length, resp.length)));
        return 0;
      },
      end_session: () => 0,
    }),
  );

  const r1 = await loaded.u.session_request(enclave);
  assert.equal(r1.retval, 0);
  assert.equal(r1.session_id, 9);
  assert.equal(r1.dh_msg1.g_a.gx[31], 0xaa);
  assert.equal(r1.dh_msg1.target.mr_enclave.m[0], 0x11);
  assert.equal(r1.dh_msg1.target.attributes.flags, 0x7n);
  assert.equal(r1.dh_msg1.target.reserved3.length, 384);

  const msg2 = zero(model, { kind: 'struct', name: 'sgx_dh_msg2_t' }) as Any;
  msg2.report.body.isv_svn = 5;
  msg2.report.body.mr_signer.m[0] = 0x42;
  msg2.cmac[15] = 0x99;
  const r2 = await loaded.u.exchange_report(enclave, msg2, 77);
  assert.deepEqual(seen.pop(), [5, 0x42, 0x99, 77]);
  assert.equal(r2.dh_msg3.msg3_body.report.body.isv_prod_id, 0x1234);
  assert.equal(r2.dh_msg3.cmac[0], 0x33);

  // secure_message_t (from the sample's own header) crosses as size= bytes
  const r3 = await loaded.u.generate_response(enclave, new Uint8Array([1, 2, 3, 4, 5]), 64n, 8n, 1);
  assert.deepEqual(seen.pop(), [5, 5, 8, 8]);
  assert.deepEqual([...r3.resp_message], [1, 2, 3, 4, 5, 0, 0, 0]);

  // a field of the wrong size or type never reaches the enclave
  const short = structuredClone(msg2);
  short.report.body.cpu_svn.svn = new Uint8Array(15);
  await rejectsWith(loaded.u.exchange_report(enclave, short, 1), 'CC_ERROR_BAD_PARAMETERS', /cpu_svn/);
  const wrongType = structuredClone(msg2);
  wrongType.report.body.isv_svn = 70000;
  await rejectsWith(loaded.u.exchange_report(enclave, wrongType, 1), 'CC_ERROR_BAD_PARAMETERS', /isv_svn/);
  const missing = structuredClone(msg2);
  delete missing.report.key_id;
  await rejectsWith(loaded.u.exchange_report(enclave, missing, 1), 'CC_ERROR_BAD_PARAMETERS', /key_id/);
  assert.equal(seen.length, 0);
});

const here = dirname(fileURLToPath(import.meta.url));
const compiledCli = join(here, '..', '..', 'src', 'cli', 'main.js');
const distCli = join(repoRoot, 'packages', 'secgear', 'dist', 'src', 'cli', 'main.js');
const cliMain = existsSync(compiledCli) ? compiledCli : distCli;

test('intel samples: secgear codegen writes both sides without flags (one sample per source; the API test covers all)', { skip: !existsSync(cliMain) && 'build first (npx tsc -b)' }, () => {
  const some = ['EnclaveInitiator.edl', 'isv_enclave.edl', 'qe3.edl', 'QuoteVerificationSample/Enclave.edl'];
  for (const s of SAMPLES.filter((x) => some.some((name) => x.path.endsWith(name)))) {
    const out = mkdtempSync(join(tmpdir(), 'secgear-intel-'));
    const args = ['codegen', join(FIXTURES, s.path), '--trusted-dir', out, '--untrusted-dir', out, '--json', ...(s.searchPath ?? []).flatMap((p) => ['--search-path', p])];
    const r = spawnSync(process.execPath, [cliMain, ...args], { encoding: 'utf8' });
    assert.equal(r.status, 0, `${s.path}: ${r.stderr}`);
    const json = JSON.parse(r.stdout) as { ok: boolean; files: string[]; manifest: { ecalls: { name: string }[] } };
    assert.equal(json.ok, true);
    assert.equal(json.files.length, 2);
    for (const f of json.files) assert.ok(existsSync(f), f);
    assert.deepEqual(json.manifest.ecalls.map((e) => e.name).sort(), [...s.ecalls].sort());
  }
});
