/**
 * The `gramine-sgx` backend: each enclave is Node running inside an Intel SGX enclave under
 * Gramine (≥ 1.6.1). The host starts `gramine-sgx` in the folder `secgear gramine manifest`
 * prepared and signed, and talks to the enclave over our own channel on loopback TCP. The
 * enclave verifies its image, computes its identity and answers platform calls itself
 * (enclave-runner.ts); the host only relays ecalls and ocalls. See README.md.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { delimiter, join } from 'node:path';
import { ErrorCode, SecGearError } from '../../common/errors.js';
import type { PlatformOptions } from '../../common/platform.js';
import type { VerifiedImage } from '../../image/verify-image.js';
import { nodeFilePort, type FilePort } from '../tee-files/file-port.js';
import type { Backend, BackendStartParams, EnclaveTransport } from '../types.js';
import { openHostChannel, type ChannelCheck } from './host-channel.js';

export interface GramineLaunchParams {
  image: VerifiedImage;
  /** SECGEAR_CHANNEL and SECGEAR_CHANNEL_KEY, to pass to the enclave. */
  env: Record<string, string>;
  /** The per-call platform options (CreateEnclaveOptions.platform). */
  platformOptions: PlatformOptions;
}

export interface GramineSgxBackendOptions extends ChannelCheck {
  name?: string;
  /** Device access for availability checks; default the real file system. */
  files?: FilePort;
  /** Starts the enclave program. Default: `gramine-sgx <name>` in `platform.gramineDir`. */
  launch?(params: GramineLaunchParams): ChildProcess;
  /** How long the enclave may take to connect. Default 60000 (Gramine loads Node into the enclave). */
  connectTimeoutMs?: number;
}

/** The default launcher: the folder `secgear gramine manifest` wrote, signed with gramine-sgx-sign. */
function launchGramine({ image, env, platformOptions }: GramineLaunchParams): ChildProcess {
  const dir = platformOptions.gramineDir;
  if (typeof dir !== 'string' || dir === '') {
    throw new SecGearError(
      ErrorCode.BAD_PARAMETERS,
      'the gramine-sgx backend needs platform: { gramineDir } — the folder `secgear gramine manifest` wrote and gramine-sgx-sign signed',
    );
  }
  return spawn('gramine-sgx', [image.manifest.name], { cwd: dir, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, stdio: ['ignore', 'inherit', 'inherit'] });
}

export function createGramineSgxBackend(options: GramineSgxBackendOptions = {}): Backend {
  const files = options.files ?? nodeFilePort();
  const launch = options.launch ?? launchGramine;
  return {
    name: options.name ?? 'gramine-sgx',
    isolation:
      'Intel SGX enclave under Gramine: enclave memory is encrypted and integrity-protected by the CPU against the host OS, hypervisor and other processes; the host sees only the channel\'s ciphertext and the enclave\'s system calls, which Gramine forwards (their timing, sizes and file names leak)',
    strength: 60,
    supportsSwitchless: false,
    platformKind: 'hardware',
    async available() {
      if (!(await files.exists('/dev/sgx_enclave'))) return { ok: false, reason: '/dev/sgx_enclave does not exist: no SGX driver on this machine' };
      if (options.launch) return { ok: true };
      for (const dir of (process.env.PATH ?? '').split(delimiter)) if (dir && (await files.exists(join(dir, 'gramine-sgx')))) return { ok: true };
      return { ok: false, reason: 'gramine-sgx is not on PATH: install Gramine ≥ 1.6.1' };
    },
    async start(params: BackendStartParams): Promise<EnclaveTransport> {
      const platformOptions = params.platformOptions ?? {};
      const expect = typeof platformOptions.expectMrEnclave === 'string' ? platformOptions.expectMrEnclave : options.expectMrEnclave;
      const channel = await openHostChannel({ expectMrEnclave: expect, verifyEvidence: options.verifyEvidence });
      let child: ChildProcess;
      try {
        child = launch({ image: params.image, env: { SECGEAR_CHANNEL: channel.address, SECGEAR_CHANNEL_KEY: channel.publicKeyHex }, platformOptions });
      } catch (error) {
        channel.close();
        throw error;
      }
      const exited = new Promise<string>((resolve) => {
        child.once('exit', (code, signal) => resolve(signal ? `the enclave process was killed (${signal})` : `the enclave process exited (code ${code})`));
        child.once('error', (error) => resolve(`the enclave could not be started: ${error.message}`));
      });
      const failEarly = exited.then((reason) => {
        channel.close();
        throw new SecGearError(ErrorCode.ENCLAVE_LOST, `${reason} before it connected`);
      });
      failEarly.catch(() => undefined);
      let connected;
      try {
        connected = await Promise.race([channel.accept(options.connectTimeoutMs ?? 60_000, params.init.logLevel), failEarly]);
      } catch (error) {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        throw error;
      }
      let exitHandler: ((reason: string) => void) | null = null;
      let terminated = false;
      let reported = false;
      const lost = (reason: string) => {
        if (terminated || reported) return;
        reported = true;
        exitHandler?.(reason);
      };
      void exited.then(lost);
      connected.onClose((reason) => lost(`the enclave's channel closed: ${reason}`));
      const closed = new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('close', () => resolve())));
      return {
        pid: child.pid,
        send: (message) => connected.send(message),
        onMessage: (handler) => connected.onMessage(handler),
        onExit: (handler) => void (exitHandler = handler),
        async terminate() {
          if (terminated) return;
          terminated = true;
          connected.close();
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
          await closed;
        },
      };
    },
  };
}
