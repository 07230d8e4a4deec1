/**
 * Node join inside the enclave, over mutual RA-TLS (TLS 1.3 terminated here; the host relays
 * ciphertext only). The serving enclave hands the domain root key to a joining enclave that
 * proves, by its certificate's evidence, to be an EKMS enclave like itself (same signer and
 * product id, svn at least its own, an accepted measurement and TCB status) and that presents
 * the cluster's admin token; the joiner accepts the key only from a server that proves the
 * same, then seals it to its own platform. The key crosses as 32 raw bytes after the answer
 * line (so no immutable string ever holds it) and is zeroized on both sides after use.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import { ErrorCode, SecGearError, getEvidence, identity } from 'secgear/enclave';
import { connectRaTls, createRaTlsCredentials, createRaTlsServer, verifyPeer, type RaTlsCredentials, type RaTlsPolicy } from 'secgear/ratls/enclave';
import { JoinRefusal, MAX_JOIN_LINE, type JoinAnswer, type JoinHello, type JoinRequest, type JoinServeConfig, type PeerReference } from '../common/join-protocol.js';
import { adoptRootKey, currentRootKeyId, rootKeyForJoin, type RootKeyState } from './root-key.js';

const ROOT_LENGTH = 32;
const SIM_EVIDENCE_MEDIA_TYPE = 'application/vnd.secgear.sim-evidence';
const TCB_STATUSES = new Set(['SWHardeningNeeded', 'ConfigurationNeeded', 'ConfigurationAndSWHardeningNeeded', 'OutOfDate', 'OutOfDateConfigurationNeeded']);
const IO_TIMEOUT_MS = 30_000;

/** Certificates live a day and are renewed when less than half of it is left (checked every 15 minutes). */
const VALIDITY_SECONDS = 86_400;
const RENEW_BEFORE_MS = 12 * 3600_000;
const RENEW_CHECK_MS = 15 * 60_000;

let credentials: RaTlsCredentials | undefined;
let simulated: Promise<boolean> | undefined;
let serving = false;

/** This enclave's RA-TLS key and certificate, made here; a new pair when the current one nears its end. */
async function ownCredentials(): Promise<RaTlsCredentials> {
  if (!credentials || credentials.notAfter.getTime() - Date.now() < RENEW_BEFORE_MS) {
    credentials = await createRaTlsCredentials({ keyType: 'p256', validity: VALIDITY_SECONDS });
  }
  return credentials;
}

/** Whether this enclave runs on a simulated platform (its own evidence says so). */
function isSimulated(): Promise<boolean> {
  simulated ??= getEvidence({}).then((e) => e.mediaType === SIM_EVIDENCE_MEDIA_TYPE);
  return simulated;
}

const bad = (message: string) => new SecGearError(ErrorCode.BAD_PARAMETERS, message);

function checkReference(ref: unknown): Required<PeerReference> {
  const r = (ref ?? {}) as PeerReference;
  if (typeof r !== 'object') throw bad('peers must be an object');
  const measurements = r.measurements ?? [];
  const statuses = r.acceptTcbStatuses ?? [];
  const roots = r.simulationRoots ?? [];
  if (!Array.isArray(measurements) || measurements.length > 16 || !measurements.every((m) => typeof m === 'string' && /^[0-9a-fA-F]{96}$/.test(m))) {
    throw bad('peers.measurements: up to 16 measurements, 96 hex characters each');
  }
  if (!Array.isArray(statuses) || !statuses.every((s) => typeof s === 'string' && TCB_STATUSES.has(s))) {
    throw bad(`peers.acceptTcbStatuses: any of ${[...TCB_STATUSES].join(', ')}`);
  }
  if (!Array.isArray(roots) || roots.length > 16 || !roots.every((d) => d instanceof Uint8Array && d.byteLength > 0 && d.byteLength <= 16384)) {
    throw bad('peers.simulationRoots: up to 16 DER certificates');
  }
  return { measurements, acceptTcbStatuses: statuses, simulationRoots: roots };
}

/** What this enclave requires of the other end: its own signer and product, its svn or newer. */
async function peerPolicy(ref: Required<PeerReference>): Promise<RaTlsPolicy> {
  const self = identity();
  const sim = await isSimulated();
  return {
    signers: [self.signer],
    measurements: [self.measurement, ...ref.measurements.map((m) => Uint8Array.from(Buffer.from(m, 'hex')))],
    prodId: self.prodId,
    minSvn: self.svn,
    allowDebug: self.debug,
    acceptTcbStatuses: ref.acceptTcbStatuses as RaTlsPolicy['acceptTcbStatuses'],
    // simulated evidence only between simulated nodes, and only from the roots the operator named
    allowSimulation: sim,
    trustAnchors: sim ? ref.simulationRoots.map((der) => ({ kind: 'x509' as const, der })) : [],
  };
}

/** Reads from the TLS socket until `done(buffer)` says how many bytes make the message. */
function readMessage(socket: TLSSocket, done: (data: Buffer, ended: boolean) => number | undefined, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let data = Buffer.alloc(0);
    const finish = (error?: Error, value?: Buffer) => {
      clearTimeout(timer);
      socket.off('data', onData).off('end', onEnd).off('error', onError).off('close', onEnd);
      if (error) reject(error);
      else resolve(value!);
    };
    const check = (ended: boolean) => {
      const length = done(data, ended);
      if (length !== undefined) finish(undefined, data.subarray(0, length));
      else if (data.length > limit) finish(new SecGearError(ErrorCode.INVALID_MESSAGE, `the join message is longer than ${limit} bytes`));
      else if (ended) finish(new SecGearError(ErrorCode.INVALID_MESSAGE, 'the connection closed before a whole join message arrived'));
    };
    const onData = (chunk: Buffer) => {
      const next = Buffer.concat([data, chunk]);
      data.fill(0);
      data = next;
      check(false);
    };
    const onEnd = () => check(true);
    const onError = (error: Error) => finish(error);
    const timer = setTimeout(() => finish(new SecGearError(ErrorCode.TIMEOUT, `no join message within ${IO_TIMEOUT_MS} ms`)), IO_TIMEOUT_MS);
    socket.on('data', onData).on('end', onEnd).on('error', onError).on('close', onEnd);
  });
}

const lineLength = (data: Buffer) => {
  const end = data.indexOf(0x0a);
  return end < 0 ? undefined : end + 1;
};

function parseLine<T>(line: Buffer): T {
  try {
    return JSON.parse(line.toString('utf8')) as T;
  } catch {
    throw new SecGearError(ErrorCode.INVALID_MESSAGE, 'the join message is not JSON');
  }
}

function tokenMatches(token: unknown, expectedDigest: Buffer): boolean {
  if (typeof token !== 'string' || token.length === 0 || token.length > 512) return false;
  return timingSafeEqual(createHash('sha256').update(token).digest(), expectedDigest);
}

type Verdict = { ok: true } | { ok: false; message: string };

/** Starts answering joins on the streams the host relay accepts (once per enclave). */
export async function serveJoins(config: JoinServeConfig): Promise<{ certificatePem: string }> {
  if (serving) throw new SecGearError(ErrorCode.PROTOCOL_STATE, 'this enclave already serves joins');
  if (!config || typeof config.adminTokenDigest !== 'string' || !/^[0-9a-f]{64}$/.test(config.adminTokenDigest)) throw bad('kmsJoinServe needs adminTokenDigest (SHA-256, hex)');
  const expected = Buffer.from(config.adminTokenDigest, 'hex');
  rootKeyForJoin().fill(0); // refuse to serve before the root key is loaded
  serving = true; // before any await: a second call must not start a second server
  let policy: RaTlsPolicy;
  let own: RaTlsCredentials;
  try {
    policy = await peerPolicy(checkReference(config.peers));
    own = await ownCredentials();
  } catch (error) {
    serving = false;
    throw error;
  }
  const server = createRaTlsServer({
    credentials: own,
    requestCert: true,
    sessionEvidence: false,
    maxConnections: 8,
    // never throws: the verdict is told to the joiner in the session, so its operator learns why
    verifyClient: async (certificate): Promise<Verdict> => {
      try {
        await verifyPeer(certificate, policy);
        return { ok: true };
      } catch (error) {
        return { ok: false, message: error instanceof Error ? error.message : String(error) };
      }
    },
    onConnection: async ({ socket, peer }) => {
      const verdict = peer as Verdict;
      let answer: JoinAnswer;
      let root: Buffer | undefined;
      try {
        const hello = parseLine<JoinHello>(await readMessage(socket, lineLength, MAX_JOIN_LINE));
        if (!hello || hello.v !== 1 || hello.op !== 'join') throw new SecGearError(ErrorCode.INVALID_MESSAGE, 'not a join request (v 1, op "join")');
        if (!verdict?.ok) {
          answer = { v: 1, ok: false, code: JoinRefusal.attestation, message: `the serving node refuses the joining enclave's evidence: ${verdict?.message ?? 'no verdict'}` };
        } else if (!tokenMatches(hello.adminToken, expected)) {
          answer = { v: 1, ok: false, code: JoinRefusal.credential, message: "the admin token is not the serving node's (use the admin-token of the node you join)" };
        } else {
          root = rootKeyForJoin();
          answer = { v: 1, ok: true, rootKeyId: currentRootKeyId(), rootKey: `${ROOT_LENGTH} raw bytes follow` };
        }
      } catch (error) {
        answer = { v: 1, ok: false, code: JoinRefusal.message, message: error instanceof Error ? error.message : 'malformed join request' };
      }
      const line = Buffer.from(JSON.stringify(answer) + '\n');
      const out = root ? Buffer.concat([line, root]) : line;
      root?.fill(0);
      // TLS has encrypted the bytes by the time the write completes
      socket.end(out, () => out.fill(0));
    },
  });
  // a node serves joins for as long as it runs: its certificate must not expire under it
  let current = own;
  const renew = setInterval(() => {
    ownCredentials().then(
      (next) => {
        if (next !== current) server.setCredentials((current = next));
      },
      () => undefined, // the current certificate still has hours left; the next check retries
    );
  }, RENEW_CHECK_MS);
  renew.unref?.();
  return { certificatePem: own.certificatePem };
}

/** Joins the cluster through the node at host:port; returns the root key sealed to this platform. */
export async function joinCluster(request: JoinRequest): Promise<Required<RootKeyState>> {
  if (!request || typeof request.host !== 'string' || !/^[A-Za-z0-9.:[\]-]{1,253}$/.test(request.host) || !Number.isInteger(request.port) || request.port < 1 || request.port > 65535) {
    throw bad('kmsJoin needs { host, port, adminToken, peers }');
  }
  if (typeof request.adminToken !== 'string' || request.adminToken.length === 0 || request.adminToken.length > 512) throw bad('kmsJoin needs the admin token of the node it joins');
  const where = `${request.host}:${request.port}`;
  const policy = await peerPolicy(checkReference(request.peers));
  let socket: TLSSocket;
  try {
    ({ socket } = await connectRaTls({ host: request.host, port: request.port, policy, credentials: await ownCredentials(), timeoutMs: request.timeoutMs ?? IO_TIMEOUT_MS }));
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new SecGearError(
      code === ErrorCode.INVALID_EVIDENCE || code === ErrorCode.ATTESTATION_REJECTED ? code : ErrorCode.ATTESTATION_FAILED,
      `the node at ${where} did not prove to be an acceptable EKMS enclave, so no root key is taken from it: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  let message: Buffer | undefined;
  try {
    const hello: JoinHello = { v: 1, op: 'join', adminToken: request.adminToken };
    socket.write(JSON.stringify(hello) + '\n');
    message = await readMessage(
      socket,
      (data, ended) => {
        const line = lineLength(data);
        if (line === undefined) return undefined;
        if (data.length >= line + ROOT_LENGTH) return line + ROOT_LENGTH;
        return ended ? data.length : undefined;
      },
      MAX_JOIN_LINE + ROOT_LENGTH,
    );
    const line = lineLength(message)!;
    const answer = parseLine<JoinAnswer>(message.subarray(0, line));
    if (!answer || answer.v !== 1 || typeof answer.ok !== 'boolean') throw new SecGearError(ErrorCode.INVALID_MESSAGE, `the node at ${where} sent a malformed join answer`);
    if (!answer.ok) {
      const code = Object.values(JoinRefusal).includes(answer.code as never) ? (answer.code as (typeof JoinRefusal)[keyof typeof JoinRefusal]) : ErrorCode.INVALID_MESSAGE;
      throw new SecGearError(code, `the node at ${where} refused the join: ${String(answer.message).slice(0, 1000)}`);
    }
    const root = message.subarray(line);
    if (root.length !== ROOT_LENGTH) throw new SecGearError(ErrorCode.INVALID_MESSAGE, `the node at ${where} sent ${root.length} root key bytes, not ${ROOT_LENGTH}`);
    const state = await adoptRootKey(root);
    if (state.rootKeyId !== answer.rootKeyId) throw new SecGearError(ErrorCode.INVALID_MESSAGE, `the root key from ${where} does not match the id it announced`);
    return state;
  } finally {
    message?.fill(0);
    socket.destroy();
  }
}
