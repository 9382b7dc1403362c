// enable-ha --to (issue 16 item 3, "on real hosts one per host"): the machines checked before the
// controller stops; each host's etcd, files and controller member in that order; the rollback,
// the CLI's restart of a gone member and destroy-controller's removal on each host.
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../charm/package-root.js';
import { SqliteStore } from '../store/sqlite-store.js';
import { DEFAULT_API_HOST } from './api-remote.js';
import type { StorePlacement } from './enable-ha.js';
import { HaHostStepError, HaPlacementProviderError } from './ha-host-errors.js';
import { controllerMemberFiles, copyToHost, storeMemberFiles } from './ha-host-files.js';
import {
  ensureHostMember,
  hostMemberLog,
  tailOnHost,
  removeFromHost,
  startHostMember,
  startHostStore,
} from './ha-host-processes.js';
import {
  closeHosts,
  errorText,
  haHost,
  MEMBER_API_PORT,
  type MemberHost,
  type MemberRuntime,
  placementMachines,
  reachHosts,
} from './ha-hosts.js';
import type { Connect } from './machine-pool.js';
import { memberClients } from './member-clients.js';
import type { ControllerPaths } from './paths.js';
import type { ControllerInfo, HaHost, HaInfo } from './registry.js';
import type { RemoteMachine } from '../model/machine.js';
import { hashToken } from './user-access.js';
import { waitFor } from './wait-for.js';
import type { StoreClusterInfo } from './wiring.js';

/** What enable-ha --to needs from the composition root. */
export interface PlacementDeps {
  to: string[];
  connect: Connect;
  /** etcd's flags for store member i (agents/controller-store/cluster-info.ts). */
  memberArgs: (cluster: StoreClusterInfo, i: number) => string[];
}

/** How this host runs a member: looked for at the same paths on the others. */
export function memberRuntime(): Omit<MemberRuntime, 'probe'> {
  return { node: process.execPath, script: join(packageRoot(), 'dist', 'core', 'cli', 'rune.js') };
}

/** The user whose token this host's CLI reaches members on other hosts with. */
const HOST_USER = 'rune-controller';
/** As long as the store cluster's certificates: the token is this host's, in a 0600 file. */
const HOST_TOKEN_TTL_MS = 10 * 365 * 24 * 60 * 60 * 1000;

/**
 * The machines named, checked (manual, alive, one per host) and reached, with Rune, Node.js and
 * etcd found on each: while the controller still runs, so any refusal changes nothing.
 */
export async function reachPlacement(
  info: ControllerInfo,
  paths: ControllerPaths,
  members: number,
  deps: PlacementDeps,
): Promise<MemberHost[]> {
  if (info.provider !== 'manual') throw new HaPlacementProviderError(info.name, info.provider);
  // A second reader beside the running controller: WAL lets it read while that one writes.
  const store = new SqliteStore(paths.store, undefined, { keyFile: paths.storeKey });
  let machines;
  try {
    machines = store.machines();
  } finally {
    store.close();
  }
  const records = placementMachines(deps.to, members, machines);
  const probe = join(paths.dir, `.ha-probe-${randomBytes(6).toString('hex')}`);
  writeFileSync(probe, '', { mode: 0o600 });
  try {
    return await reachHosts(records, deps.connect, { ...memberRuntime(), probe });
  } finally {
    rmSync(probe, { force: true });
  }
}

/** Where the store's members run: this host's at its address as the others see it. */
export function storePlacement(
  hosts: readonly MemberHost[],
  paths: ControllerPaths,
  deps: PlacementDeps,
  /** Told the cluster once its first remote member starts: what a rollback must stop. */
  seen: { cluster?: StoreClusterInfo },
): StorePlacement {
  return {
    host: hosts[0]?.seenFrom ?? '127.0.0.1',
    remote: {
      members: hosts.map((h) => ({ member: h.member, host: h.address, machine: h.record.id })),
      start: async (cluster, i) => {
        const host = hosts.find((h) => h.member === i);
        if (host === undefined) throw new RangeError(`no host for store member ${i}`);
        seen.cluster = cluster;
        await copyToHost(
          host,
          storeMemberFiles(paths, cluster, i),
          'copying its store certificates',
        );
        await startHostStore(host, cluster, i, deps.memberArgs(cluster, i));
      },
      lastLog: async (cluster, i) => {
        const host = hosts.find((h) => h.member === i);
        const log = cluster.members[i]?.logFile;
        if (host === undefined || log === undefined) return '';
        return tailOnHost(host, log);
      },
    },
  };
}

/**
 * What controller.json adds for members on other hosts, and the store moved with a session token
 * for this host's CLI in it. The token goes into a copy of the single store that `seed` moves, so
 * the single store stays as it was should enable-ha be rolled back; its secret is only in this
 * host's 0600 file.
 */
export function placeMembers(
  info: ControllerInfo,
  ha: HaInfo,
  hosts: readonly MemberHost[],
  single: SqliteStore,
  keyFile: string,
  seed: (store: SqliteStore) => void,
): ControllerInfo & { ha: HaInfo } {
  const tokenFile = join(ha.clusterFile, '..', 'host.token');
  const token = randomBytes(32).toString('base64url');
  const at = new Date();
  const draft = `${single.file}.ha-seed`;
  writeFileSync(draft, single.image(), { mode: 0o600 });
  const copy = new SqliteStore(draft, undefined, { keyFile });
  try {
    copy.transaction(() => {
      copy.addUser(HOST_USER, at.toISOString());
      copy.addToken({
        hash: hashToken(token),
        user: HOST_USER,
        kind: 'session',
        expiresAt: new Date(at.getTime() + HOST_TOKEN_TTL_MS).toISOString(),
        createdAt: at.toISOString(),
      });
    });
    seed(copy);
  } finally {
    copy.close();
    for (const f of [draft, `${draft}-wal`, `${draft}-shm`]) rmSync(f, { force: true });
  }
  writeFileSync(tokenFile, `${token}\n`, { mode: 0o600 });
  const ports = Array.from({ length: ha.members }, (_, n) =>
    hosts.some((h) => h.member === n) ? MEMBER_API_PORT : (info.api?.ports[n] ?? 0),
  );
  const apiHosts = Array.from(
    { length: ha.members },
    (_, n) => hosts.find((h) => h.member === n)?.address ?? '',
  );
  return {
    ...info,
    ha: { ...ha, hosts: hosts.map(haHost), tokenFile },
    api: { host: info.api?.host ?? DEFAULT_API_HOST, ports, hosts: apiHosts },
  };
}

/** Each host's member files, controller.json last (written here just before). */
export async function copyMemberFiles(
  hosts: readonly MemberHost[],
  paths: ControllerPaths,
  clusterFile: string,
): Promise<void> {
  const cluster = JSON.parse(readFileSync(clusterFile, 'utf8')) as StoreClusterInfo;
  for (const host of hosts) {
    const files = controllerMemberFiles(paths, cluster, clusterFile, host.member);
    await copyToHost(host, files, "copying the controller member's files");
  }
}

/** Starts each host's controller member and resolves once it answers over TCP. */
export async function startHostMembers(
  home: string,
  info: ControllerInfo & { ha: HaInfo },
  paths: ControllerPaths,
  hosts: readonly MemberHost[],
  log: (line: string) => void,
): Promise<void> {
  const clients = memberClients(home, info);
  for (const host of hosts) {
    await startHostMember(host, home, info.name, paths, memberRuntime().script);
    const client = clients[host.member];
    await waitFor(
      `member ${host.member} to answer on ${host.address}:${MEMBER_API_PORT}`,
      () => client?.ping(2_000),
      { timeoutMs: 30_000, intervalMs: 200 },
    ).catch(async (e: unknown) => {
      const tail = await hostMemberLog(host, paths);
      throw new HaHostStepError(
        host.record.id,
        host.address,
        `starting controller member ${host.member}`,
        `${errorText(e)}${tail ? `\nlast lines of its log:\n${tail}` : ''}`,
      );
    });
    log(`started member ${host.member} on machine ${host.record.id} (${host.address})`);
  }
}

/** enable-ha's rollback on each host: its processes stopped, the controller's folder removed. */
export async function undoHosts(
  hosts: readonly MemberHost[],
  name: string,
  paths: ControllerPaths,
  cluster: StoreClusterInfo | undefined,
): Promise<void> {
  for (const host of hosts)
    await removeFromHost(host.machine, name, paths, cluster, host.member, host.sharedFiles).catch(
      () => undefined,
    );
  await closeHosts(hosts);
}

export { closeHosts };

/** A session on a member's host as enable-ha recorded it: its pinned host key, its login. */
async function connectHost(host: HaHost, connect: Connect): Promise<RemoteMachine> {
  const { machine } = await connect(
    {
      host: host.address,
      port: host.sshPort,
      user: host.user,
      privateKey: readFileSync(host.keyFile, 'utf8'),
    },
    { pinned: host.hostKey },
    host.machine,
  );
  return machine;
}

/**
 * The CLI's part when a member on another host does not answer: over SSH, its process is
 * looked for and, when gone (killed, the host rebooted), started again. Says which.
 */
export async function restartMemberHost(
  home: string,
  info: ControllerInfo,
  paths: ControllerPaths,
  host: HaHost,
  connect: Connect,
): Promise<'running' | 'started'> {
  const machine = await connectHost(host, connect);
  try {
    const session = { machine, address: host.address, member: host.member, node: host.node };
    return await ensureHostMember(
      { ...session, record: { id: host.machine } },
      home,
      info.name,
      paths,
      memberRuntime().script,
    );
  } finally {
    await machine.close().catch(() => undefined);
  }
}

/**
 * destroy-controller's part on each member's host: reached as enable-ha recorded it (its pinned
 * host key), its processes stopped and the controller's folder removed. A host that cannot be
 * reached is reported, not fatal: the controller goes anyway, and the message says what stays.
 */
export async function removeMemberHosts(
  info: ControllerInfo & { ha: HaInfo },
  paths: ControllerPaths,
  connect: Connect,
  warn: (line: string) => void,
): Promise<void> {
  const cluster = JSON.parse(readFileSync(info.ha.clusterFile, 'utf8')) as StoreClusterInfo;
  for (const host of info.ha.hosts ?? []) {
    try {
      const machine = await connectHost(host, connect);
      try {
        await removeFromHost(
          machine,
          info.name,
          paths,
          cluster,
          host.member,
          host.sharedFiles === true,
        );
      } finally {
        await machine.close().catch(() => undefined);
      }
    } catch (e) {
      warn(
        `member ${host.member} on machine ${host.machine} (${host.address}) was not removed: ` +
          `${errorText(e)}; its processes and ${paths.dir} may remain there`,
      );
    }
  }
}
