/**
 * The `process` and `console` enclave code sees. `process` is a small read-only object: no
 * environment (nor env-file loading), no signals or kill, no debugger, no bindings, no stdio,
 * no reports; `exit()` ends only the enclave. `console` writes through the enclave's log
 * channel (the host decides where log lines go), never to the host's stdout or stderr.
 */

export interface ProcessFacadeDeps {
  nextTick(callback: () => void): void;
  hrtime: NodeJS.HRTime;
  uptime(): number;
  /** Ends the enclave with this exit code. */
  exit(code: number): never;
  platform: string;
  arch: string;
  version: string;
  versions: Record<string, string | undefined>;
}

export function makeProcessFacade(deps: ProcessFacadeDeps): object {
  const { apply } = Reflect;
  const hrtime = (previous?: [number, number]) => deps.hrtime(previous);
  hrtime.bigint = () => deps.hrtime.bigint();
  return {
    env: {},
    argv: ['secgear-enclave'],
    execArgv: [],
    title: 'secgear-enclave',
    platform: deps.platform,
    arch: deps.arch,
    version: deps.version,
    versions: { ...deps.versions },
    release: { name: 'node' },
    browser: false,
    nextTick(callback: (...args: unknown[]) => void, ...args: unknown[]) {
      if (typeof callback !== 'function') throw new TypeError('process.nextTick(callback): callback must be a function');
      deps.nextTick(() => apply(callback, undefined, args));
    },
    hrtime,
    uptime: () => deps.uptime(),
    cwd: () => '/',
    exit(code?: number) {
      deps.exit(Number.isInteger(code) && (code as number) >= 0 && (code as number) < 128 ? (code as number) : 1);
    },
    emitWarning() {
      // warnings would reach the host's stderr; enclave code logs through `log` instead
    },
  };
}

const CONSOLE_LEVELS = {
  error: 'error',
  warn: 'warn',
  info: 'info',
  log: 'info',
  debug: 'debug',
  trace: 'debug',
  dir: 'info',
  table: 'info',
} as const;

export type ConsoleLevel = (typeof CONSOLE_LEVELS)[keyof typeof CONSOLE_LEVELS];

/** `console` over the log channel; `format` is util.format of the isolate. */
export function makeConsoleFacade(write: (level: ConsoleLevel, line: string) => void, format: (...args: unknown[]) => string): object {
  const facade: Record<string, unknown> = {};
  for (const [method, level] of Object.entries(CONSOLE_LEVELS)) {
    facade[method] = (...args: unknown[]) => {
      let line: string;
      try {
        line = format(...args);
      } catch {
        line = '<unprintable>';
      }
      write(level, line);
    };
  }
  for (const method of ['assert', 'count', 'countReset', 'group', 'groupCollapsed', 'groupEnd', 'time', 'timeEnd', 'timeLog']) {
    facade[method] = () => undefined;
  }
  return facade;
}
