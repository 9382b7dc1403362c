// One read of the store for one unit (DESIGN §6, after juju's uniter): its local state, the
// remote state the resolver decides from, the operation due, and — when a hook or action is
// due — the data that operation's context is built from. Everything comes from the same
// synchronous read, so a hook always runs on the view that chose it.
import { createHash } from 'node:crypto';
import { hookName } from '../../core/charm/hooks.js';
import { interfaceSpec } from '../../core/interfaces/registry.js';
import { RuneError } from '../../core/model/errors.js';
import { applicationAsSeen, resourcesAsSeen } from '../../core/store/application-view.js';
import type { ConfigValues, Endpoint } from '../../core/model/types.js';
import type {
  ActionRecord,
  ApplicationRecord,
  JsonValue,
  RelationRecord,
  Store,
  UnitIndexEntry,
  UnitRecord,
} from '../../core/store/types.js';
import { nextOp, type Op } from './resolver.js';
import {
  initialLocalState,
  type LocalState,
  type RemoteRelation,
  type RemoteState,
} from './state.js';

/** A relation as one unit sees it. */
export interface UnitView {
  relation: RelationRecord;
  mine: Endpoint;
  other: Endpoint;
  peer: boolean;
  /** Remote units in scope now (shared between snapshots: never edited). */
  units: readonly string[];
}

/** What a hook or action reads, beyond the remote state: read only when one is due. */
export interface HookData {
  /** By relation id: owner → bag, every bag of the relation (a departing unit's included). */
  bags: ReadonlyMap<number, Record<string, Record<string, string>>>;
  leaderSettings: Record<string, string>;
  /** The application's alive units, by unit number (Juju's goal-state). */
  goalUnits: readonly string[];
}

/**
 * What to do, as decided from the snapshot: the resolver's op, except that an idle or waiting
 * unit with a queued action runs it (actions run between hooks, even while a failed hook waits,
 * as in Juju).
 */
export type Decision = Op | { kind: 'run-action'; action: ActionRecord };

/** The decisions that are operations (operations.ts); the rest run nothing on the machine. */
export type OperationDecision = Extract<
  Decision,
  { kind: 'run-hook' | 'skip-hook' | 'run-action' }
>;

export const isOperation = (decision: Decision): decision is OperationDecision =>
  decision.kind === 'run-hook' || decision.kind === 'skip-hook' || decision.kind === 'run-action';

/** A snapshot asked for a hook's data it was not taken with: a bug in the unit agent. */
export class SnapshotError extends RuneError {
  readonly kind = 'internal';

  constructor(readonly unit: string) {
    super(
      `unit ${unit}: a hook's data was wanted from a snapshot taken without it; this is a bug in Rune's unit agent, please report it`,
    );
  }
}

/** The data of a snapshot that decided on a hook or action. */
export function hookData(snapshot: Snapshot): HookData {
  if (!snapshot.data) throw new SnapshotError(snapshot.unit.name);
  return snapshot.data;
}

export interface Snapshot {
  unit: UnitRecord;
  app: ApplicationRecord;
  /** Resource name → the revision this unit is on (a rollout may hold it on an older one). */
  resources: Record<string, number>;
  local: LocalState;
  remote: RemoteState;
  charmState: Record<string, JsonValue>;
  retries: number;
  views: UnitView[];
  decision: Decision;
  /** Present when the decision is run-hook or run-action. */
  data?: HookData;
}

export interface SnapshotClock {
  now(): number;
  updateStatusIntervalMs: number;
}

export function configHash(config: ConfigValues): string {
  const sorted = Object.keys(config)
    .sort()
    .map((k) => [k, config[k]]);
  return createHash('sha256').update(JSON.stringify(sorted)).digest('hex').slice(0, 16);
}

/** An index's alive units by application and by principal, built once per index: the store
 * hands out one index until the units change, and every snapshot walked all of it. */
interface AliveUnits {
  byApplication: Map<string, UnitIndexEntry[]>;
  byPrincipal: Map<string, UnitIndexEntry[]>;
  /** goalUnits' answers: every hook of every unit asks for its application's, sorted. */
  goal: Map<string, readonly string[]>;
  /** An application's alive unit names in index order, for the units on a relation's other
   * side: one array per index, so a snapshot's relation versions can be kept against it. */
  names: Map<string, readonly string[]>;
}

const aliveIndexes = new WeakMap<readonly UnitIndexEntry[], AliveUnits>();

function aliveUnits(index: readonly UnitIndexEntry[]): AliveUnits {
  let found = aliveIndexes.get(index);
  if (found === undefined) {
    found = { byApplication: new Map(), byPrincipal: new Map(), goal: new Map(), names: new Map() };
    for (const u of index) {
      if (u.life !== 'alive') continue;
      const apps = found.byApplication.get(u.application);
      if (apps) apps.push(u);
      else found.byApplication.set(u.application, [u]);
      if (u.principal === undefined) continue;
      const subs = found.byPrincipal.get(u.principal);
      if (subs) subs.push(u);
      else found.byPrincipal.set(u.principal, [u]);
    }
    aliveIndexes.set(index, found);
  }
  return found;
}

/** The relations a unit is in, with the remote units in its scope. */
export function unitRelations(
  store: Pick<Store, 'unitIndex' | 'relations'>,
  unit: UnitIndexEntry,
  index: readonly UnitIndexEntry[] = store.unitIndex(),
): UnitView[] {
  const alive = aliveUnits(index);
  const { byApplication, byPrincipal } = alive;
  const of = (application: string) => byApplication.get(application) ?? [];
  const names = (application: string): readonly string[] => {
    let found = alive.names.get(application);
    if (found === undefined)
      alive.names.set(application, (found = Object.freeze(of(application).map((u) => u.name))));
    return found;
  };
  const views: UnitView[] = [];
  for (const relation of store.relations()) {
    const mine = relation.endpoints.find((e) => e.application === unit.application);
    if (!mine) continue;
    const peer = relation.endpoints.length === 1;
    const other = peer ? mine : relation.endpoints.find((e) => e !== mine);
    if (!other) continue;
    let units: readonly string[];
    if (peer) {
      units = of(unit.application)
        .filter((u) => u.name !== unit.name)
        .map((u) => u.name);
    } else if (mine.scope === 'container' || other.scope === 'container') {
      // Only the co-located unit: my principal, or my subordinate of the other application.
      units = of(other.application)
        .filter((u) => u.name === unit.principal || u.principal === unit.name)
        .map((u) => u.name);
      // A principal not yet joined by a subordinate of this relation is not in it at all.
      if (units.length === 0 && unit.principal === undefined && !byPrincipal.has(unit.name)) {
        continue;
      }
    } else {
      units = names(other.application);
    }
    views.push({ relation, mine, other, peer, units });
  }
  return views;
}

/** Juju's goal-state for one application: its alive units, by unit number. */
export function goalUnits(
  index: readonly UnitIndexEntry[],
  application: string,
): readonly string[] {
  const alive = aliveUnits(index);
  let names = alive.goal.get(application);
  if (names === undefined) {
    const number = (name: string) => Number(name.slice(name.indexOf('/') + 1));
    names = (alive.byApplication.get(application) ?? [])
      .map((u) => u.name)
      .sort((a, b) => number(a) - number(b));
    // Once per index and application (sorting 10,000 names per hook was most of a settled
    // 10,000-unit model's CPU); shared, so frozen.
    alive.goal.set(application, Object.freeze(names));
  }
  return names;
}

/**
 * Relation versions by the bags' version map (replaced on every write to the relation), the
 * units in scope and the reader ('' when every reader counts alike): a master related to 1,000
 * workers in two relations recomputed both on each step, though a step follows a change to one.
 */
const versionCache = new WeakMap<
  Readonly<Record<string, number>>,
  WeakMap<readonly string[], Map<string, Readonly<Record<string, number>>>>
>();

function remoteVersions(
  all: Readonly<Record<string, number>>,
  units: readonly string[],
  reader: string,
  version: (owner: string) => number,
): Readonly<Record<string, number>> {
  // Only shared unit lists are kept: a peer's or a subordinate's list is its own each time.
  const shared = Object.isFrozen(units) && Object.isFrozen(all);
  let byUnits = shared ? versionCache.get(all) : undefined;
  let byReader = byUnits?.get(units);
  const hit = byReader?.get(reader);
  if (hit !== undefined) return hit;
  const versions: Record<string, number> = {};
  for (const u of units) versions[u] = version(u);
  if (!shared) return versions;
  if (byUnits === undefined) versionCache.set(all, (byUnits = new WeakMap()));
  if (byReader === undefined)
    byUnits.set(units, (byReader = new Map<string, Readonly<Record<string, number>>>()));
  Object.freeze(versions);
  byReader.set(reader, versions);
  return versions;
}

/** The unit's snapshot, or undefined when it (or its application) is gone from the model. */
export function takeSnapshot(
  store: Store,
  name: string,
  clock: SnapshotClock,
  /** `data: false`: the decision alone is wanted (hasWorkDue), not what a hook would read. */
  options: { data?: boolean } = {},
): Snapshot | undefined {
  const unit = store.unit(name);
  const stored = unit && store.application(unit.application);
  if (!unit || !stored) return undefined;
  // A unit a rollout has not reached yet keeps the old charm, config and resources (DESIGN §11).
  const rollout = store.activeRollout(stored.name);
  const app = applicationAsSeen(stored, rollout, name);
  const resources = resourcesAsSeen(stored.name, store.resources(stored.name), rollout, name);
  const runtime = store.unitRuntime(name);
  const local = (runtime?.localState as LocalState | undefined) ?? initialLocalState();
  const index = store.unitIndex();
  const views = unitRelations(store, unit, index);
  const isLeader = store.leader(unit.application) === name;
  const relations: RemoteRelation[] = views.map((view) => {
    const all = store.databagVersions(view.relation.id);
    const addressee = interfaceSpec(view.mine.interface)?.addressee;
    // Keys addressed to other units (another requester's certificate) are no change for this
    // one: only its own, the owner's and those for every reader count (DESIGN §6).
    const version = (owner: string): number =>
      addressee === undefined
        ? (all[owner] ?? 0)
        : store.databagVisibleVersion(view.relation.id, owner, addressee, name);
    const versions = remoteVersions(all, view.units, addressee === undefined ? '' : name, version);
    return {
      id: view.relation.id,
      endpoint: view.mine.name,
      remoteApp: view.other.application,
      life: view.relation.life,
      units: versions,
      appDataVersion: version(view.other.application),
      // Only the leader writes a peer app bag: those writes are its own (DESIGN §6).
      ...(view.peer && isLeader ? { ownAppData: true } : {}),
    };
  });
  const now = clock.now();
  const due = runtime?.retryAt !== undefined && runtime.retryAt <= now ? 'retry' : undefined;
  const remote: RemoteState = {
    unit: name,
    life: unit.life,
    isLeader,
    leaderSettingsVersion: store.leaderSettingsVersion(unit.application),
    configHash: configHash(app.config),
    // A new charm revision runs upgrade-charm (`rune refresh`, even from the same folder), and
    // so does an attached resource, which is part of what the charm is (`juju attach-resource`).
    charmHash: createHash('sha256')
      .update(`${app.charmRevision} ${app.charmDir}`)
      .update(JSON.stringify(Object.entries(resources).sort(([a], [b]) => (a < b ? -1 : 1))))
      .digest('hex')
      .slice(0, 16),
    relations,
    now,
    updateStatusInterval: clock.updateStatusIntervalMs,
    resolved: runtime?.resolved ?? due,
  };
  const op = nextOp(local, remote);
  const action =
    op.kind === 'idle' || op.kind === 'wait-retry' ? store.nextAction(name) : undefined;
  const decision: Decision = action ? { kind: 'run-action', action } : op;
  const snapshot: Snapshot = {
    unit,
    app,
    resources,
    local,
    remote,
    charmState: runtime?.charmState ?? {},
    retries: runtime?.retries ?? 0,
    views,
    decision,
  };
  if (options.data === false || !isOperation(decision) || decision.kind === 'skip-hook') {
    return snapshot;
  }
  return {
    ...snapshot,
    data: {
      bags: new Map(views.map((v) => [v.relation.id, store.databags(v.relation.id)])),
      leaderSettings: store.leaderSettings(unit.application),
      goalUnits: goalUnits(index, unit.application),
    },
  };
}

/** Whether `unit` entered the relation and has not yet run its -broken hook (its own record). */
export function inRelation(
  store: Pick<Store, 'unitRuntime'>,
  unit: string,
  relationId: number,
): boolean {
  const local = store.unitRuntime(unit)?.localState as LocalState | undefined;
  const rel = local?.relations.find((r) => r.id === relationId);
  return rel !== undefined && rel.created && !rel.broken;
}

/** The name of the hook `unit` failed and waits on (`rune resolve`), if any (its own record). */
export function failedHook(store: Pick<Store, 'unitRuntime'>, unit: string): string | undefined {
  const local = store.unitRuntime(unit)?.localState as LocalState | undefined;
  return local?.failed && hookName(local.failed);
}
