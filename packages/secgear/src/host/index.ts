/** `secgear`: the host API — create, call and destroy enclaves. */
export { createEnclave } from './create-enclave.js';
export { EnclaveHandle as Enclave, type EcallProxies, type EnclaveInfo } from './enclave.js';
export type { CreateEnclaveOptions, CallOptions, SwitchlessOptions, OcallImplementation, OcallTable } from './options.js';
export { configure, DEFAULT_MAX_ENCLAVES } from './limits.js';
export { BuiltinOcallRegistry, defaultBuiltinOcalls, registerBuiltinOcall, unregisterBuiltinOcall } from './builtin-ocalls.js';
export {
  BackendRegistry,
  builtInBackends,
  defaultBackends,
  listBackends,
  registerBackend,
  unregisterBackend,
  createGramineSgxBackend,
  createCvmBackend,
  type Availability,
  type Backend,
  type BackendStartParams,
  type EnclaveTransport,
  type GramineSgxBackendOptions,
  type GramineLaunchParams,
  type CvmBackendOptions,
} from '../backends/index.js';
export type { EnclaveIdentity, PlatformService, PlatformOptions } from '../common/platform.js';
export type { EnclaveInit, EnclaveMessage, HostMessage } from '../common/protocol.js';
export { buildImage, loadImage, verifyImageBytes, generateSigningKey, type EnclaveManifest, type ManifestInput, type VerifiedImage, type BuildImageOptions } from '../image/index.js';
export { SecGearError, EnclaveError, ErrorCode, isSecGearError, type ErrorCodeName } from '../common/errors.js';
export { toHex, fromHex } from '../common/bytes.js';
/** This machine's simulated attestation root (DER), for enclave code that verifies simulated evidence (it reads no files). */
export { readSimRootCertificate, ensureSimRootCertificate } from '../backends/sim-platform/state.js';
