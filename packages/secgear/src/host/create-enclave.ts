import { bytesEqual, fromHex, toHex } from '../common/bytes.js';
import { ErrorCode, SecGearError } from '../common/errors.js';
import type { EnclaveIdentity, PlatformService } from '../common/platform.js';
import type { EnclaveInit, LogLevel } from '../common/protocol.js';
import { LOG_LEVELS } from '../common/protocol.js';
import { BackendRegistry, defaultBackends } from '../backends/index.js';
import type { EnclaveTransport } from '../backends/types.js';
import { loadImage, verifyImageBytes, type VerifiedImage } from '../image/verify-image.js';
import { callPolicyOf, effectiveMemoryLimitMb } from '../image/manifest.js';
import { BuiltinOcallRegistry, defaultBuiltinOcalls } from './builtin-ocalls.js';
import { EnclaveHandle } from './enclave.js';
import { reserveEnclaveSlot } from './limits.js';
import { SWITCHLESS_DEFAULTS, type CreateEnclaveOptions, type OcallImplementation } from './options.js';
import { SwitchlessClient } from './switchless-client.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyFunction = (...args: any[]) => any;

const DEFAULT_START_TIMEOUT_MS = 30_000;

function defaultLog(name: string): (level: LogLevel, message: string) => void {
  return (level, message) => process.stderr.write(`[enclave ${name}] ${level.toUpperCase()}: ${message}\n`);
}

/** For backends whose platform runs inside the TEE: the host answers no platform call. */
function inEnclavePlatform(kind: 'simulated' | 'hardware'): PlatformService {
  return {
    kind,
    handle: () => Promise.reject(new SecGearError(ErrorCode.NOT_SUPPORTED, 'this backend answers platform calls inside the enclave; the host has none to answer')),
  };
}

function expectBytes(value: string | Uint8Array): Uint8Array {
  return typeof value === 'string' ? fromHex(value) : value;
}

/**
 * Verifies an enclave image and starts it, after secGear's `cc_enclave_create`. Nothing of
 * the image runs before its format, measurement and signature have been checked.
 *
 * @param image path of a `.sgimg` file, or its bytes
 * @typeParam E the enclave's ecall table (e.g. `typeof ecalls` from the enclave module) for typed `enclave.ecall`
 */
export async function createEnclave<E = Record<string, AnyFunction>>(image: string | Uint8Array, options: CreateEnclaveOptions = {}): Promise<EnclaveHandle<E>> {
  if (options.backends !== undefined && !(options.backends instanceof BackendRegistry)) {
    throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'options.backends must be a BackendRegistry');
  }
  if (options.builtinOcalls !== undefined && !(options.builtinOcalls instanceof BuiltinOcallRegistry)) {
    throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'options.builtinOcalls must be a BuiltinOcallRegistry');
  }
  const backend = await (options.backends ?? defaultBackends).resolve(options.type ?? 'sim');
  const builtinOcalls = options.builtinOcalls ?? defaultBuiltinOcalls;
  const verified: VerifiedImage = typeof image === 'string' ? await loadImage(image) : verifyImageBytes(image);
  const { manifest } = verified;

  if (options.expect?.measurement && !bytesEqual(expectBytes(options.expect.measurement), verified.measurement)) {
    throw new SecGearError(ErrorCode.INVALID_IMAGE, `the image measurement ${toHex(verified.measurement)} is not the expected one`);
  }
  if (options.expect?.signer && !bytesEqual(expectBytes(options.expect.signer), verified.signer)) {
    throw new SecGearError(ErrorCode.INVALID_SIGNATURE, `the image signer ${toHex(verified.signer)} is not the expected one`);
  }
  if (manifest.debug && !options.debug) {
    throw new SecGearError(
      ErrorCode.DEBUG_NOT_ALLOWED,
      `${manifest.name} is a debug image (its secrets and stack traces are not protected); pass { debug: true } to run it, and never in production`,
    );
  }
  const given = (options.ocalls ?? {}) as Record<string, OcallImplementation>;
  // each declared ocall resolved once, here: the host's function, else this registry's built-in
  const ocalls: Record<string, OcallImplementation> = Object.create(null);
  for (const decl of manifest.ocalls) {
    const implementation = typeof given[decl.name] === 'function' ? given[decl.name] : builtinOcalls.get(decl.name);
    if (!implementation) {
      throw new SecGearError(ErrorCode.BAD_PARAMETERS, `the image declares ocall "${decl.name}" but options.ocalls has no function for it`);
    }
    ocalls[decl.name] = implementation;
  }
  const logLevel = options.logLevel ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) throw new SecGearError(ErrorCode.BAD_PARAMETERS, `logLevel must be one of ${LOG_LEVELS.join(', ')}`);
  const timeoutMs = options.timeoutMs ?? 0;
  if (!(Number.isFinite(timeoutMs) && timeoutMs >= 0)) throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'timeoutMs must be a non-negative number of milliseconds');

  // switchless: only when the image has switchless ecalls and the caller did not turn it off
  const wantsSwitchless = options.switchless !== false && manifest.ecalls.some((e) => e.switchless);
  const sl = { ...SWITCHLESS_DEFAULTS, poolSize: manifest.switchless.poolSize, ...(options.switchless || {}) };
  let switchless: SwitchlessClient | null = null;
  if (wantsSwitchless) {
    if (backend.supportsSwitchless) {
      for (const [key, min] of [['poolSize', 1], ['retriesBeforeFallback', 0], ['retriesBeforeSleep', 0], ['workers', 1]] as const) {
        if (!Number.isInteger(sl[key]) || sl[key] < min) throw new SecGearError(ErrorCode.BAD_PARAMETERS, `switchless.${key} must be an integer ≥ ${min}`);
      }
      if (sl.policy !== 'busy' && sl.policy !== 'wakeup') throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'switchless.policy must be "busy" or "wakeup"');
      switchless = new SwitchlessClient(sl.poolSize, manifest.switchless.slotBytes, sl.retriesBeforeFallback);
    } else if (!sl.rollbackToCommon) {
      throw new SecGearError(ErrorCode.NOT_SUPPORTED, `the ${backend.name} backend cannot share memory with the enclave, so switchless calls are impossible; set rollbackToCommon or use the sim backend`);
    }
  }

  const release = reserveEnclaveSlot();
  const identity: EnclaveIdentity = {
    measurement: verified.measurement,
    signer: verified.signer,
    prodId: manifest.prodId,
    svn: manifest.svn,
    debug: manifest.debug,
  };
  let transport: EnclaveTransport | null = null;
  let handle: EnclaveHandle<E> | null = null;
  try {
    const platform = backend.createPlatform ? backend.createPlatform(identity, options.platform ?? {}) : inEnclavePlatform(backend.platformKind ?? 'hardware');
    const switchlessFunctions = manifest.ecalls.filter((e) => e.switchless).map((e) => e.name);
    const init: EnclaveInit = {
      identity,
      name: manifest.name,
      ecalls: manifest.ecalls.map((e) => ({ name: e.name, switchless: e.switchless === true })),
      ocalls: manifest.ocalls.map((o) => o.name),
      callPolicy: callPolicyOf(manifest),
      logLevel,
      switchless: switchless
        ? {
            buffer: switchless.buffer,
            poolSize: switchless.poolSize,
            slotBytes: manifest.switchless.slotBytes,
            policy: sl.policy,
            retriesBeforeSleep: sl.retriesBeforeSleep,
            functions: switchlessFunctions,
          }
        : null,
    };
    transport = await backend.start({
      image: verified,
      init,
      heapLimitMb: manifest.heapLimitMb,
      memoryLimitMb: effectiveMemoryLimitMb(manifest),
      platformOptions: options.platform ?? {},
    });
    handle = new EnclaveHandle<E>({
      info: {
        backend: backend.name,
        isolation: backend.isolation,
        simulated: platform.kind === 'simulated',
        name: manifest.name,
        version: manifest.version,
        measurement: verified.measurement,
        signer: verified.signer,
        prodId: manifest.prodId,
        svn: manifest.svn,
        debug: manifest.debug,
        switchless: switchless !== null,
        ...(transport.pid !== undefined ? { pid: transport.pid } : {}),
      },
      manifest,
      transport,
      platform,
      ocalls,
      switchless,
      timeoutMs,
      onLog: options.onLog ?? defaultLog(manifest.name),
      release,
    });
    handle.switchlessRollback = sl.rollbackToCommon;
    const defined = new Set(await handle.waitReady(options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS));
    const missing = manifest.ecalls.filter((e) => !defined.has(e.name)).map((e) => e.name);
    if (missing.length) {
      throw new SecGearError(ErrorCode.INVALID_IMAGE, `the manifest declares ecalls the enclave does not define: ${missing.join(', ')}; add them to defineEnclave({ ecalls }) or remove them from the manifest`);
    }
    return handle;
  } catch (error) {
    if (handle) await handle.destroy();
    else await transport?.terminate();
    release();
    throw error;
  }
}
