// The HA controller's own etcd cluster (issue 16 item 3): made with its own CA and started by
// createStoreCluster, a member brought back by ensureStoreMember, all stopped (and removed) by
// stopStoreCluster. The controller reaches this module only through core/controller/wiring.ts.
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { access, constants, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { waitFor } from '../../core/controller/wait-for.js';
import { ensureHostPackages, which } from '../providers/local/host-packages.js';
import type { StoreClusterInfo, StoreMember } from './cluster-info.js';
import {
  StoreClusterExistsError,
  StoreClusterSizeError,
  StoreEtcdMissingError,
  StoreMemberStartError,
} from './errors.js';
import { memberHealthy, type ClientTls } from './health.js';
import { lastLogLines, runningPid, startMember, stopMembers } from './member-process.js';
import { freePorts, REMOTE_CLIENT_PORT, REMOTE_PEER_PORT } from './ports.js';

export type { StoreClusterInfo, StoreMember } from './cluster-info.js';

export interface StoreClusterOptions {
  /** The address members listen on and are reached at; default 127.0.0.1. */
  host?: string;
  /** The etcd binary; default `etcd` on PATH, installed (as root) when missing. */
  etcd?: string;
  /** How long a member may take to answer its health endpoint; default 30 s. */
  timeoutMs?: number;
  /** Members on hosts of their own (enable-ha --to), and how to start one there once its
   * certificates exist; the rest run on this host at `host`. */
  remote?: RemoteStoreMembers;
}

export interface RemoteStoreMembers {
  members: { member: number; host: string; machine: string }[];
  start(info: StoreClusterInfo, i: number): Promise<void>;
  /** The last lines of its log there, for the error when it does not answer. */
  lastLog?(info: StoreClusterInfo, i: number): Promise<string>;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 5_000;

/**
 * Makes the CA and certificates, starts all `n` members (n odd, >= 3) and resolves once every one
 * answers its health endpoint. `dir` is created 0700 and must be empty. A member that does not
 * start stops the others (their logs stay in `dir`) and fails with StoreMemberStartError.
 */
export async function createStoreCluster(
  dir: string,
  n: number,
  options: StoreClusterOptions = {},
): Promise<StoreClusterInfo> {
  if (!Number.isInteger(n) || n < 3 || n % 2 === 0) throw new StoreClusterSizeError(n);
  const etcd = await findEtcd(options.etcd);
  if (existsSync(dir) && readdirSync(dir).length > 0) throw new StoreClusterExistsError(dir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700); // mkdir's mode passes through the umask, and an existing dir keeps its own
  const host = options.host ?? '127.0.0.1';
  const away = new Map((options.remote?.members ?? []).map((r) => [r.member, r]));
  const ports = await freePorts(host, 2 * n);
  const url = (at: string, port: number | undefined) => `https://${urlHost(at)}:${port}`;
  const members: StoreMember[] = Array.from({ length: n }, (_, i) => {
    const memberDir = join(dir, `store-${i}`);
    const remote = away.get(i);
    return {
      name: `store-${i}`,
      clientUrl: remote ? url(remote.host, REMOTE_CLIENT_PORT) : url(host, ports[2 * i]),
      peerUrl: remote ? url(remote.host, REMOTE_PEER_PORT) : url(host, ports[2 * i + 1]),
      dataDir: join(memberDir, 'data'),
      pidFile: join(memberDir, 'etcd.pid'),
      logFile: join(memberDir, 'etcd.log'),
      certFile: join(memberDir, 'member.pem'),
      keyFile: join(memberDir, 'member-key.pem'),
      ...(remote ? { machine: remote.machine } : {}),
    };
  });
  const info: StoreClusterInfo = {
    dir,
    token: `rune-store-${randomUUID()}`,
    endpoints: members.map((m) => m.clientUrl),
    tls: {
      caFile: join(dir, 'ca.pem'),
      certFile: join(dir, 'client.pem'),
      keyFile: join(dir, 'client-key.pem'),
    },
    members,
  };
  await writeCertificates(info, (i) => away.get(i)?.host ?? host);
  try {
    await startAll(info, etcd, options.timeoutMs ?? DEFAULT_TIMEOUT_MS, options.remote);
  } catch (e) {
    await stopStoreCluster(info);
    throw e;
  }
  return info;
}

/**
 * Starts member `i` unless its pid file names its running etcd, then resolves once it answers its
 * health endpoint (which etcd serves only with a quorum: to bring back more members than the
 * cluster can lose, call this for each of them at once). Says whether it started one.
 */
export async function ensureStoreMember(
  info: StoreClusterInfo,
  i: number,
  options: Omit<StoreClusterOptions, 'host'> = {},
): Promise<'started' | 'running'> {
  const member = memberAt(info, i);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (runningPid(member) !== undefined) {
    await waitHealthy(info, i, storeClientTls(info), timeoutMs);
    return 'running';
  }
  const etcd = await findEtcd(options.etcd);
  await waitHealthy(info, i, storeClientTls(info), timeoutMs, startMember(info, i, etcd));
  return 'started';
}

/** Stops every member on this host (SIGTERM, then SIGKILL after a grace); `remove` deletes the
 * whole dir. Members on other hosts are their controller members' to stop (ha-hosts.ts). */
export async function stopStoreCluster(
  info: StoreClusterInfo,
  options: { remove?: boolean } = {},
): Promise<void> {
  await stopMembers(
    info.members.filter((m) => m.machine === undefined),
    STOP_GRACE_MS,
  );
  if (options.remove) rmSync(info.dir, { recursive: true, force: true });
}

/** The PEM contents for a client (core/store/etcd-log.ts's EtcdConnection['tls']). */
export function storeClientTls(info: StoreClusterInfo): ClientTls {
  return {
    ca: readFileSync(info.tls.caFile, 'utf8'),
    cert: readFileSync(info.tls.certFile, 'utf8'),
    key: readFileSync(info.tls.keyFile, 'utf8'),
  };
}

function memberAt(info: StoreClusterInfo, i: number): StoreMember {
  const member = info.members[i];
  if (member === undefined) throw new RangeError(`no store member ${i} in ${info.dir}`);
  return member;
}

/** An IPv6 literal goes in brackets in a URL. */
function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

async function findEtcd(explicit: string | undefined): Promise<string> {
  if (explicit !== undefined) {
    try {
      await access(explicit, constants.X_OK);
      return explicit;
    } catch {
      throw new StoreEtcdMissingError(explicit);
    }
  }
  const found = await which('etcd');
  if (found !== undefined) return found;
  try {
    await ensureHostPackages();
  } catch (e) {
    throw new StoreEtcdMissingError('etcd', e instanceof Error ? e.message : String(e));
  }
  const installed = await which('etcd');
  if (installed === undefined) throw new StoreEtcdMissingError('etcd');
  return installed;
}

/** The CA, one certificate per member and the client's, written 0600 (keys never leave dir). */
async function writeCertificates(
  info: StoreClusterInfo,
  hostOf: (i: number) => string,
): Promise<void> {
  // Loaded here, not at the top: wiring.ts re-exports this module, and every CLI command loads
  // wiring, while only enable-ha makes certificates.
  const { issueCertificate, newCertificateAuthority } = await import('./pki.js');
  const ca = await newCertificateAuthority(`Rune store CA ${info.token.slice(-12)}`);
  const [client, ...members] = await Promise.all([
    issueCertificate(ca, { commonName: 'rune-controller', ips: [], role: 'client' }),
    ...info.members.map((m, i) =>
      issueCertificate(ca, { commonName: m.name, ips: ['127.0.0.1', hostOf(i)], role: 'member' }),
    ),
  ]);
  if (client === undefined) throw new Error('no client certificate was issued');
  const files: [string, string][] = [
    [info.tls.caFile, ca.cert],
    [join(info.dir, 'ca-key.pem'), ca.key],
    [info.tls.certFile, client.cert],
    [info.tls.keyFile, client.key],
  ];
  info.members.forEach((m, i) => {
    mkdirSync(join(m.dataDir, '..'), { recursive: true, mode: 0o700 });
    const pair = members[i];
    if (pair === undefined) throw new Error(`no certificate was issued for ${m.name}`);
    files.push([m.certFile, pair.cert], [m.keyFile, pair.key]);
  });
  await Promise.all(files.map(([file, pem]) => writeFile(file, pem, { mode: 0o600 })));
}

/** Starts every member not running, then waits for all: the first needs the others for a quorum.
 * A member on another host is started there by `remote` and waited for over the network. */
async function startAll(
  info: StoreClusterInfo,
  etcd: string,
  timeoutMs: number,
  remote: RemoteStoreMembers | undefined,
): Promise<void> {
  const tls = storeClientTls(info);
  const children = info.members.map((m, i) =>
    m.machine === undefined && runningPid(m) === undefined ? startMember(info, i, etcd) : undefined,
  );
  const away = info.members.flatMap((m, i) => (m.machine === undefined ? [] : [i]));
  if (away.length > 0 && remote === undefined) throw new Error('no way to start remote members');
  for (const i of away) await remote?.start(info, i);
  await Promise.all(
    info.members.map((m, i) =>
      m.machine === undefined
        ? waitHealthy(info, i, tls, timeoutMs, children[i])
        : waitRemoteHealthy(info, i, tls, timeoutMs, remote),
    ),
  );
}

/** A member on another host: its health endpoint over the network is all there is to watch. */
async function waitRemoteHealthy(
  info: StoreClusterInfo,
  i: number,
  tls: ClientTls,
  timeoutMs: number,
  remote: RemoteStoreMembers | undefined,
): Promise<void> {
  const member = memberAt(info, i);
  await waitFor(
    `store member ${member.name} to answer on ${member.clientUrl}/health`,
    () => memberHealthy(member.clientUrl, tls),
    { timeoutMs, intervalMs: 100 },
  ).catch(async (e: unknown) => {
    const detail = e instanceof Error ? e.message : String(e);
    const log = (await remote?.lastLog?.(info, i).catch(() => '')) ?? '';
    throw new StoreMemberStartError(
      member.name,
      `${member.logFile} on machine ${member.machine}`,
      detail,
      log,
    );
  });
}

/**
 * Waits until member `i` answers healthy. A member this process started is watched for exiting
 * (a port taken, a bad flag), which fails at once rather than at the deadline.
 */
async function waitHealthy(
  info: StoreClusterInfo,
  i: number,
  tls: ClientTls,
  timeoutMs: number,
  child?: ChildProcess,
): Promise<void> {
  const member = memberAt(info, i);
  // A health request can hang up to its own timeout (a port that accepts and never speaks TLS):
  // each check races it against the child's exit.
  const exit = new Promise<string>((resolve) =>
    child?.once('exit', (code, signal) => resolve(`etcd exited (${signal ?? `code ${code}`})`)),
  );
  let exited: string | undefined;
  void exit.then((why) => (exited = why));
  try {
    await waitFor(
      `store member ${member.name} to answer on ${member.clientUrl}/health`,
      async () => {
        if (exited !== undefined) return exited;
        if (child === undefined && runningPid(member) === undefined) return 'its etcd is gone';
        return Promise.race([memberHealthy(member.clientUrl, tls), exit]);
      },
      { timeoutMs, intervalMs: 50 },
    ).then((result) => {
      if (result !== true) throw new Error(result);
    });
  } catch (e) {
    const detail = e instanceof Error ? e.message : String(e);
    const log = await lastLogLines(member.logFile, 5);
    const running = exited === undefined && runningPid(member) !== undefined;
    throw new StoreMemberStartError(member.name, member.logFile, detail, log, running);
  }
}
