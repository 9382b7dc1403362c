// The unit resolver's two inputs as plain data (DESIGN §6): LocalState, what this unit has done,
// and RemoteState, what the model says now. Pure: no I/O, no clock (time arrives as `now`).
import type { DeclaredCheck } from '../../core/charm/context-types.js';
import type { Hook, RelationHook } from '../../core/charm/hooks.js';
import type { Life, StatusInfo, WorkloadStatus } from '../../core/model/status.js';
import { parseUnitName } from '../../core/model/names.js';

/** What this unit has done in one relation; kept after -broken (relation ids are never reused). */
export interface RelationLocal {
  id: number;
  /** Kept so -departed/-broken can still be named once the relation left the model. */
  endpoint: string;
  remoteApp: string;
  /** relation-created ran (DESIGN §6: before any -joined). */
  created: boolean;
  /** Remote units joined and not departed → the data version last delivered (by -joined, then
   * by each -changed). */
  joined: Record<string, number>;
  /** The unit whose -joined ran and whose -changed has not yet: it is owed next (DESIGN §6). */
  changedPending: string | undefined;
  /** The remote app databag version last delivered by an app -changed (0: never written). */
  appDataVersion: number;
  /** Units that got -departed: never joined again (DESIGN §6), even if they reappear. */
  departed: string[];
  /** relation-broken ran: nothing more happens in this relation. */
  broken: boolean;
}

/** What this unit has done; the controller persists it after each hook commits. */
export interface LocalState {
  installed: boolean;
  started: boolean;
  stopped: boolean;
  removed: boolean;
  /** Leadership as last delivered: undefined until the first leader hook, so the choice between
   * leader-elected and leader-settings-changed at install is made once. */
  leaderKnown: boolean | undefined;
  /** The leader-settings version the last leader hook saw. */
  leaderSettingsVersion: number | undefined;
  /** The config hash config-changed last ran for; undefined = config-changed is owed (new unit,
   * or just after upgrade-charm: DESIGN §6 "upgrade-charm → config-changed"). */
  configHash: string | undefined;
  /** The charm hash installed or last upgraded to. */
  charmHash: string | undefined;
  /** By relation id, ascending. */
  relations: RelationLocal[];
  /** The hook started and not yet committed or failed: re-run first (at least once, DESIGN §6). */
  inFlight: Hook | undefined;
  /** The hook that failed: the queue stops until it is resolved (DESIGN §6). */
  failed: Hook | undefined;
  /** `now` of the last update-status (or of start). */
  lastUpdateStatus: number | undefined;
  /** A hook called ctx.requeue(), or a health check changed verdict: update-status is due as
   * soon as nothing else is. */
  requeued?: boolean;
  /** The workload status the charm had set when a hook failed and `error` took its place: put
   * back once the failure is over (skipped, or retried by a hook that sets none). Not read by the
   * resolver. */
  workloadBeforeFailure?: StatusInfo<WorkloadStatus>;
  /** The health checks the charm declared (ctx.checks), each with its last failure. */
  checks?: Record<string, DeclaredCheck>;
}

/** A relation this unit is in, as the model says now. */
export interface RemoteRelation {
  id: number;
  /** This unit's endpoint (`db`, `cluster`). */
  endpoint: string;
  /** The other application; for a peer relation, the unit's own. */
  remoteApp: string;
  /** Anything but alive is treated as dying: its units depart, then -broken. */
  life: Life;
  /** Remote units in scope → data version, bumped on each committed change of their bag. For a
   * peer relation, the other units of the unit's own app (the unit itself is ignored if given). */
  units: Readonly<Record<string, number>>;
  /** The remote app databag version (0: never written). */
  appDataVersion: number;
  /** The app bag is this unit's own: a peer relation of the leader, the one writer of that bag.
   * Its changes are never delivered as -changed (DESIGN §6: not for a unit's own writes). */
  ownAppData?: boolean;
}

/** What the model says now; read fresh for every decision (level-triggered). */
export interface RemoteState {
  /** This unit's name: it never joins, nor gets -changed for, itself (DESIGN §6). */
  unit: string;
  life: Life;
  isLeader: boolean;
  /** Bumped on each committed change of the application's leader settings. */
  leaderSettingsVersion: number;
  configHash: string;
  charmHash: string;
  relations: RemoteRelation[];
  /** Milliseconds since the epoch; the only clock the resolver sees. */
  now: number;
  /** update-status period in milliseconds (DESIGN §6: default 5 min). */
  updateStatusInterval: number;
  /** A pending `rune resolve` (or backoff retry): a one-shot request the controller clears once
   * it acts on it. */
  resolved: 'retry' | 'no-retry' | undefined;
}

export const DEFAULT_UPDATE_STATUS_INTERVAL = 5 * 60 * 1000;

/** A unit that has done nothing yet. */
export function initialLocalState(): LocalState {
  return {
    installed: false,
    started: false,
    stopped: false,
    removed: false,
    leaderKnown: undefined,
    leaderSettingsVersion: undefined,
    configHash: undefined,
    charmHash: undefined,
    relations: [],
    inFlight: undefined,
    failed: undefined,
    lastUpdateStatus: undefined,
  };
}

/** Unit names by application, then numeric index (`etcd/2` before `etcd/10`); others as text. */
export function compareUnitNames(a: string, b: string): number {
  const pa = parseUnitName(a);
  const pb = parseUnitName(b);
  if (pa && pb) {
    if (pa.application !== pb.application) return pa.application < pb.application ? -1 : 1;
    return pa.number - pb.number;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

export function sortedUnits(units: Iterable<string>): string[] {
  return [...units].sort(compareUnitNames);
}

/** Same hook: same kind, and for relation hooks the same relation and remote unit. */
export function sameHook(a: Hook, b: Hook): boolean {
  if (a.kind !== b.kind) return false;
  const ra = a as Partial<RelationHook>;
  const rb = b as Partial<RelationHook>;
  return ra.relationId === rb.relationId && ra.remoteUnit === rb.remoteUnit;
}
