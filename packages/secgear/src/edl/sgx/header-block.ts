/**
 * One block of built-in C types: what an SDK header declares, restated as EDL definitions
 * (structs, unions, enums) plus typedefs of scalars and arrays, so EDL files that name them
 * without defining them (as real SGX EDL files do) resolve with the header's exact layout.
 */
export interface HeaderBlock {
  /** The header the types come from, as the SDK names it (e.g. `sgx_report.h`). */
  header: string;
  /** Declared inside `#pragma pack(push, 1)`: no padding, alignment 1. */
  packed?: boolean;
  /** EDL definitions (`struct name { ... };`, `enum name { ... };`), wrapped in `enclave { }` when parsed. */
  edl: string;
  /** typedef name → EDL type (`uint16_t`, `uint8_t[16]`, `struct name`, `handle`). */
  typedefs?: Record<string, string>;
  /**
   * Structs that end in a flexible array member (`uint8_t sig_rl[]`), left out of the EDL
   * definition: struct name → the member's name.
   */
  flexible?: Record<string, string>;
}
