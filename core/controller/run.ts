// `rune controller run NAME [--member N]`: the controller process in the foreground (bootstrap
// starts it detached; systemd can run it directly). Takes the store's lock, opens the store,
// clears what a dead predecessor left, serves the API until told to stop, and releases
// everything on SIGTERM or SIGINT, removing only the socket and pid file that are its own. A
// member of a highly available controller (member.ts) serves at once but runs the model only
// once elected; until then it stands by, following the store's log.
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadCharmModule } from '../charm/module-loader.js';
import { packagedCharmCache } from '../charm/packaged-charms.js';
import type { LoadedCharm } from '../charm/sdk.js';
import { CharmRepository, packageRoot } from '../charm/repository.js';
import type { EtcdStore } from '../store/etcd-store.js';
import { SqliteStore } from '../store/sqlite-store.js';
import type { Store } from '../store/types.js';
import { listen } from './api-server.js';
import { LocalOnlyError } from './access-errors.js';
import { prepareRemoteApi } from './api-remote.js';
import { Controller } from './controller.js';
import { MemberNeededError, NoSuchMemberError } from './errors.js';
import type { Candidacy } from './member.js';
import { memberPaths } from './member-paths.js';
import { isRoot, sweepLocal } from './leftovers.js';
import { type ControllerPaths, controllerPaths } from './paths.js';
import { type ControllerInfo, type HaInfo, readController } from './registry.js';
import { acquireStoreLock } from './store-lock.js';
import { connectOverSsh, keepStoreMember, localProvider, simCloud } from './wiring.js';

export interface RunningController {
  stop(): Promise<void>;
  done: Promise<void>;
}

/** How long a charm's loaded code serves new hooks before its sources are looked at again. */
const CHARM_RELOAD_MS = 1_000;

function log(line: string): void {
  process.stdout.write(`${new Date().toISOString()} ${line}\n`);
}

/** On a highly available controller: which member this process is. */
type Membership = { info: ControllerInfo & { ha: HaInfo }; id: number };

export async function runController(
  home: string,
  name: string,
  member?: number,
): Promise<RunningController> {
  const info = readController(home, name);
  if (info.remote) throw new LocalOnlyError(name, 'controller run');
  const { ha } = info;
  if (ha && member === undefined) throw new MemberNeededError(name, ha.members);
  if (
    member !== undefined &&
    (!ha || !Number.isInteger(member) || member < 0 || member >= ha.members)
  )
    throw new NoSuchMemberError(name, member, ha?.members ?? 0);
  const membership = ha && member !== undefined ? { info: { ...info, ha }, id: member } : undefined;
  const base = controllerPaths(home, name);
  const paths = membership ? memberPaths(base, membership.id) : base;
  mkdirSync(dirname(paths.pid), { recursive: true, mode: 0o700 });
  const version = (
    JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }
  ).version;
  // Before anything else: a second controller on the store would sweep the first one's machines
  // as leftovers, replace its socket and pid file, and run every hook twice (issue 15 item 7).
  const lock = acquireStoreLock(name, paths.lock);
  try {
    return await serve(home, name, paths, info, version, () => lock.release(), membership);
  } catch (e) {
    removeIfOwn(paths, undefined);
    lock.release();
    throw e;
  }
}

/** The pid file's and the socket's removal, when (and only when) this process made them. */
function removeIfOwn(paths: ControllerPaths, socketIno: number | undefined): void {
  try {
    if (socketIno !== undefined && statSync(paths.socket).ino === socketIno) rmSync(paths.socket);
  } catch {
    // Already gone.
  }
  try {
    if (readFileSync(paths.pid, 'utf8').trim() === String(process.pid)) rmSync(paths.pid);
  } catch {
    // Already gone.
  }
}

async function serve(
  home: string,
  name: string,
  paths: ControllerPaths,
  info: ControllerInfo,
  version: string,
  releaseLock: () => void,
  membership: Membership | undefined,
): Promise<RunningController> {
  // Written as soon as the store is this process's, so a CLI that finds it silent while it
  // starts can name it.
  writeFileSync(paths.pid, `${process.pid}\n`);
  let stop: () => Promise<void> = () => Promise.resolve();
  let replicated: EtcdStore | undefined;
  let store: Store;
  // Loaded only by members: etcd's client and the store's worker are for HA controllers.
  const ha = membership && (await import('./member.js'));
  if (membership && ha) {
    // Fenced: another member is active now. It stops; the next CLI command starts it standing by.
    replicated = ha.openMemberStore(membership.info, paths, (e) => {
      log(`${e.message}; stopping`);
      void stop();
    });
    store = replicated;
  } else {
    store = new SqliteStore(paths.store, undefined, { keyFile: paths.storeKey });
  }
  const sim = info.provider === 'sim' ? simCloud(info, store.machines()) : undefined;
  const local = info.provider === 'local' ? localProvider(info, paths) : undefined;
  const provider = local ?? sim?.provider;
  let finish: () => void = () => undefined;
  let leaveElection: () => Promise<void> = () => Promise.resolve();
  /** A member takes changes once it runs the model (not merely once elected). */
  let runsModel = false;
  const done = new Promise<void>((resolve) => (finish = resolve));
  const charms = new CharmRepository();
  const loads = new Map<string, { at: number; loading: Promise<LoadedCharm> }>();
  const controller = new Controller({
    info,
    paths,
    version,
    store,
    charms,
    loadCharm: (app) => {
      // Units of one application starting together share one load (one esbuild run, not one
      // per unit), and a load serves the hooks that start within the next second too: looking
      // at a charm's ~50 sources on every hook was a tenth of the controller's CPU with 50
      // workers. Edited charm code is picked up by the hooks that start a second later.
      const now = Date.now();
      const known = loads.get(app.charmDir);
      if (known !== undefined && now - known.at < CHARM_RELOAD_MS) return known.loading;
      const charm = charms.load(app.charmDir, '/');
      const loading = loadCharmModule(app.charmDir, join(paths.dir, 'charm-cache'), {
        charm,
        seedDirs: [packagedCharmCache()],
      }).then((module) => ({ charm, module }));
      // A failed load is not kept: the next hook tries again and reports what it finds.
      loading.catch(() => loads.delete(app.charmDir));
      loads.set(app.charmDir, { at: now, loading });
      return loading;
    },
    connect: sim?.connect ?? connectOverSsh,
    ...(sim === undefined ? {} : { sim }),
    log,
    ...(provider === undefined ? {} : { provider: () => provider }),
    ...(membership && { member: { id: membership.id, active: () => runsModel } }),
    // After an API shutdown: a member gives up the election key at once, then the process ends.
    exit: () => void leaveElection().finally(finish),
  });
  /** What only the controller that runs the model does: at once, or once elected. The sweep
   * comes first, before any request can make a machine it would take for a leftover. */
  const runModel = async () => {
    if (local !== undefined) {
      const live = store.machines().filter((m) => m.provider === 'local');
      const swept = await sweepLocal(
        info,
        paths,
        live.map((m) => m.instanceId),
      );
      if (swept.length > 0) log(`removed what a previous run left behind: ${swept.join(', ')}`);
      if (isRoot()) {
        // The host's side of local machines (packages, tools, the bridge) is the controller's
        // own infrastructure: set up as it starts, in the background, not by its first deploy.
        // A failure is only logged here; the first machine made tries again and reports it.
        void local.prepare().catch((e: unknown) => {
          log(`local provider not ready yet: ${e instanceof Error ? e.message : String(e)}`);
        });
      }
    }
    // Sim machines live in the active member's process: those made while it stood by come back
    // empty, as a restarted controller's do.
    for (const record of store.machines())
      if (record.provider === 'sim') sim?.provider.revive(record.id);
    runsModel = true;
    // Activation caught the replica up (the last entries of the member before): what was
    // cached per model change is stale.
    controller.events.bump();
    controller.runner.start();
    controller.startHealthChecks();
    // In the background: the API answers meanwhile, and status shows the resumed progress.
    void controller.resumeDeploys().then(
      (resumed) => resumed.forEach((b) => log(`resumed the deploy of ${b} left unfinished`)),
      (e: unknown) =>
        log(`could not resume an unfinished deploy: ${e instanceof Error ? e.message : String(e)}`),
    );
  };
  if (!membership) await runModel();
  const role = membership && (() => ({ id: membership.id, active: runsModel }));
  const remote = await prepareRemoteApi(home, name, store, log);
  // TCP first: its port is in controller.json before the socket says the process has started,
  // so members started one after another never write controller.json at once.
  const tcp = await remote.listen(controller, membership?.id ?? 0, role);
  const server = await listen(controller, paths.socket, log, role, remote.routes).catch(
    (e: unknown) => {
      tcp.close();
      throw e;
    },
  );
  // Its inode tells this socket from one bound by another process later, should ours be replaced.
  const socketIno = statSync(paths.socket).ino;
  let following: (() => Promise<void>) | undefined;
  let candidacy: Candidacy | undefined;
  const keeping = membership
    ? keepStoreMember(membership.info.ha.clusterFile, membership.id, log)
    : undefined;
  leaveElection = async () => {
    keeping?.();
    await candidacy?.stop();
    await following?.();
  };
  if (membership && ha && replicated) {
    // Standing by, the model changes under this member: its readers must hear of it too.
    following = await replicated.follow(() => controller.events.bump());
    candidacy = ha.standForElection(membership.info, membership.id, replicated, {
      onActive: () => void runModel(),
      onLost: (why) => {
        log(`member ${membership.id} is no longer the active member (${why}); stopping`);
        void stop();
      },
      log,
    });
  }
  log(
    `controller "${name}" (id ${info.id}${membership ? `, member ${membership.id}` : ''}) ` +
      `serving on ${paths.socket}; ${store.machines().length} machines known`,
  );

  let stopping: Promise<void> | undefined;
  stop = () =>
    (stopping ??= (async () => {
      // Open /changes long-polls answer now rather than hold their clients until T passes.
      controller.events.close();
      await leaveElection();
      await controller.runner.stop();
      await controller.pool.closeAll();
      store.close();
      finish();
    })());
  void done.then(() => {
    server.close();
    server.closeAllConnections();
    tcp.close();
    tcp.closeAllConnections();
    removeIfOwn(paths, socketIno);
    log(`controller "${name}" stopped`);
    releaseLock();
  });
  return { stop, done };
}
