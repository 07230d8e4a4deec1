/**
 * The standard EDL library that secGear applications import (`from "secgear_tstdc.edl"
 * import *;`), so their EDL files work as they are. The names are secGear's; the contents
 * are ours: the standard ocalls this runtime offers, which the generated host code implements
 * (`codegen/std-ocalls.ts`), and the report ecall of sg_ra_report.edl, which the generated
 * enclave code implements (`codegen/std-ecalls.ts`); an application may override any of them.
 * They resolve after the importing file's directory and the search path.
 */

/** Paths of built-in files start with this (it cannot clash with a real path). */
export const STD_PREFIX = '<secgear>/';

export const STD_LIBRARY: Readonly<Record<string, string>> = {
  'secgear_tstdc.edl': `/* secGear for TypeScript: standard C support ocalls. */
enclave {
    untrusted {
        /* Writes str and a newline to the host's standard output. */
        void sg_ocall_print_string([in, string] const char *str);
        /* The host's wall-clock time in milliseconds since the Unix epoch (untrusted, like any host time). */
        int64_t sg_ocall_time_ms(void);
        /* Waits ms milliseconds on the host (at most 60000). */
        void sg_ocall_sleep_ms(uint32_t ms);
    };
};
`,
  'secgear_tswitchless.edl': `/*
 * secGear for TypeScript: switchless calls need no declarations of their own. Mark ecalls
 * with transition_using_threads and tune the ring with createEnclave({ switchless }) and the
 * manifest's switchless settings; the runtime serves the ring.
 */
enclave {
};
`,
  'secgear_pthread.edl': `/*
 * secGear for TypeScript: threads inside an enclave are concurrent ecalls (up to the
 * manifest's maxConcurrentEcalls); waiting is await. Nothing needs declaring here.
 */
enclave {
};
`,
  'secgear_tssl.edl': `/* secGear for TypeScript: what TLS inside the enclave needs from the host: time. */
enclave {
    from "secgear_tstdc.edl" import sg_ocall_time_ms;
};
`,
  'secgear_tkey_exchange.edl': `/*
 * secGear for TypeScript: key exchange runs through the secure channel and RA-TLS modules,
 * whose messages cross as ordinary ecalls and ocalls; nothing needs declaring here.
 */
enclave {
};
`,
  'secgear_tprotected_fs.edl': `/*
 * secGear for TypeScript: host file storage for the enclave's protected (sealed) files.
 * The host sees only what the enclave writes: seal data before writing it. Names are
 * relative to the host's storage directory; results are 0 or an errno value.
 */
enclave {
    untrusted {
        int32_t sg_ocall_pfs_size([in, string] const char *name, [out] uint64_t *size);
        int32_t sg_ocall_pfs_read([in, string] const char *name, [out, size=len] uint8_t *buf, size_t len);
        int32_t sg_ocall_pfs_write([in, string] const char *name, [in, size=len] const uint8_t *buf, size_t len);
        int32_t sg_ocall_pfs_remove([in, string] const char *name);
    };
};
`,
  'sg_ra_report.edl': `/*
 * secGear for TypeScript: this enclave's remote-attestation report, after secGear's
 * sg_ra_report.edl (the same ecall, so EDL and host code written for it keep their shape).
 * The generated enclave code implements it with getEvidence({ nonce }): the host chooses
 * only the nonce (at most 64 bytes), never the report data. retval 0: report[0..real_len)
 * holds the evidence as a CBOR CMW record [media type, evidence] (decodeRaReport on the
 * host reads it). A report buffer too small gets nothing, retval -65520
 * (CC_ERROR_SHORT_BUFFER) and real_len the size needed.
 */
enclave {
    trusted {
        public int qt_enclave_att_report([in, size=nonce_len] uint8_t *nonce,
                                         uint32_t nonce_len,
                                         [out, size=report_len] uint8_t *report,
                                         uint32_t report_len,
                                         [out] uint32_t *real_len);
    };
};
`,
};

/**
 * The Intel SGX SDK's system EDL files, under their SDK names, so SGX EDL files that import
 * them (`from "sgx_tstdc.edl" import *;`) load as they are. Like the secGear ones above they
 * are found after the importing file's directory and the search path, so a real SDK include
 * directory on the search path (`--search-path /opt/intel/sgxsdk/include`) takes precedence.
 * What the SDK's versions declare serves its C runtime (cpuid, thread events, the switchless
 * worker, protected-fs file mapping) and has no meaning here; each file below says what it
 * holds instead. sgx_tkey_exchange.edl keeps the SDK's three ecalls: the host half of remote
 * attestation calls them, and the enclave's code implements them.
 */
export const SGX_SYSTEM_EDL: Readonly<Record<string, string>> = {
  'sgx_tstdc.edl': `/*
 * secGear for TypeScript: the SDK's C library support (cpuid and thread-event ocalls) has no
 * use here; the enclave gets secGear's standard C support ocalls instead.
 */
enclave {
    from "secgear_tstdc.edl" import *;
};
`,
  'sgx_pthread.edl': `/*
 * secGear for TypeScript: threads inside an enclave are concurrent ecalls (up to the
 * manifest's maxConcurrentEcalls); the SDK's pthread ocalls are not needed.
 */
enclave {
};
`,
  'sgx_tswitchless.edl': `/*
 * secGear for TypeScript: switchless calls need no worker ecalls; mark ecalls and ocalls
 * transition_using_threads and the runtime serves the ring.
 */
enclave {
};
`,
  'sgx_tprotected_fs.edl': `/*
 * secGear for TypeScript: the SDK's protected files map host files into the enclave; here the
 * enclave stores sealed data through secGear's protected-fs ocalls instead.
 */
enclave {
    from "secgear_tprotected_fs.edl" import *;
};
`,
  'sgx_tkey_exchange.edl': `/*
 * The SGX SDK's remote-attestation key exchange (sgx_tkey_exchange.edl): the ecalls the
 * untrusted half (sgx_ra_proc_msg2, sgx_ra_get_msg3) makes into the enclave. The types are
 * the SDK's (built in). secGear for TypeScript provides no implementation of the SDK's key
 * exchange library: the enclave's code implements these ecalls.
 */
enclave {
    trusted {
        public sgx_status_t sgx_ra_get_ga(sgx_ra_context_t context, [out] sgx_ec256_public_t *g_a);
        /* msg2 without its variable tail (sig_rl): sizeof(sgx_ra_msg2_t) bytes */
        public sgx_status_t sgx_ra_proc_msg2_trusted(sgx_ra_context_t context,
                                                     [in] const sgx_ra_msg2_t *p_msg2,
                                                     [in] const sgx_target_info_t *p_qe_target,
                                                     [out] sgx_report_t *p_report,
                                                     [out] sgx_quote_nonce_t *p_nonce);
        /* msg3 is written in place by the caller's library: user_check (a handle here) */
        public sgx_status_t sgx_ra_get_msg3_trusted(sgx_ra_context_t context,
                                                    uint32_t quote_size,
                                                    [in] sgx_report_t *qe_report,
                                                    [user_check] sgx_ra_msg3_t *p_msg3,
                                                    uint32_t msg3_size);
    };
};
`,
};

/**
 * What the SDK's versions of those files declare for its C runtime and the built-in ones
 * leave out: function → file. EDL files may import them by name (`from "sgx_tstdc.edl"
 * import sgx_oc_cpuidex;`); such an import is ignored with a warning, not an error.
 */
export const SGX_RUNTIME_FUNCTIONS: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries({
    'sgx_tstdc.edl': ['sgx_oc_cpuidex', 'sgx_thread_wait_untrusted_event_ocall', 'sgx_thread_set_untrusted_event_ocall', 'sgx_thread_setwait_untrusted_events_ocall', 'sgx_thread_set_multiple_untrusted_events_ocall'],
    'sgx_pthread.edl': ['pthread_wait_timeout_ocall', 'pthread_create_ocall', 'pthread_wakeup_ocall'],
    'sgx_tswitchless.edl': ['sl_init_switchless', 'sl_run_switchless_tworker'],
    'sgx_tprotected_fs.edl': [
      'u_sgxprotectedfs_check_if_file_exists', 'u_sgxprotectedfs_exclusive_file_map', 'u_sgxprotectedfs_file_remap', 'u_sgxprotectedfs_file_unmap',
      'u_sgxprotectedfs_remove', 'u_sgxprotectedfs_fwrite_recovery_file', 'u_sgxprotectedfs_do_file_recovery',
    ],
  }).flatMap(([file, names]) => names.map((name) => [name, file])),
);

/** Headers an EDL file may `#include`; `include "secgear_urts.h"` (no #) is only recorded. */
export const STD_HEADERS: Readonly<Record<string, string>> = {
  'secgear_urts.h': '/* secGear for TypeScript: nothing to declare. */\n',
  'secgear_t.h': '/* secGear for TypeScript: nothing to declare. */\n',
};
