/**
 * The optional evidence agent of the `cvm` backend: a small process that owns the privileged
 * configfs-tsm files and serves evidence to unprivileged applications over a UNIX socket created
 * with mode 0600 (so only the agent's user, and root, can connect). One request per connection,
 * one JSON line each way:
 *   → {"op":"report","inblob":"<base64 of 64 bytes>"}
 *   ← {"ok":true,"provider":"tdx_guest","format":"tdx","generation":1,"outblob":"<base64>","auxblob":"<base64>"}
 *   ← {"ok":false,"code":"CC_ERROR_...","message":"..."}
 * Requests are served one at a time (the TSM provider serialises them anyway); a request line
 * is at most 4 KiB and must arrive within 5 s.
 */
import { chmodSync, lstatSync, unlinkSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { ErrorCode, SecGearError, type ErrorCodeName } from '../../common/errors.js';
import type { FilePort } from '../tee-files/file-port.js';
import { checkReportData, requestTsmReport, TSM_PROVIDERS, type TsmProvider, type TsmReport } from '../tee-files/configfs-tsm.js';

const MAX_LINE = 4096;
const MAX_RESPONSE = 4 * 1024 * 1024;
const REQUEST_TIMEOUT_MS = 5000;

export interface EvidenceAgentOptions {
  socketPath: string;
  files: FilePort;
  tsmDir?: string;
}

export interface EvidenceAgent {
  socketPath: string;
  close(): Promise<void>;
}

export async function startEvidenceAgent(options: EvidenceAgentOptions): Promise<EvidenceAgent> {
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(work: () => Promise<T>) => {
    const next = queue.then(work, work);
    queue = next.catch(() => undefined);
    return next;
  };
  const connections = new Set<Socket>();
  const server: Server = createServer((socket) => {
    connections.add(socket);
    socket.on('close', () => connections.delete(socket));
    socket.setTimeout(REQUEST_TIMEOUT_MS, () => socket.destroy());
    let buffered = '';
    let answered = false;
    socket.on('data', (chunk: Buffer) => {
      if (answered) return;
      buffered += chunk.toString('utf8');
      const newline = buffered.indexOf('\n');
      if (newline < 0) {
        if (buffered.length > MAX_LINE) reply(socket, { ok: false, code: ErrorCode.BAD_PARAMETERS, message: `request longer than ${MAX_LINE} bytes` });
        return;
      }
      answered = true;
      const line = buffered.slice(0, newline);
      handle(line).then(
        (response) => reply(socket, response),
        (error: unknown) => reply(socket, { ok: false, code: (error as SecGearError).code ?? ErrorCode.GENERIC, message: error instanceof Error ? error.message : String(error) }),
      );
    });
    socket.on('error', () => socket.destroy());
  });

  async function handle(line: string): Promise<object> {
    let request: { op?: unknown; inblob?: unknown };
    try {
      request = JSON.parse(line) as typeof request;
    } catch {
      throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'the request is not JSON');
    }
    if (typeof request !== 'object' || request === null || request.op !== 'report') throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'the only operation is {"op":"report","inblob":"<base64>"}');
    if (typeof request.inblob !== 'string' || !/^[A-Za-z0-9+/]{86}==$/.test(request.inblob)) throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'inblob must be 64 bytes in base64');
    const inblob = new Uint8Array(Buffer.from(request.inblob, 'base64'));
    const report = await serial(() => requestTsmReport(options.files, inblob, {}, options.tsmDir));
    return { ok: true, provider: report.provider, format: report.format, generation: report.generation, outblob: Buffer.from(report.outblob).toString('base64'), auxblob: Buffer.from(report.auxblob).toString('base64') };
  }

  removeStaleSocket(options.socketPath);
  // the socket file is created with 0600: the umask covers the moment between bind and chmod
  const previous = process.umask(0o177);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.socketPath, () => resolve());
    });
  } finally {
    process.umask(previous);
  }
  chmodSync(options.socketPath, 0o600);
  return {
    socketPath: options.socketPath,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of connections) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function reply(socket: Socket, response: object): void {
  socket.end(`${JSON.stringify(response)}\n`);
}

function removeStaleSocket(path: string): void {
  try {
    if (lstatSync(path).isSocket()) unlinkSync(path);
    else throw new SecGearError(ErrorCode.BAD_PARAMETERS, `${path} exists and is not a socket; choose another path for the evidence agent`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

/** Asks the agent for one report. The agent's answer is checked like any device output. */
export function requestReportFromAgent(socketPath: string, inblob: Uint8Array, timeoutMs = 30_000): Promise<TsmReport> {
  if (inblob.byteLength !== 64) return Promise.reject(new SecGearError(ErrorCode.BAD_PARAMETERS, 'inblob must be exactly 64 bytes'));
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    let response = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new SecGearError(ErrorCode.TIMEOUT, `the evidence agent at ${socketPath} did not answer within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('connect', () => socket.write(`${JSON.stringify({ op: 'report', inblob: Buffer.from(inblob).toString('base64') })}\n`));
    socket.on('data', (chunk: Buffer) => {
      response += chunk.toString('utf8');
      if (response.length > MAX_RESPONSE) socket.destroy(new Error('response too large'));
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        error.code === 'EACCES'
          ? new SecGearError(ErrorCode.ACCESS_DENIED, `no permission to use the evidence agent at ${socketPath} (its socket is 0600: run as the agent's user)`)
          : new SecGearError(ErrorCode.TEE_DEVICE, `the evidence agent at ${socketPath} is not reachable: ${error.message}`),
      );
    });
    socket.on('end', () => {
      clearTimeout(timer);
      try {
        resolve(parseAgentResponse(response, inblob));
      } catch (error) {
        reject(error);
      }
    });
  });
}

function parseAgentResponse(text: string, inblob: Uint8Array): TsmReport {
  const bad = (why: string): never => {
    throw new SecGearError(ErrorCode.TEE_DEVICE, `the evidence agent's answer is malformed: ${why}`);
  };
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return bad('not JSON');
  }
  if (typeof value !== 'object' || value === null) bad('not an object');
  if (value.ok === false) {
    const code = typeof value.code === 'string' && value.code.startsWith('CC_ERROR_') ? (value.code as ErrorCodeName) : ErrorCode.TEE_DEVICE;
    throw new SecGearError(code, `evidence agent: ${typeof value.message === 'string' ? value.message.slice(0, 500) : 'failed'}`);
  }
  const provider = value.provider;
  if (typeof provider !== 'string' || !(provider in TSM_PROVIDERS)) bad('unknown provider');
  const b64 = (key: string) => (typeof value[key] === 'string' && /^[A-Za-z0-9+/]*={0,2}$/.test(value[key] as string) ? new Uint8Array(Buffer.from(value[key] as string, 'base64')) : bad(`${key} is not base64`));
  const outblob = b64('outblob');
  const format = TSM_PROVIDERS[provider as TsmProvider];
  try {
    checkReportData(format, outblob, inblob, 'the agent\'s report');
  } catch {
    bad('the report does not carry our report data');
  }
  if (!Number.isSafeInteger(value.generation)) bad('generation is not a number');
  return { provider: provider as TsmProvider, format, outblob, auxblob: b64('auxblob'), generation: value.generation as number };
}
