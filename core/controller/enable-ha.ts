// `rune enable-ha` (issue 16 item 3): a single controller becomes N members over a store in an
// etcd cluster of its own. The controller stops, its SQLite store goes into etcd whole (as the
// log's first entry), controller.json records the members, and the members start: one is
// elected and carries on the model where the single controller left it. Any failure before the
// members start puts everything back and starts the single controller again.
import { existsSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { seedStoreLog } from '../store/etcd-store.js';
import { SqliteStore } from '../store/sqlite-store.js';
import { ApiClient } from './api-client.js';
import { AlreadyHighlyAvailableError, EnableHaFailedError, HaMembersError } from './errors.js';
import { storeConnection, storeOwner, storePrefix } from './member.js';
import { type ControllerPaths, controllerPaths } from './paths.js';
import { endControllerProcess, startController } from './process.js';
import { type ControllerInfo, type HaInfo, readController, writeController } from './registry.js';
import { LocalOnlyError } from './access-errors.js';
import { acquireStoreLock } from './store-lock.js';
import { HaPlacementCountError } from './ha-host-errors.js';
import { ensureApiTls } from './api-tls.js';
import {
  closeHosts,
  copyMemberFiles,
  type PlacementDeps,
  placeMembers,
  reachPlacement,
  startHostMembers,
  storePlacement,
  undoHosts,
} from './enable-ha-hosts.js';
import type { StoreClusterInfo } from './wiring.js';

/** The store's etcd cluster as enable-ha needs it (agents/controller-store makes it). */
export interface StoreClusterOps {
  /** Makes and starts an n-member cluster under `dir`; resolves to how to reach it. With a
   * placement, members listed there run on their own hosts (ha-hosts.ts starts them). */
  create(
    dir: string,
    members: number,
    placement?: StorePlacement,
  ): Promise<HaInfo['store'] & { clusterFile: string }>;
  /** Stops it and deletes its data (enable-ha undone, destroy-controller). */
  remove(clusterFile: string): Promise<void>;
  /** Starts every member that is not running, all at once (a lone member has no quorum to
   * answer with), and resolves once each answers: after a reboot, before the controller's. */
  ensureAll(clusterFile: string): Promise<void>;
}

/** Where members of the store run (agents/controller-store's StoreClusterOptions). */
export interface StorePlacement {
  /** This host's address as the other hosts reach it: its store members listen there. */
  host: string;
  remote: {
    members: { member: number; host: string; machine: string }[];
    /** Starts store member i on its host, once the cluster's certificates exist. */
    start(cluster: StoreClusterInfo, i: number): Promise<void>;
    /** The last lines of its log there, for the error when it does not answer. */
    lastLog?(cluster: StoreClusterInfo, i: number): Promise<string>;
  };
}

export interface EnableHaResult {
  info: ControllerInfo & { ha: HaInfo };
  /** Where the single controller's store was kept. */
  keptStore: string;
}

/** Refused before anything changes: an even count cannot outvote its half (etcd's rule too). */
export function checkMemberCount(members: number): void {
  if (!Number.isInteger(members) || members < 3 || members % 2 === 0)
    throw new HaMembersError(members);
}

/** --to places every member but member 0 (this host's): N - 1 machines, refused before
 * anything changes. */
export function checkPlacementCount(members: number, machines: number): void {
  if (machines !== members - 1) throw new HaPlacementCountError(members, machines);
}

export async function enableHa(
  home: string,
  name: string,
  members: number,
  cluster: StoreClusterOps,
  log: (line: string) => void,
  /** enable-ha --to: members 1.. on these machines, one per host (enable-ha-hosts.ts). */
  placement?: PlacementDeps,
): Promise<EnableHaResult> {
  checkMemberCount(members);
  const info = readController(home, name);
  if (info.remote) throw new LocalOnlyError(name, 'enable-ha');
  if (info.ha) throw new AlreadyHighlyAvailableError(name, info.ha.members);
  const paths = controllerPaths(home, name);
  // Before anything stops: a machine that is wrong, unreachable or lacks Rune changes nothing.
  const hosts = placement ? await reachPlacement(info, paths, members, placement) : [];
  for (const h of hosts)
    log(`machine ${h.record.id} (${h.address}) takes member ${h.member}: Rune and etcd found`);
  const seen: { cluster?: StoreClusterInfo } = {};
  let lock: ReturnType<typeof acquireStoreLock>;
  try {
    // The API's certificate goes to those hosts: made now if the controller never made it.
    if (hosts.length > 0) await ensureApiTls(paths.dir, []);
    await stopSingle(home, name, paths, log);
    lock = acquireStoreLock(name, paths.lock);
  } catch (e) {
    await closeHosts(hosts); // open SSH sessions would keep this process alive
    throw e;
  }
  let made: (HaInfo['store'] & { clusterFile: string }) | undefined;
  const kept = `${paths.store}.before-ha`;
  const haDir = join(paths.dir, 'ha');
  // A folder there before is not this attempt's to remove (create refuses it anyway).
  const hadHaDir = existsSync(haDir) && readdirSync(haDir).length > 0;
  let ha: HaInfo;
  try {
    made = await cluster.create(
      haDir,
      members,
      placement && hosts.length > 0 ? storePlacement(hosts, paths, placement, seen) : undefined,
    );
    log(`started the store's etcd cluster: ${made.endpoints.join(', ')}`);
    const { clusterFile, ...store } = made;
    ha = { members, store, clusterFile, enabledAt: new Date().toISOString() };
    const single = new SqliteStore(paths.store, undefined, { keyFile: paths.storeKey });
    let placed: ControllerInfo & { ha: HaInfo } = { ...info, ha };
    const seed = (from: SqliteStore) =>
      seedStoreLog(storeConnection(ha), storePrefix(info), storeOwner(info), from);
    try {
      if (hosts.length > 0) placed = placeMembers(info, ha, hosts, single, paths.storeKey, seed);
      else seed(single);
    } finally {
      single.close();
    }
    ha = placed.ha;
    writeController(home, placed);
    await copyMemberFiles(hosts, paths, clusterFile);
    // Kept, not deleted: the model as it was when it moved, should the operator want it.
    renameSync(paths.store, kept);
    for (const f of [`${paths.store}-wal`, `${paths.store}-shm`]) rmSync(f, { force: true });
  } catch (e) {
    await undoHosts(hosts, name, paths, seen.cluster);
    if (made) await cluster.remove(made.clusterFile).catch(() => undefined);
    // A cluster that did not start leaves its certificates behind (its members' logs are in
    // the error): gone, or the next enable-ha would find the folder taken.
    else if (!hadHaDir) rmSync(haDir, { recursive: true, force: true });
    writeController(home, info);
    if (!existsSync(paths.store) && existsSync(kept)) renameSync(kept, paths.store);
    lock.release();
    await startController(home, name).catch(() => undefined);
    throw new EnableHaFailedError(name, e);
  }
  lock.release();
  const done = readController(home, name) as ControllerInfo & { ha: HaInfo };
  try {
    for (let n = 0; n < members; n++) {
      if (hosts.some((h) => h.member === n)) continue;
      await startController(home, name, 30_000, n);
      log(`started member ${n}`);
    }
    await startHostMembers(home, done, paths, hosts, log);
  } finally {
    await closeHosts(hosts);
  }
  return { info: done, keptStore: kept };
}

/** The single controller stops first: the store moves whole, with nothing writing to it. */
async function stopSingle(
  home: string,
  name: string,
  paths: ControllerPaths,
  log: (line: string) => void,
): Promise<void> {
  const client = new ApiClient(name, paths.socket);
  const running = await client.ping(1000).then(
    () => true,
    () => false,
  );
  if (running) await client.shutdown(false);
  await endControllerProcess(home, name, { askedToStop: running });
  log(`stopped controller "${name}" to move its store into etcd`);
}
