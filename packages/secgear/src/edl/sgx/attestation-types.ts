/**
 * Types of the SGX attestation headers: EPID quotes and remote-attestation key exchange
 * (linux-sgx common/inc), local attestation (sgx_dh.h), and DCAP quote generation and
 * verification (SGXDataCenterAttestationPrimitives: sgx_ql_lib_common.h, sgx_quote_3.h,
 * sgx_ql_quote.h, sgx_pce.h, sgx_qve_header.h, sgx_dcap_ql_wrapper.h). Sizes are asserted
 * against the headers in test/edl/sgx-types.test.ts.
 *
 * Messages with a variable tail (`sgx_ra_msg2_t.sig_rl[]`, `sgx_ra_msg3_t.quote[]`,
 * `sgx_dh_msg3_body_t.additional_prop[]`, `sgx_quote_t.signature[]`, ...; `flexible` below)
 * are their fixed head as structs: sizeof(T) in C, and all that edger8r copies for
 * `[in] T *p` / `[out] T *p`. With `size=` (and no `count=`) edger8r copies that many bytes,
 * head and tail; such a pointer crosses as those bytes (see check-decls.ts).
 *
 * Anonymous unions of a 32-bit `version` with 16-bit major/minor halves are carried as the
 * `version` member (same size and alignment; major = version & 0xffff on little-endian).
 */
import type { HeaderBlock } from './header-block.js';

export const ATTESTATION_TYPES: readonly HeaderBlock[] = [
  {
    header: 'sgx_quote.h',
    packed: true,
    edl: `
      struct sgx_spid_t { uint8_t id[16]; };
      struct sgx_basename_t { uint8_t name[32]; };
      struct sgx_quote_nonce_t { uint8_t rand[16]; };
      enum sgx_quote_sign_type_t { SGX_UNLINKABLE_SIGNATURE, SGX_LINKABLE_SIGNATURE };
      struct sgx_quote_t {
        uint16_t version;
        uint16_t sign_type;
        sgx_epid_group_id_t epid_group_id;
        sgx_isv_svn_t qe_svn;
        sgx_isv_svn_t pce_svn;
        uint32_t xeid;
        sgx_basename_t basename;
        sgx_report_body_t report_body;
        uint32_t signature_len;
      };
      struct sgx_platform_info_t { uint8_t platform_info[101]; };
      struct sgx_update_info_bit_t { int ucodeUpdate; int csmeFwUpdate; int pswUpdate; };
      struct sgx_att_key_id_t { uint8_t att_key_id[256]; };
      struct sgx_ql_att_key_id_t {
        uint16_t id;
        uint16_t version;
        uint16_t mrsigner_length;
        uint8_t mrsigner[48];
        uint32_t prod_id;
        uint8_t extended_prod_id[16];
        uint8_t config_id[64];
        uint8_t family_id[16];
        uint32_t algorithm_id;
      };
      struct sgx_att_key_id_ext_t { sgx_ql_att_key_id_t base; uint8_t spid[16]; uint16_t att_key_type; uint8_t reserved[80]; };
      struct sgx_qe_report_info_t { sgx_quote_nonce_t nonce; sgx_target_info_t app_enclave_target_info; sgx_report_t qe_report; };`,
    typedefs: { sgx_epid_group_id_t: 'uint8_t[4]' },
    flexible: { sgx_quote_t: 'signature' },
  },
  {
    header: 'sgx_dh.h',
    packed: true,
    edl: `
      struct sgx_dh_msg1_t { sgx_ec256_public_t g_a; sgx_target_info_t target; };
      struct sgx_dh_msg2_t { sgx_ec256_public_t g_b; sgx_report_t report; uint8_t cmac[16]; };
      struct sgx_dh_msg3_body_t { sgx_report_t report; uint32_t additional_prop_length; };
      struct sgx_dh_msg3_t { uint8_t cmac[16]; sgx_dh_msg3_body_t msg3_body; };
      struct sgx_dh_session_enclave_identity_t {
        sgx_cpu_svn_t cpu_svn;
        sgx_misc_select_t misc_select;
        uint8_t reserved_1[28];
        sgx_attributes_t attributes;
        sgx_measurement_t mr_enclave;
        uint8_t reserved_2[32];
        sgx_measurement_t mr_signer;
        uint8_t reserved_3[96];
        sgx_prod_id_t isv_prod_id;
        sgx_isv_svn_t isv_svn;
      };
      enum sgx_dh_session_role_t { SGX_DH_SESSION_INITIATOR, SGX_DH_SESSION_RESPONDER };
      struct sgx_dh_session_t { uint8_t sgx_dh_session[200]; };`,
    flexible: { sgx_dh_msg3_body_t: 'additional_prop', sgx_dh_msg3_t: 'msg3_body.additional_prop' },
  },
  {
    header: 'sgx_key_exchange.h',
    edl: `
      struct sgx_ps_sec_prop_desc_t { uint8_t sgx_ps_sec_prop_desc[256]; };
      enum sgx_ra_key_type_t { SGX_RA_KEY_SK = 1, SGX_RA_KEY_MK };
      struct sgx_ra_msg1_t { sgx_ec256_public_t g_a; sgx_epid_group_id_t gid; };
      struct sgx_ra_msg2_t {
        sgx_ec256_public_t g_b;
        sgx_spid_t spid;
        uint16_t quote_type;
        uint16_t kdf_id;
        sgx_ec256_signature_t sign_gb_ga;
        sgx_mac_t mac;
        uint32_t sig_rl_size;
      };
      struct sgx_ra_msg3_t { sgx_mac_t mac; sgx_ec256_public_t g_a; sgx_ps_sec_prop_desc_t ps_sec_prop; };`,
    typedefs: { sgx_ra_context_t: 'uint32_t', sgx_ra_key_128_t: 'uint8_t[16]' },
    flexible: { sgx_ra_msg2_t: 'sig_rl', sgx_ra_msg3_t: 'quote' },
  },
  {
    header: 'sgx_ql_lib_common.h',
    packed: true,
    edl: `
      struct sgx_ql_qe3_id_t { uint8_t id[16]; };`,
    // quote3_error_t grows with every DCAP release: its integer
    typedefs: { quote3_error_t: 'uint32_t', tee_error_t: 'uint32_t' },
  },
  {
    header: 'sgx_ql_lib_common.h',
    edl: `
      struct sgx_ql_qve_collateral_param_t { uint8_t key[257]; uint8_t value[257]; };
      struct sgx_ql_qve_collateral_t {
        uint32_t version;
        uint32_t tee_type;
        [size = pck_crl_issuer_chain_size] char *pck_crl_issuer_chain;
        uint32_t pck_crl_issuer_chain_size;
        [size = root_ca_crl_size] char *root_ca_crl;
        uint32_t root_ca_crl_size;
        [size = pck_crl_size] char *pck_crl;
        uint32_t pck_crl_size;
        [size = tcb_info_issuer_chain_size] char *tcb_info_issuer_chain;
        uint32_t tcb_info_issuer_chain_size;
        [size = tcb_info_size] char *tcb_info;
        uint32_t tcb_info_size;
        [size = qe_identity_issuer_chain_size] char *qe_identity_issuer_chain;
        uint32_t qe_identity_issuer_chain_size;
        [size = qe_identity_size] char *qe_identity;
        uint32_t qe_identity_size;
      };
      enum sgx_prod_type_t { SGX_PROD_TYPE_SGX = 0, SGX_PROD_TYPE_TDX = 1 };`,
    typedefs: { tdx_ql_qve_collateral_t: 'struct sgx_ql_qve_collateral_t', tdx_ql_qv_collateral_t: 'struct sgx_ql_qve_collateral_t' },
  },
  {
    header: 'sgx_pce.h',
    edl: `
      enum sgx_ql_request_policy_t {
        SGX_QL_PERSISTENT, SGX_QL_EPHEMERAL, SGX_QL_EPHEMERAL_QVE_MULTI_THREAD, SGX_QL_PERSISTENT_QVE_MULTI_THREAD,
        SGX_QL_DEFAULT = SGX_QL_PERSISTENT
      };`,
    typedefs: { sgx_pce_error_t: 'uint32_t' },
  },
  {
    header: 'sgx_pce.h',
    packed: true,
    edl: `
      struct sgx_pce_info_t { sgx_isv_svn_t pce_isv_svn; uint16_t pce_id; };`,
  },
  {
    header: 'sgx_quote_3.h',
    edl: `
      enum sgx_ql_attestation_algorithm_id_t {
        SGX_QL_ALG_EPID = 0, SGX_QL_ALG_RESERVED_1 = 1, SGX_QL_ALG_ECDSA_P256 = 2, SGX_QL_ALG_ECDSA_P384 = 3, SGX_QL_ALG_MAX = 4
      };
      enum sgx_ql_cert_key_type_t {
        PPID_CLEARTEXT = 1, PPID_RSA2048_ENCRYPTED = 2, PPID_RSA3072_ENCRYPTED = 3, PCK_CLEARTEXT = 4,
        PCK_CERT_CHAIN = 5, ECDSA_SIG_AUX_DATA = 6, QL_CERT_KEY_TYPE_MAX = 16
      };`,
  },
  {
    header: 'sgx_quote_3.h',
    packed: true,
    edl: `
      struct sgx_ql_att_key_id_list_header_t { uint16_t id; uint16_t version; uint32_t num_att_ids; };
      struct sgx_ql_ppid_cleartext_cert_info_t { uint8_t ppid[16]; sgx_cpu_svn_t cpu_svn; sgx_pce_info_t pce_info; };
      struct sgx_ql_ppid_rsa2048_encrypted_cert_info_t { uint8_t enc_ppid[256]; sgx_cpu_svn_t cpu_svn; sgx_pce_info_t pce_info; };
      struct sgx_ql_ppid_rsa3072_encrypted_cert_info_t { uint8_t enc_ppid[384]; sgx_cpu_svn_t cpu_svn; sgx_pce_info_t pce_info; };
      struct sgx_ql_auth_data_t { uint16_t size; };
      struct sgx_ql_certification_data_t { uint16_t cert_key_type; uint32_t size; };
      struct sgx_ql_ecdsa_sig_data_t { uint8_t sig[64]; uint8_t attest_pub_key[64]; sgx_report_body_t qe_report; uint8_t qe_report_sig[64]; };
      struct sgx_quote_header_t {
        uint16_t version;
        uint16_t att_key_type;
        uint32_t att_key_data_0;
        sgx_isv_svn_t qe_svn;
        sgx_isv_svn_t pce_svn;
        uint8_t vendor_id[16];
        uint8_t user_data[20];
      };
      struct sgx_quote3_t { sgx_quote_header_t header; sgx_report_body_t report_body; uint32_t signature_data_len; };`,
    flexible: { sgx_ql_auth_data_t: 'auth_data', sgx_ql_certification_data_t: 'certification_data', sgx_ql_ecdsa_sig_data_t: 'auth_certification_data', sgx_quote3_t: 'signature_data' },
  },
  {
    header: 'sgx_ql_quote.h',
    packed: true,
    edl: `
      struct sgx_ql_att_key_id_param_t { uint32_t algorithm_param_size; };
      struct sgx_ql_att_key_id_list_t { sgx_ql_att_key_id_list_header_t header; };
      struct sgx_ql_qe_report_info_t { sgx_quote_nonce_t nonce; sgx_target_info_t app_enclave_target_info; sgx_report_t qe_report; };`,
    flexible: { sgx_ql_att_key_id_param_t: 'algorithm_param', sgx_ql_att_key_id_list_t: 'ext_id_list' },
  },
  {
    header: 'sgx_qve_header.h',
    edl: `
      enum pck_cert_flag_enum_t { PCK_FLAG_FALSE = 0, PCK_FLAG_TRUE, PCK_FLAG_UNDEFINED };
      struct sgx_ql_qv_supplemental_t {
        uint32_t version;
        time_t earliest_issue_date;
        time_t latest_issue_date;
        time_t earliest_expiration_date;
        time_t tcb_level_date_tag;
        uint32_t pck_crl_num;
        uint32_t root_ca_crl_num;
        uint32_t tcb_eval_ref_num;
        uint8_t root_key_id[48];
        sgx_key_128bit_t pck_ppid;
        sgx_cpu_svn_t tcb_cpusvn;
        sgx_isv_svn_t tcb_pce_isvsvn;
        uint16_t pce_id;
        uint32_t tee_type;
        uint8_t sgx_type;
        uint8_t platform_instance_id[16];
        pck_cert_flag_enum_t dynamic_platform;
        pck_cert_flag_enum_t cached_keys;
        pck_cert_flag_enum_t smt_enabled;
        char sa_list[320];
        time_t qe_iden_earliest_issue_date;
        time_t qe_iden_latest_issue_date;
        time_t qe_iden_earliest_expiration_date;
        time_t qe_iden_tcb_level_date_tag;
        uint32_t qe_iden_tcb_eval_ref_num;
        sgx_ql_qv_result_t qe_iden_status;
      };`,
    // the verification result grows with DCAP releases: its integer
    typedefs: { sgx_ql_qv_result_t: 'uint32_t', tee_qv_result_t: 'uint32_t' },
  },
  {
    header: 'sgx_dcap_ql_wrapper.h',
    edl: `
      enum sgx_ql_path_type_t { SGX_QL_QE3_PATH, SGX_QL_PCE_PATH, SGX_QL_QPL_PATH, SGX_QL_IDE_PATH };`,
  },
];

/**
 * Types of Intel's architectural enclaves' own headers (pce_cert.h, user_types.h,
 * ecdsa_quote.h), which the PCE and QE3 EDLs name. Not SDK API, but published with those
 * EDLs; known here so the architectural enclaves' EDL files generate as they are.
 */
export const ARCHITECTURAL_ENCLAVE_TYPES: readonly HeaderBlock[] = [
  {
    header: 'pce_cert.h',
    edl: `
      struct pce_info_t { sgx_isv_svn_t pce_isvn; uint16_t pce_id; };
      struct psvn_t { sgx_cpu_svn_t cpu_svn; sgx_isv_svn_t isv_svn; };`,
  },
  {
    header: 'user_types.h',
    packed: true,
    edl: `
      struct sgx_psvn_t { sgx_cpu_svn_t cpu_svn; sgx_isv_svn_t isv_svn; };
      struct ref_ec256_public_t { uint8_t gx[32]; uint8_t gy[32]; };
      struct ref_ec256_signature_t { uint32_t x[8]; uint32_t y[8]; };`,
    typedefs: { ref_sha256_hash_t: 'uint8_t[32]' },
  },
  {
    header: 'ecdsa_quote.h',
    packed: true,
    edl: `
      struct ref_plaintext_ecdsa_data_sdk_t {
        uint8_t seal_blob_type;
        uint8_t ecdsa_key_version;
        sgx_cpu_svn_t cert_cpu_svn;
        sgx_isv_svn_t cert_qe_isv_svn;
        sgx_pce_info_t cert_pce_info;
        sgx_ql_cert_key_type_t certification_key_type;
        sgx_cpu_svn_t raw_cpu_svn;
        sgx_pce_info_t raw_pce_info;
        uint8_t signature_scheme;
        sgx_target_info_t pce_target_info;
        sgx_report_t qe_report;
        sgx_ec256_signature_t qe_report_cert_key_sig;
        sgx_ec256_public_t ecdsa_att_public_key;
        sgx_sha256_hash_t ecdsa_id;
        sgx_cpu_svn_t seal_cpu_svn;
        sgx_isv_svn_t seal_qe_isv_svn;
        uint32_t authentication_data_size;
        uint8_t authentication_data[32];
        sgx_key_128bit_t qe_id;
      };`,
  },
];
