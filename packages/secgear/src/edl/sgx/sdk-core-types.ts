/**
 * Types of the Intel SGX SDK's core public headers (common/inc of linux-sgx): enclave
 * identity, attributes, keys, reports, crypto values, sealing and the uRTS. Layouts as the
 * headers declare them (LP64); the sizes are asserted against the headers in
 * test/edl/sgx-types.test.ts. Flexible array members (`uint8_t payload[]`) are left out:
 * C's sizeof leaves them out too, and edger8r copies only sizeof(T) for `[in] T *p`.
 */
import type { HeaderBlock } from './header-block.js';

export const SDK_CORE_TYPES: readonly HeaderBlock[] = [
  {
    header: 'sgx_error.h',
    edl: '',
    // a C enum that grows with every SDK release: carried as its integer, so new codes pass
    typedefs: { sgx_status_t: 'uint32_t' },
  },
  {
    header: 'sgx_eid.h',
    edl: '',
    typedefs: { sgx_enclave_id_t: 'uint64_t' },
  },
  {
    header: 'sgx_attributes.h',
    edl: `
      struct sgx_attributes_t { uint64_t flags; uint64_t xfrm; };
      struct sgx_misc_attribute_t { sgx_attributes_t secs_attr; sgx_misc_select_t misc_select; };`,
    typedefs: { sgx_misc_select_t: 'uint32_t' },
  },
  {
    header: 'sgx_key.h',
    edl: `
      struct sgx_cpu_svn_t { uint8_t svn[16]; };
      struct sgx_key_id_t { uint8_t id[32]; };
      struct sgx_key_request_t {
        uint16_t key_name;
        uint16_t key_policy;
        sgx_isv_svn_t isv_svn;
        uint16_t reserved1;
        sgx_cpu_svn_t cpu_svn;
        sgx_attributes_t attribute_mask;
        sgx_key_id_t key_id;
        sgx_misc_select_t misc_mask;
        sgx_config_svn_t config_svn;
        uint8_t reserved2[434];
      };`,
    typedefs: { sgx_key_128bit_t: 'uint8_t[16]', sgx_isv_svn_t: 'uint16_t', sgx_config_svn_t: 'uint16_t', sgx_config_id_t: 'uint8_t[64]' },
  },
  {
    header: 'sgx_report.h',
    edl: `
      struct sgx_measurement_t { uint8_t m[32]; };
      struct sgx_report_data_t { uint8_t d[64]; };
      struct sgx_target_info_t {
        sgx_measurement_t mr_enclave;
        sgx_attributes_t attributes;
        uint8_t reserved1[2];
        sgx_config_svn_t config_svn;
        sgx_misc_select_t misc_select;
        uint8_t reserved2[8];
        sgx_config_id_t config_id;
        uint8_t reserved3[384];
      };
      struct sgx_report_body_t {
        sgx_cpu_svn_t cpu_svn;
        sgx_misc_select_t misc_select;
        uint8_t reserved1[12];
        sgx_isvext_prod_id_t isv_ext_prod_id;
        sgx_attributes_t attributes;
        sgx_measurement_t mr_enclave;
        uint8_t reserved2[32];
        sgx_measurement_t mr_signer;
        uint8_t reserved3[32];
        sgx_config_id_t config_id;
        sgx_prod_id_t isv_prod_id;
        sgx_isv_svn_t isv_svn;
        sgx_config_svn_t config_svn;
        uint8_t reserved4[42];
        sgx_isvfamily_id_t isv_family_id;
        sgx_report_data_t report_data;
      };
      struct sgx_report_t { sgx_report_body_t body; sgx_key_id_t key_id; sgx_mac_t mac; };`,
    typedefs: { sgx_mac_t: 'uint8_t[16]', sgx_prod_id_t: 'uint16_t', sgx_isvext_prod_id_t: 'uint8_t[16]', sgx_isvfamily_id_t: 'uint8_t[16]' },
  },
  {
    header: 'sgx_report2.h',
    packed: true,
    edl: `
      struct tee_cpu_svn_t { uint8_t svn[16]; };
      struct tee_measurement_t { uint8_t m[48]; };
      struct tee_report_data_t { uint8_t d[64]; };
      struct tee_attributes_t { uint32_t a[2]; };
      struct tee_report_type_t { uint8_t type; uint8_t subtype; uint8_t version; uint8_t reserved; };
      struct sgx_report2_mac_struct_t {
        tee_report_type_t report_type;
        uint8_t reserved1[12];
        tee_cpu_svn_t cpu_svn;
        tee_measurement_t tee_tcb_info_hash;
        tee_measurement_t tee_info_hash;
        tee_report_data_t report_data;
        uint8_t reserved2[32];
        tee_mac_t mac;
      };
      struct sgx_report2_t {
        sgx_report2_mac_struct_t report_mac_struct;
        uint8_t tee_tcb_info[239];
        uint8_t reserved[17];
        uint8_t tee_info[512];
      };`,
    typedefs: { tee_mac_t: 'uint8_t[32]' },
  },
  {
    header: 'sgx_tcrypto.h',
    edl: `
      struct sgx_ec256_dh_shared_t { uint8_t s[32]; };
      struct sgx_ec256_private_t { uint8_t r[32]; };
      struct sgx_ec256_public_t { uint8_t gx[32]; uint8_t gy[32]; };
      struct sgx_ec256_signature_t { uint32_t x[8]; uint32_t y[8]; };
      struct sgx_rsa3072_public_key_t { uint8_t mod[384]; uint8_t exp[4]; };
      struct sgx_rsa3072_key_t { uint8_t mod[384]; uint8_t d[384]; uint8_t e[4]; };
      struct rsa_params_t {
        unsigned int n[96]; unsigned int e[1]; unsigned int d[96]; unsigned int p[48];
        unsigned int q[48]; unsigned int dmp1[48]; unsigned int dmq1[48]; unsigned int iqmp[48];
      };
      enum sgx_rsa_result_t { SGX_RSA_VALID, SGX_RSA_INVALID_SIGNATURE };
      enum sgx_rsa_key_type_t { SGX_RSA_PRIVATE_KEY, SGX_RSA_PUBLIC_KEY };`,
    typedefs: {
      sgx_rsa3072_signature_t: 'uint8_t[384]',
      sgx_sha1_hash_t: 'uint8_t[20]',
      sgx_sha256_hash_t: 'uint8_t[32]',
      sgx_sha384_hash_t: 'uint8_t[48]',
      sgx_aes_gcm_128bit_key_t: 'uint8_t[16]',
      sgx_aes_gcm_256bit_key_t: 'uint8_t[32]',
      sgx_aes_gcm_128bit_tag_t: 'uint8_t[16]',
      sgx_hmac_256bit_key_t: 'uint8_t[32]',
      sgx_hmac_256bit_tag_t: 'uint8_t[32]',
      sgx_cmac_128bit_key_t: 'uint8_t[16]',
      sgx_cmac_128bit_tag_t: 'uint8_t[16]',
      sgx_aes_ctr_128bit_key_t: 'uint8_t[16]',
      // pointers to state inside the enclave: never meaningful on the other side
      sgx_sha_state_handle_t: 'handle',
      sgx_hmac_state_handle_t: 'handle',
      sgx_cmac_state_handle_t: 'handle',
      sgx_ecc_state_handle_t: 'handle',
      sgx_aes_state_handle_t: 'handle',
      // a result enum the SDK may extend: its integer
      sgx_generic_ecresult_t: 'uint32_t',
    },
  },
  {
    header: 'sgx_ecp_types.h',
    packed: true,
    edl: `
      struct sgx_ecc_param_t { uint32_t eccP[8]; uint32_t eccA[8]; uint32_t eccB[8]; uint32_t eccG[2][8]; uint32_t eccR[8]; };`,
    typedefs: { sgx_ec_key_128bit_t: 'uint8_t[16]' },
  },
  {
    header: 'sgx_tseal.h',
    edl: `
      struct sgx_aes_gcm_data_t { uint32_t payload_size; uint8_t reserved[12]; uint8_t payload_tag[16]; };
      struct sgx_sealed_data_t { sgx_key_request_t key_request; uint32_t plain_text_offset; uint8_t reserved[12]; sgx_aes_gcm_data_t aes_data; };`,
    flexible: { sgx_aes_gcm_data_t: 'payload', sgx_sealed_data_t: 'aes_data.payload' },
  },
  {
    header: 'sgx_urts.h',
    packed: true,
    edl: `
      struct sgx_kss_config_t { sgx_config_id_t config_id; sgx_config_svn_t config_svn; };`,
    typedefs: { sgx_launch_token_t: 'uint8_t[1024]' },
  },
  {
    header: 'sgx_thread.h',
    edl: '',
    typedefs: { sgx_thread_t: 'uint64_t' },
  },
  {
    header: 'sgx_capable.h',
    edl: `
      enum sgx_device_status_t {
        SGX_ENABLED, SGX_DISABLED_REBOOT_REQUIRED, SGX_DISABLED_LEGACY_OS, SGX_DISABLED,
        SGX_DISABLED_SCI_AVAILABLE, SGX_DISABLED_MANUAL_ENABLE, SGX_DISABLED_HYPERV_ENABLED, SGX_DISABLED_UNSUPPORTED_CPU
      };`,
  },
];
