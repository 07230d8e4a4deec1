/**
 * The built-in SGX SDK / DCAP types: sizeof of each as the SDK headers make it. The numbers
 * are the headers' own (their offset comments, `/* 432 bytes *\/`, reserved-byte counts that
 * pad to a stated size) or computed by hand from the header text under the C layout rules
 * (LP64; `#pragma pack(1)` regions as the headers have them), at linux-sgx 90873a0c and
 * SGXDataCenterAttestationPrimitives a46ee8ab.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sgxBuiltinTypes } from '../../src/edl/sgx/index.js';
import { assertError, enclave, parse, parseErrors } from './support.js';

const SIZES: Record<string, number> = {
  // sgx_error.h, sgx_eid.h, sgx_thread.h
  sgx_status_t: 4,
  sgx_enclave_id_t: 8,
  sgx_thread_t: 8,
  // sgx_attributes.h
  sgx_attributes_t: 16,
  sgx_misc_select_t: 4,
  sgx_misc_attribute_t: 24,
  // sgx_key.h: "Struct size is 512 bytes"
  sgx_key_128bit_t: 16,
  sgx_isv_svn_t: 2,
  sgx_config_svn_t: 2,
  sgx_config_id_t: 64,
  sgx_cpu_svn_t: 16,
  sgx_key_id_t: 32,
  sgx_key_request_t: 512,
  // sgx_report.h: target info "Struct size is 512 bytes", report body report_data at (320) + 64, report "432 bytes"
  sgx_measurement_t: 32,
  sgx_mac_t: 16,
  sgx_report_data_t: 64,
  sgx_prod_id_t: 2,
  sgx_isvext_prod_id_t: 16,
  sgx_isvfamily_id_t: 16,
  sgx_target_info_t: 512,
  sgx_report_body_t: 384,
  sgx_report_t: 432,
  // sgx_report2.h: "256 bytes", "1024 bytes"
  tee_mac_t: 32,
  tee_measurement_t: 48,
  sgx_report2_mac_struct_t: 256,
  sgx_report2_t: 1024,
  // sgx_tcrypto.h
  sgx_ec256_dh_shared_t: 32,
  sgx_ec256_private_t: 32,
  sgx_ec256_public_t: 64,
  sgx_ec256_signature_t: 64,
  sgx_rsa3072_public_key_t: 388,
  sgx_rsa3072_key_t: 772,
  sgx_rsa3072_signature_t: 384,
  sgx_sha256_hash_t: 32,
  sgx_sha384_hash_t: 48,
  sgx_aes_gcm_128bit_key_t: 16,
  sgx_aes_gcm_128bit_tag_t: 16,
  sgx_cmac_128bit_key_t: 16,
  sgx_cmac_128bit_tag_t: 16,
  sgx_hmac_256bit_key_t: 32,
  sgx_ecc_state_handle_t: 8,
  // sgx_ecp_types.h (packed): 6 × 8 uint32_t
  sgx_ecc_param_t: 192,
  sgx_ec_key_128bit_t: 16,
  // sgx_tseal.h: payload[] at offset 32; key_request 512 + 4 + 12 + 32
  sgx_aes_gcm_data_t: 32,
  sgx_sealed_data_t: 560,
  // sgx_urts.h (packed): 64 + 2
  sgx_kss_config_t: 66,
  sgx_launch_token_t: 1024,
  // sgx_quote.h (packed): signature[] at (436)
  sgx_epid_group_id_t: 4,
  sgx_spid_t: 16,
  sgx_basename_t: 32,
  sgx_quote_nonce_t: 16,
  sgx_quote_sign_type_t: 4,
  sgx_quote_t: 436,
  sgx_platform_info_t: 101,
  sgx_update_info_bit_t: 12,
  sgx_att_key_id_t: 256,
  sgx_ql_att_key_id_t: 158,
  sgx_att_key_id_ext_t: 256,
  sgx_qe_report_info_t: 960,
  // sgx_dh.h (packed)
  sgx_dh_msg1_t: 576,
  sgx_dh_msg2_t: 512,
  sgx_dh_msg3_body_t: 436,
  sgx_dh_msg3_t: 452,
  sgx_dh_session_enclave_identity_t: 260,
  sgx_dh_session_role_t: 4,
  sgx_dh_session_t: 200,
  // sgx_key_exchange.h (not packed): sig_rl[] at 168, quote[] at 336
  sgx_ra_context_t: 4,
  sgx_ra_key_128_t: 16,
  sgx_ps_sec_prop_desc_t: 256,
  sgx_ra_msg1_t: 68,
  sgx_ra_msg2_t: 168,
  sgx_ra_msg3_t: 336,
  // sgx_ql_lib_common.h
  quote3_error_t: 4,
  sgx_ql_qe3_id_t: 16,
  sgx_ql_qve_collateral_param_t: 514,
  sgx_ql_qve_collateral_t: 120,
  // sgx_pce.h
  sgx_pce_error_t: 4,
  sgx_ql_request_policy_t: 4,
  sgx_pce_info_t: 4,
  // sgx_quote_3.h (packed): signature_data[] at 436
  sgx_ql_cert_key_type_t: 4,
  sgx_ql_attestation_algorithm_id_t: 4,
  sgx_ql_att_key_id_list_header_t: 8,
  sgx_ql_ppid_cleartext_cert_info_t: 36,
  sgx_ql_ppid_rsa2048_encrypted_cert_info_t: 276,
  sgx_ql_ppid_rsa3072_encrypted_cert_info_t: 404,
  sgx_ql_auth_data_t: 2,
  sgx_ql_certification_data_t: 6,
  sgx_ql_ecdsa_sig_data_t: 576,
  sgx_quote_header_t: 48,
  sgx_quote3_t: 436,
  // sgx_ql_quote.h (packed)
  sgx_ql_att_key_id_param_t: 4,
  sgx_ql_qe_report_info_t: 960,
  // sgx_qve_header.h: version u32, 4 time_t at 8, ..., qe_iden_status at 532
  sgx_ql_qv_result_t: 4,
  pck_cert_flag_enum_t: 4,
  sgx_ql_qv_supplemental_t: 536,
  // the architectural enclaves' headers
  pce_info_t: 4,
  psvn_t: 18,
  sgx_psvn_t: 18,
  ref_plaintext_ecdsa_data_sdk_t: 1223,
};

/** sizeof(T) as the checker folds it in `size=sizeof(T)`, for every name at once. */
function sizesOf(names: string[]): Map<string, bigint> {
  const body = names.map((n, i) => `public void f${i}([in, size=sizeof(${n})] uint8_t *p);`).join('\n');
  const { model } = parse(`enclave { trusted { ${body} }; };`);
  const out = new Map<string, bigint>();
  model.ecalls.forEach((e, i) => {
    const p = e.params[0];
    assert.ok(p.kind === 'buffer' && p.size?.kind === 'num', `${names[i]}: size did not fold`);
    out.set(names[i], p.size.value);
  });
  return out;
}

test('sgx types: sizeof of every SDK type matches the SDK headers', () => {
  const sizes = sizesOf(Object.keys(SIZES));
  const wrong = Object.entries(SIZES).filter(([n, want]) => sizes.get(n) !== BigInt(want)).map(([n, want]) => `${n}: ${sizes.get(n)} != ${want}`);
  assert.deepEqual(wrong, []);
});

test('sgx types: every built-in type resolves and has a size (no table entry is broken)', () => {
  const names = Object.entries(sgxBuiltinTypes().typedefs).filter(([, t]) => t !== 'handle').map(([n]) => n);
  const sizes = sizesOf(names);
  for (const n of names) assert.ok((sizes.get(n) ?? 0n) > 0n, n);
  // the size table above covers the types the issue names and most of the rest
  const covered = names.filter((n) => Object.hasOwn(SIZES, n)).length;
  assert.ok(covered / names.length > 0.75, `${covered} of ${names.length} covered`);
});

test('sgx types: packed types align to 1 inside other structs, natural ones keep their alignment', () => {
  const { model } = parse(
    enclave(`
    struct in_packed { uint8_t a; sgx_update_info_bit_t u; };
    struct in_natural { uint8_t a; sgx_attributes_t x; };
    struct in_msg2 { uint8_t a; sgx_ra_msg2_t m; };
    trusted { public void g([in] struct in_packed *p, [in] struct in_natural *q, [in] struct in_msg2 *r); };`),
  );
  const size = (name: string) => model.types.find((t) => t.name === name && t.kind === 'struct');
  assert.equal((size('in_packed') as { size: number }).size, 13); // pack(1) in sgx_quote.h: 12 bytes, alignment 1
  assert.equal((size('in_natural') as { size: number }).size, 24); // uint64_t members: alignment 8
  assert.equal((size('in_msg2') as { size: number }).size, 172); // sgx_ec256_signature_t: alignment 4
});

test('sgx types: fields marshal by name; only the types an EDL reaches are in its model', () => {
  const { model } = parse(enclave('trusted { public void g([out] sgx_report_t *r, sgx_quote_sign_type_t t); };'));
  const names = model.types.map((t) => t.name).sort();
  assert.deepEqual(names, ['sgx_attributes_t', 'sgx_cpu_svn_t', 'sgx_key_id_t', 'sgx_measurement_t', 'sgx_quote_sign_type_t', 'sgx_report_body_t', 'sgx_report_data_t', 'sgx_report_t']);
  const report = model.types.find((t) => t.name === 'sgx_report_t');
  assert.ok(report && report.kind === 'struct');
  assert.deepEqual(report.members.map((m) => m.name), ['body', 'key_id', 'mac']);
  const sign = model.types.find((t) => t.name === 'sgx_quote_sign_type_t');
  assert.ok(sign && sign.kind === 'enum');
  assert.deepEqual(sign.items.map((i) => [i.name, i.value]), [['SGX_UNLINKABLE_SIGNATURE', 0n], ['SGX_LINKABLE_SIGNATURE', 1n]]);
});

test('sgx types: foreignTypes still override a built-in; an EDL definition of an SDK name replaces it, with a warning', () => {
  const opaque = parse(enclave('trusted { public void g([in] sgx_report_t *r); };'), { foreignTypes: { sgx_report_t: 'uint8_t[432]' } });
  const p = opaque.model.ecalls.find((e) => e.name === 'g')!.params[0];
  assert.ok(p.kind === 'buffer' && p.elem.kind === 'int' && p.elemSize === 1 && p.unitSize === 432);
  assert.equal(opaque.model.types.length, 0);

  const own = parse(enclave('struct sgx_spid_t { uint8_t id[16]; };\n  trusted { public void g([in] sgx_spid_t *s); };'));
  assert.ok(own.warnings.some((w) => /'sgx_spid_t' is also a type of the SGX SDK/.test(w.message)));
});

test('sgx types: names the SDK does not declare are still unknown, with the fix in the hint', () => {
  const d = parseErrors(enclave('trusted { public void g([in] sgx_not_a_type_t *p); };'));
  const e = assertError(d, /unknown foreign type 'sgx_not_a_type_t'/, 2);
  assert.match(e.hint ?? '', /--foreign-type/);
});

test('sgx types: an unknown header type behind [size=n] crosses as n bytes, with a warning; without size it is an error', () => {
  const ok = parse(enclave('trusted { public void g([in, size=len] secure_message_t *m, size_t len); };'));
  const m = ok.model.ecalls.find((e) => e.name === 'g')!.params[0];
  assert.ok(m.kind === 'buffer' && m.elemSize === 1 && m.size?.kind === 'ref');
  assert.ok(ok.warnings.some((w) => /'secure_message_t' comes from a C header/.test(w.message)));
  assertError(parseErrors(enclave('trusted { public void g([in] secure_message_t *m); };')), /unknown foreign type 'secure_message_t'/);
  assertError(parseErrors(enclave('trusted { public void g([in, count=2] secure_message_t *m); };')), /unknown foreign type 'secure_message_t'/);
});

test('sgx types: every struct and enum of the table crosses in every position; the generated code type-checks', async () => {
  const { generate } = await import('../../src/edl/index.js');
  const { TYPECHECK_MODULES, typeCheck } = await import('./support.js');
  const defs = [...sgxBuiltinTypes().defs.values()];
  const lines = defs.map((d, i) => {
    const deep = d.kind === 'struct' && d.members.some((m) => m.attrs);
    // structs with deep-copied members cannot be passed by value or [out] only (edger8r's rules)
    return deep ? `public void t${i}([in, count=1] const ${d.name} *a, [in, out] ${d.name} *b);` : `public ${d.name} t${i}(${d.name} v, [in] const ${d.name} *a, [out] ${d.name} *b, [in, out, count=2] ${d.name} *c);`;
  });
  const parsed = parse(`enclave { trusted {\n${lines.join('\n')}\n}; };`);
  const files = Object.fromEntries(generate(parsed, { modules: TYPECHECK_MODULES }).files.map((f) => [`all/${f.name}`, f.contents]));
  assert.deepEqual(typeCheck(files).slice(0, 5), []);
});

test('sgx types: sgx_ql_qve_collateral_t deep-copies its seven PEM/CRL buffers by their size members', async () => {
  const { boundary, loadGenerated } = await import('./support.js');
  const loaded = await loadGenerated('enclave { trusted { public uint32_t verify([in] const sgx_ql_qve_collateral_t *c); }; };');
  let got: Record<string, unknown> | null = null;
  const enclave = boundary(loaded, loaded.t.createEcallTable({ verify: (c: Record<string, unknown>) => ((got = c), 0) }));
  const text = (s: string) => new TextEncoder().encode(s);
  const fields = ['pck_crl_issuer_chain', 'root_ca_crl', 'pck_crl', 'tcb_info_issuer_chain', 'tcb_info', 'qe_identity_issuer_chain', 'qe_identity'];
  const collateral: Record<string, unknown> = { version: 3, tee_type: 0 };
  for (const f of fields) {
    collateral[f] = text(`-----${f}-----`);
    collateral[`${f}_size`] = f.length + 10;
  }
  assert.equal(await loaded.u.verify(enclave, collateral), 0);
  assert.ok(got);
  for (const f of fields) assert.equal(new TextDecoder().decode((got as Record<string, Uint8Array>)[f]), `-----${f}-----`);
  // a size member that disagrees with its buffer is refused before the enclave sees it
  const { rejectsWith } = await import('./support.js');
  await rejectsWith(loaded.u.verify(enclave, { ...collateral, tcb_info_size: 3 }), 'CC_ERROR_BAD_PARAMETERS', /tcb_info/);
});

test('sgx types: a message with a variable tail is its head without size=, and head plus tail as bytes with size=', async () => {
  const { boundary, loadGenerated } = await import('./support.js');
  const src = 'enclave { trusted { public void head([in] const sgx_ra_msg2_t *m, [out] sgx_dh_msg3_t *d); public void whole([in, size=len] const sgx_ra_msg2_t *m, uint32_t len, [out, size=cap] sgx_dh_msg3_t *d, uint32_t cap); }; };';
  const parsed = parse(src);
  const [head, whole] = parsed.model.ecalls;
  assert.ok(head.params[0].kind === 'buffer' && head.params[0].elem.kind === 'struct' && head.params[0].single);
  assert.ok(whole.params[0].kind === 'buffer' && whole.params[0].elem.kind === 'int' && whole.params[0].elemSize === 1);
  assert.equal(parsed.warnings.filter((w) => /ends in the variable-length/.test(w.message)).length, 2);

  const loaded = await loadGenerated(src);
  const seen: number[] = [];
  const enclave = boundary(
    loaded,
    loaded.t.createEcallTable({
      head: () => undefined,
      whole(m: Uint8Array, len: number, d: Uint8Array) {
        seen.push(m.length, len, m[168], d.length);
        d.fill(7);
      },
    }),
  );
  // msg2: the 168-byte head, then sig_rl_size bytes of SigRL
  const msg2 = new Uint8Array(168 + 40);
  msg2[168] = 0x5a;
  const r = await loaded.u.whole(enclave, msg2, 452 + 16);
  assert.deepEqual(seen, [208, 208, 0x5a, 468]);
  assert.equal(r.d.length, 468);
});
