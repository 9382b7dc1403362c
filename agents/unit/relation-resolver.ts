// The next hook of one relation, and how a committed relation hook changes LocalState (DESIGN §6
// per-relation guarantees). Pure: resolver.ts decides when relations get their turn.
import type { RelationHook, RelationHookKind } from '../../core/charm/hooks.js';
import type { LocalState, RelationLocal, RemoteRelation, RemoteState } from './state.js';
import { sortedUnits } from './state.js';

function relationHook(
  kind: RelationHookKind,
  rel: { id: number; endpoint: string; remoteApp: string },
  remoteUnit?: string,
): RelationHook {
  const hook: RelationHook = {
    kind,
    relationId: rel.id,
    endpoint: rel.endpoint,
    remoteApp: rel.remoteApp,
  };
  if (remoteUnit !== undefined) hook.remoteUnit = remoteUnit;
  return hook;
}

/** Remote units in scope, without the unit itself (DESIGN §6: never -changed for own writes). */
function inScope(remote: RemoteRelation, self: string): Map<string, number> {
  const units = new Map<string, number>();
  for (const [name, version] of Object.entries(remote.units)) {
    if (name !== self) units.set(name, version);
  }
  return units;
}

/** The owed -changed after a -joined, in any relation (lowest id first): it comes before any other
 * hook (DESIGN §6 "-joined for U is followed by -changed for U"). */
export function pendingChanged(local: LocalState): RelationHook | undefined {
  for (const rel of local.relations) {
    if (rel.changedPending !== undefined && !rel.broken) {
      return relationHook('relation-changed', rel, rel.changedPending);
    }
  }
  return undefined;
}

/** relation-created for relations present, alive and not yet entered, by id. */
export function nextCreated(local: LocalState, remote: RemoteState): RelationHook | undefined {
  for (const rel of sortedRelations(remote.relations)) {
    if (rel.life !== 'alive') continue;
    if (local.relations.some((l) => l.id === rel.id)) continue;
    return relationHook('relation-created', rel);
  }
  return undefined;
}

/**
 * The next hook of the relations this unit has entered, by relation id. Within a relation the
 * order follows Juju's relation resolver: owed -changed, -departed (units by name), -broken,
 * -joined, -changed for newer unit data, -changed for newer app data. `teardown` (the unit is
 * dying) treats every relation as dying; a relation missing from the model is dying too.
 */
export function nextRelationHook(
  local: LocalState,
  remote: RemoteState,
  teardown: boolean,
): RelationHook | undefined {
  const ids = [
    ...new Set([...local.relations.map((r) => r.id), ...remote.relations.map((r) => r.id)]),
  ].sort((a, b) => a - b);
  for (const id of ids) {
    const rel = local.relations.find((r) => r.id === id);
    const rem = remote.relations.find((r) => r.id === id);
    const hook = rel
      ? nextInRelation(rel, rem, remote.unit, teardown)
      : !teardown && rem && rem.life === 'alive'
        ? relationHook('relation-created', rem)
        : undefined;
    if (hook) return hook;
  }
  return undefined;
}

function nextInRelation(
  rel: RelationLocal,
  rem: RemoteRelation | undefined,
  self: string,
  teardown: boolean,
): RelationHook | undefined {
  if (rel.broken) return undefined;
  if (rel.changedPending !== undefined) {
    return relationHook('relation-changed', rel, rel.changedPending);
  }
  const dying = teardown || rem === undefined || rem.life !== 'alive';
  // A dying relation has no scope: all its units depart, then it breaks (DESIGN §6).
  const scope = dying || !rem ? new Map<string, number>() : inScope(rem, self);
  const joined = sortedUnits(Object.keys(rel.joined));
  // Departures first, as Juju does: nothing is joined past a unit that left.
  for (const unit of joined) {
    if (!scope.has(unit)) return relationHook('relation-departed', rel, unit);
  }
  if (dying || !rem) return relationHook('relation-broken', rel);
  for (const unit of sortedUnits(scope.keys())) {
    // A departed unit never joins again (DESIGN §6), even if the model shows it once more.
    if (!(unit in rel.joined) && !rel.departed.includes(unit)) {
      return relationHook('relation-joined', rel, unit);
    }
  }
  for (const unit of joined) {
    if (scope.get(unit) !== rel.joined[unit]) return relationHook('relation-changed', rel, unit);
  }
  if (rem.ownAppData !== true && rem.appDataVersion !== rel.appDataVersion) {
    return relationHook('relation-changed', rel);
  }
  return undefined;
}

/** LocalState after a relation hook committed; `remote` is the state the hook was chosen from. */
export function applyRelationHook(
  local: LocalState,
  hook: RelationHook,
  remote: RemoteState,
): LocalState {
  const rem = remote.relations.find((r) => r.id === hook.relationId);
  const existing = local.relations.find((r) => r.id === hook.relationId);
  const rel: RelationLocal = existing
    ? { ...existing, joined: { ...existing.joined }, departed: [...existing.departed] }
    : {
        id: hook.relationId,
        endpoint: hook.endpoint,
        remoteApp: hook.remoteApp,
        created: false,
        joined: {},
        changedPending: undefined,
        appDataVersion: 0,
        departed: [],
        broken: false,
      };
  const unit = hook.remoteUnit;
  switch (hook.kind) {
    case 'relation-created':
      rel.created = true;
      break;
    case 'relation-joined':
      if (unit !== undefined) {
        rel.joined[unit] = rem?.units[unit] ?? 0;
        rel.changedPending = unit;
      }
      break;
    case 'relation-changed':
      if (unit === undefined) {
        rel.appDataVersion = rem?.appDataVersion ?? rel.appDataVersion;
      } else {
        // A unit that left scope meanwhile keeps the version it had: its -departed is next.
        if (unit in rel.joined) rel.joined[unit] = rem?.units[unit] ?? rel.joined[unit] ?? 0;
        if (rel.changedPending === unit) rel.changedPending = undefined;
      }
      break;
    case 'relation-departed':
      if (unit !== undefined) {
        delete rel.joined[unit];
        if (!rel.departed.includes(unit)) rel.departed.push(unit);
        if (rel.changedPending === unit) rel.changedPending = undefined;
      }
      break;
    case 'relation-broken':
      rel.broken = true;
      rel.changedPending = undefined;
      break;
  }
  const relations = [...local.relations.filter((r) => r.id !== rel.id), rel].sort(
    (a, b) => a.id - b.id,
  );
  return { ...local, relations };
}

function sortedRelations(relations: readonly RemoteRelation[]): RemoteRelation[] {
  return [...relations].sort((a, b) => a.id - b.id);
}

/**
 * LocalState once a leader's hook committed: the app bags it owns (ownAppData) are recorded at
 * `versions` (relation id → the bag's version after the commit), so a unit that later loses
 * leadership is not sent -changed for what it wrote itself.
 */
export function seeOwnAppData(
  local: LocalState,
  versions: ReadonlyMap<number, number>,
): LocalState {
  if (versions.size === 0) return local;
  return {
    ...local,
    relations: local.relations.map((r) => {
      const version = versions.get(r.id);
      return version === undefined || r.broken ? r : { ...r, appDataVersion: version };
    }),
  };
}
