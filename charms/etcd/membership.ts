// The cluster over the `cluster` peer relation. The leader bootstraps a one-member cluster and
// then lets units join ONE AT A TIME: etcd 3.4 counts an added member in its quorum before it
// starts, so two pending joins, or a join left half-done, can stall it. Leader settings
// `joining` is the queue of units to join, in order; a unit adds itself once every unit before
// it has started (their peer bags say so), so each turn passes without a leader hook between.
// After a restore, members of the replaced cluster leave it and join again the same way.
import { randomBytes } from 'node:crypto';
import { etcd } from 'rune/interfaces';
import { list, put } from './bags.js';
import type { Ctx, Env } from './env.js';
import {
  LS,
  MEMBER_CLUSTER,
  MEMBER_READY,
  MEMBER_STARTED,
  type MemberRecord,
  STATE,
} from './keys.js';
import {
  etcdctl,
  memberAddCommand,
  memberRemoveCommand,
  observeCommand,
  untilListeningCommand,
} from './member-commands.js';
import { clusterTag, inReplacedCluster, leaveReplacedCluster } from './rejoin.js';
import { ensureService } from './service.js';
import {
  type EndpointHealth,
  type Member,
  type PeerSpec,
  connectionString,
  httpsUrl,
  initialCluster,
  initialClusterAfterAdd,
  isStarted,
  staleMembers,
} from './workload/cluster.js';
import { EtcdctlFailedError } from './workload/errors.js';
import {
  readEndpointHealth,
  readMemberAdd,
  readMemberList,
  splitBoth,
} from './workload/etcdctl.js';
import { memberName } from './workload/paths.js';

export interface ClusterView {
  members: Member[];
  /** `endpoint health --cluster`: started members only; empty when it could not run. */
  health: EndpointHealth[];
}

/** `fresh`: its member was started in this hook, so the first look waits until it serves. */
export type Membership =
  { kind: 'member'; fresh?: boolean } | { kind: 'waiting' | 'maintenance'; message: string };

/** A unit of this application that published its member facts. */
interface Peer extends PeerSpec {
  unit: string;
  /** It has its certificates on disk, so it can join as soon as it is its turn. */
  ready: boolean;
}

/** etcd's own default, for a member whose token was never recorded (it is ignored then). */
const DEFAULT_TOKEN = 'etcd-cluster';

/** Tells the other units this unit's member name and peer URL (the etcd interface's peer keys). */
export function publishPeer(ctx: Ctx, env: Env): void {
  const rel = ctx.relations('cluster')[0];
  if (rel === undefined) return;
  const writes = etcd.peer.publish(rel.local.toObject(), {
    unitName: env.name,
    publicAddress: env.address,
    managementPort: env.config.management_port,
  });
  for (const [key, value] of Object.entries(writes)) put(rel.local, key, value);
}

/**
 * Tells the peers this unit's member is started and healthy (MEMBER_STARTED, with the cluster it
 * started in), or that its certificates are in place and it may be given the turn to join
 * (MEMBER_READY).
 */
export function markPeer(ctx: Ctx, flag: typeof MEMBER_STARTED | typeof MEMBER_READY): void {
  const rel = ctx.relations('cluster')[0];
  if (rel === undefined) return;
  put(rel.local, flag, 'true');
  const record = ctx.state.get<MemberRecord>(STATE.member);
  if (flag === MEMBER_STARTED && record !== undefined) {
    put(rel.local, MEMBER_CLUSTER, clusterTag(record.token));
  }
}

/** This unit and the peers in scope that published their facts, by unit number. */
function knownUnits(ctx: Ctx, env: Env): Peer[] {
  const rel = ctx.relations('cluster')[0];
  const peers = (rel?.units ?? []).flatMap((unit): Peer[] => {
    const bag = rel?.remote(unit).toObject() ?? {};
    const m = etcd.peer.member(bag);
    const peerUrl = m && httpsUrl(m.publicAddress, m.managementPort);
    return m && peerUrl
      ? [{ unit, name: m.unitName, peerUrl, ready: bag[MEMBER_READY] === 'true' }]
      : [];
  });
  const self = { unit: ctx.unit, name: env.name, peerUrl: env.peerUrl, ready: true };
  return [self, ...peers].sort((a, b) => unitNumber(a.unit) - unitNumber(b.unit));
}

/** member list and health through `endpoints`; undefined when the cluster does not answer. */
export async function observe(
  ctx: Ctx,
  env: Env,
  endpoints: readonly string[],
): Promise<ClusterView | undefined> {
  if (endpoints.length === 0) return undefined;
  const [listed, health] = splitBoth(await ctx.machine.run(observeCommand(env, endpoints)));
  if (listed.code !== 0) return undefined;
  const members = readMemberList(listed);
  try {
    return { members, health: readEndpointHealth(health) };
  } catch (error) {
    if (!(error instanceof EtcdctlFailedError)) throw error;
    return { members, health: [] };
  }
}

/** How long a member started in this hook is given to serve: a new member's first election. */
const FRESH_WAIT_MS = 30_000;

function serves(view: ClusterView | undefined, env: Env): boolean {
  return view?.health.some((h) => h.endpoint === env.clientUrl && h.healthy) === true;
}

/**
 * The cluster as this unit's own member sees it. A member started in this hook (`fresh`) is
 * asked again until it serves: its first look is the wait for it, so a join costs no separate
 * health poll, and the turn passes on in the same hook.
 */
export async function observeOwn(
  ctx: Ctx,
  env: Env,
  fresh: boolean,
): Promise<ClusterView | undefined> {
  const deadline = Date.now() + FRESH_WAIT_MS;
  for (;;) {
    const view = await observe(ctx, env, [env.clientUrl]);
    if (!fresh || serves(view, env) || Date.now() >= deadline) return view;
    await ctx.machine.run('sleep 0.05');
  }
}

async function bootstrap(ctx: Ctx, env: Env): Promise<Membership> {
  const token = randomBytes(16).toString('hex');
  const record: MemberRecord = {
    token,
    initialCluster: initialCluster([{ name: env.name, peerUrl: env.peerUrl }]),
    state: 'new',
  };
  ctx.leaderSettings.set(LS.token, token);
  ctx.leaderSettings.set(LS.cluster, record.initialCluster);
  ctx.leaderSettings.set(LS.clientUrls, env.clientUrl);
  ctx.state.set(STATE.member, record);
  await ensureService(ctx, env, record, false);
  // Not committed before the port listens (~50 ms): a joiner given its turn by this commit asks
  // this member at once, and an etcdctl that dials a closed port waits out gRPC's one-second
  // reconnect backoff even when the member is ready sooner. The election, which the joiner's
  // request waits for on its own, is not waited for here.
  await ctx.machine.run(untilListeningCommand(env, 10));
  ctx.log.info(`bootstrapped a new cluster with member ${env.name}`);
  // With units to come (goal-state), not waiting for the first election (up to a second): a
  // joiner's `member add` retries until there is a leader, so its turn goes out with this
  // hook's commit (or with the next one, for peers not heard of yet), and each join wakes this
  // unit again. Alone, this unit waits, to report its own health.
  pickJoiners(ctx, { started: new Set([env.name]), pending: [] }, knownUnits(ctx, env));
  if (ctx.goalState.units.length <= 1) return { kind: 'member', fresh: true };
  return { kind: 'maintenance', message: 'Waiting for etcd to start' };
}

/** Adds this unit's member through the started members, unless a past attempt already did. */
async function join(ctx: Ctx, env: Env, token: string): Promise<Membership> {
  const endpoints = list(ctx.leaderSettings.get(LS.clientUrls));
  if (endpoints.length === 0) return { kind: 'waiting', message: 'Waiting for the cluster' };
  const members = readMemberList(await etcdctl(ctx, env, endpoints, { op: 'member list' }));
  const mine = members.find((m) => m.name === env.name || m.peerUrls.includes(env.peerUrl));
  const other = members.find((m) => !isStarted(m) && m !== mine);
  if (mine === undefined && other !== undefined) {
    // Someone's join is under way (a queue that changed meanwhile): never two at once.
    return { kind: 'waiting', message: `Waiting to join the cluster (${other.idHex} is starting)` };
  }
  let cluster: string;
  if (mine !== undefined) {
    // A re-run after a crash between add and commit: adding twice would stall the cluster.
    cluster = initialCluster(
      members.flatMap((m) =>
        m.peerUrls.map((peerUrl) => ({ name: m.id === mine.id ? env.name : m.name, peerUrl })),
      ),
    );
  } else {
    const added = readMemberAdd(
      await ctx.machine.run(memberAddCommand(env, endpoints), { timeoutMs: 120_000 }),
    );
    cluster = initialClusterAfterAdd(added, env.name);
    ctx.log.info(`added member ${env.name} (${added.added.idHex}) to the cluster`);
  }
  const record: MemberRecord = { token, initialCluster: cluster, state: 'existing' };
  ctx.state.set(STATE.member, record);
  // Straight after the add: until this member starts, the cluster counts it and may lack quorum.
  await ensureService(ctx, env, record, false);
  return { kind: 'member', fresh: true };
}

/** Brings this unit's member up: its own service, a bootstrap, a join, or a reason to wait. */
export async function converge(
  ctx: Ctx,
  env: Env,
  facts: { memberData: boolean; tlsChanged: boolean },
): Promise<Membership> {
  const stored = ctx.state.get<MemberRecord>(STATE.member);
  let token = ctx.leaderSettings.get(LS.token);
  if (stored !== undefined && !inReplacedCluster(ctx, stored)) {
    // A member restarted by this hook is waited for: a rollout moves to the next unit only
    // once this one serves again, so two members are never down at once.
    const { restarted } = await ensureService(ctx, env, stored, facts.tlsChanged);
    return { kind: 'member', fresh: restarted };
  }
  // From here this unit has no member: none yet, or one of a cluster a restore replaced, which
  // leaves it now, its data with it.
  if (stored !== undefined) await leaveReplacedCluster(ctx, env);
  if (stored === undefined && facts.memberData) {
    // Started by a hook that never committed. etcd ignores cluster flags on existing data.
    const known = list(ctx.leaderSettings.get(LS.cluster)).filter(
      (p) => !p.startsWith(`${env.name}=`),
    );
    if (token === undefined && ctx.isLeader) {
      // The crashed hook was the bootstrap: publish a token (joiners never use it, state is
      // `existing` for them) so followers stop waiting for one; recorded as this member's too.
      token = randomBytes(16).toString('hex');
      ctx.leaderSettings.set(LS.token, token);
      ctx.leaderSettings.set(LS.clientUrls, env.clientUrl);
    }
    const record: MemberRecord = {
      token: token ?? DEFAULT_TOKEN,
      initialCluster: [...known, `${env.name}=${env.peerUrl}`].sort().join(','),
      state: 'existing',
    };
    ctx.state.set(STATE.member, record);
    await ensureService(ctx, env, record, facts.tlsChanged);
    return { kind: 'member' };
  }
  if (token === undefined) {
    if (ctx.isLeader) return bootstrap(ctx, env);
    return { kind: 'waiting', message: 'Waiting for the leader to bootstrap the cluster' };
  }
  // A leader that is no member yet (leadership moved before it joined) still runs the turns.
  if (ctx.isLeader) {
    const view = await observe(ctx, env, list(ctx.leaderSettings.get(LS.clientUrls)));
    if (view !== undefined) await lead(ctx, env, view);
  }
  const waitingFor = turnBlocker(ctx);
  if (waitingFor !== undefined) {
    const after = waitingFor === '' ? '' : ` (${waitingFor} is joining)`;
    return { kind: 'waiting', message: `Waiting to join the cluster${after}` };
  }
  return join(ctx, env, token);
}

/**
 * After the restore action (restore.ts) replaced the data: this leader's member is the whole
 * cluster, under `record`'s new token, and every other unit is queued to join it again.
 */
export function publishRestored(ctx: Ctx, env: Env, record: MemberRecord): void {
  ctx.leaderSettings.set(LS.token, record.token);
  ctx.leaderSettings.set(LS.restored, record.token);
  ctx.leaderSettings.set(LS.cluster, record.initialCluster);
  ctx.leaderSettings.set(LS.clientUrls, env.clientUrl);
  // The old queue's order was for the replaced cluster.
  put(ctx.leaderSettings, LS.joining, '');
  pickJoiners(ctx, { started: new Set([env.name]), pending: [] }, knownUnits(ctx, env));
}

/**
 * The leader's duties on every hook: publish the started members, remove members no unit
 * accounts for, and hand the turn to join to the next unit. Returns the view minus the removed.
 */
export async function lead(ctx: Ctx, env: Env, view: ClusterView): Promise<ClusterView> {
  const known = knownUnits(ctx, env);
  const removed = await removeStale(ctx, env, view, known);
  const members = view.members.filter((m) => !removed.includes(m.id));
  // Published after the removals: a change here is what tells the followers (their
  // leader-settings-changed) that a member left, so their status counts it gone too.
  const up = members.filter(isStarted);
  if (up.length > 0) {
    put(ctx.leaderSettings, LS.clientUrls, connectionString(up.flatMap((m) => m.clientUrls)));
    const specs = up.flatMap((m) => m.peerUrls.map((peerUrl) => ({ name: m.name, peerUrl })));
    put(ctx.leaderSettings, LS.cluster, initialCluster(specs));
  }
  const started = new Set(members.filter(isStarted).map((m) => m.name));
  pickJoiners(ctx, { started, pending: members.filter((m) => !isStarted(m)) }, known);
  return { members, health: view.health };
}

/**
 * Members whose unit is gone: unstarted or unhealthy ones, and healthy ones whose unit has left
 * the application's goal state (it is being removed) while this unit stays. A unit removes its
 * own member on the way out too (departure.ts), but after its peers' -departed hooks have run,
 * and nothing would then tell them; a leader that is itself leaving removes no healthy member.
 */
async function removeStale(
  ctx: Ctx,
  env: Env,
  view: ClusterView,
  known: readonly Peer[],
): Promise<bigint[]> {
  const up = new Set(view.health.filter((h) => h.healthy).map((h) => h.endpoint));
  const isUp = (m: Member) => m.clientUrls.some((url) => up.has(url));
  const goal = new Set(ctx.goalState.units.map(memberName));
  const staying = ctx.goalState.units.includes(ctx.unit);
  const leaving = (m: Member) => staying && !goal.has(m.name) && m.name.startsWith(`${ctx.app}-`);
  const stale = staleMembers(view.members, known).filter(
    (m) => !isStarted(m) || !isUp(m) || leaving(m),
  );
  const via = view.members.filter((m) => isStarted(m) && isUp(m)).flatMap((m) => m.clientUrls);
  const removed: bigint[] = [];
  for (const member of stale) {
    if (via.length === 0) break;
    const remove = memberRemoveCommand(env, via, member.id, 3, 2);
    const result = await ctx.machine.run(remove, { timeoutMs: 60_000 });
    const label = `${member.name || '(never started)'} ${member.idHex}`;
    if (result.code === 0) {
      removed.push(member.id);
      ctx.log.info(`removed member ${label}: no unit of ${ctx.app} accounts for it`);
    } else {
      ctx.log.warn(`cannot remove member ${label} yet: ${result.stderr.toString().trim()}`);
    }
  }
  return removed;
}

/**
 * The queue of units to join: every unit the model expects (goal-state) that is not a started
 * member, those with their certificates first. Within each group the order it already had is
 * kept (a unit told it is next stays next), newcomers after, by unit number. A unit still
 * without certificates so waits behind every ready one, and joins the moment its own arrive and
 * those ahead have started, with no leader hook between. An added member that has not started
 * keeps its unit first; one no unit accounts for stops every turn.
 */
function pickJoiners(
  ctx: Ctx,
  members: { started: ReadonlySet<string>; pending: readonly Member[] },
  known: readonly Peer[],
): void {
  // Expected units not heard from yet: named as they will name their members, not ready.
  const heard = new Set(known.map((p) => p.unit));
  const expected = ctx.goalState.units
    .filter((unit) => !heard.has(unit))
    .map((unit): Peer => ({ unit, name: memberName(unit), peerUrl: '', ready: false }));
  const candidates = [...known, ...expected]
    .filter((p) => !members.started.has(p.name))
    .sort((a, b) => unitNumber(a.unit) - unitNumber(b.unit));
  const byUnit = new Map(candidates.map((p) => [p.unit, p]));
  const kept = list(ctx.leaderSettings.get(LS.joining)).flatMap((u) => byUnit.get(u) ?? []);
  const ordered = [...kept, ...candidates.filter((p) => !kept.includes(p))];
  let queue = [...ordered.filter((p) => p.ready), ...ordered.filter((p) => !p.ready)];
  if (members.pending.length > 0) {
    const holder = candidates.find((p) =>
      members.pending.some((m) => m.peerUrls.includes(p.peerUrl)),
    );
    queue = holder === undefined ? [] : [holder, ...queue.filter((p) => p !== holder)];
  }
  put(ctx.leaderSettings, LS.joining, queue.map((p) => p.unit).join(','));
}

/**
 * Why this unit may not add itself yet: '' when it is not queued, the first unit ahead of it
 * that has not started, or undefined when it is its turn.
 */
function turnBlocker(ctx: Ctx): string | undefined {
  const queue = list(ctx.leaderSettings.get(LS.joining));
  const at = queue.indexOf(ctx.unit);
  if (at < 0) return queue[0] ?? '';
  const rel = ctx.relations('cluster')[0];
  const token = ctx.leaderSettings.get(LS.token);
  const current = token === undefined ? undefined : clusterTag(token);
  // A unit that left holds its place until the leader's next queue drops it; one that started
  // in a cluster a restore replaced has not started in this one. A bag without the cluster is
  // from a charm revision before restores: its start counts.
  const started = (unit: string) => {
    if (rel === undefined || !rel.units.includes(unit)) return false;
    const bag = rel.remote(unit);
    const cluster = bag.get(MEMBER_CLUSTER) ?? current;
    return bag.get(MEMBER_STARTED) === 'true' && cluster === current;
  };
  return queue.slice(0, at).find((unit) => !started(unit));
}

/** `etcd/10` → 10, for ordering units as people count them. */
function unitNumber(unit: string): number {
  return Number(unit.slice(unit.indexOf('/') + 1));
}
