// A unit's RemoteState read from the store (level-triggered: fresh for every decision), and the
// relations it sees: peers see their own application's other units, container-scoped relations
// only the unit on the same machine (principal ↔ subordinate), regular ones every remote unit.
import { createHash } from 'node:crypto';
import type { ConfigValues, Endpoint } from '../../core/model/types.js';
import type { RelationRecord, Store, UnitIndexEntry } from '../../core/store/types.js';
import type { RemoteRelation, RemoteState } from './state.js';

export interface UnitView {
  unit: UnitIndexEntry;
  relation: RelationRecord;
  mine: Endpoint;
  other: Endpoint;
  peer: boolean;
  /** Remote units in scope now. */
  units: string[];
}

export function configHash(config: ConfigValues): string {
  const sorted = Object.keys(config)
    .sort()
    .map((k) => [k, config[k]]);
  return createHash('sha256').update(JSON.stringify(sorted)).digest('hex').slice(0, 16);
}

/** The relations a unit is in, with the remote units in its scope. */
export function unitRelations(store: Store, unit: UnitIndexEntry): UnitView[] {
  const alive = store.unitIndex().filter((u) => u.life === 'alive');
  const views: UnitView[] = [];
  for (const relation of store.relations()) {
    const mine = relation.endpoints.find((e) => e.application === unit.application);
    if (!mine) continue;
    const peer = relation.endpoints.length === 1;
    const other = peer ? mine : relation.endpoints.find((e) => e !== mine);
    if (!other) continue;
    let units: string[];
    if (peer) {
      units = alive
        .filter((u) => u.application === unit.application && u.name !== unit.name)
        .map((u) => u.name);
    } else if (mine.scope === 'container' || other.scope === 'container') {
      // Only the co-located unit: my principal, or my subordinate of the other application.
      units = alive
        .filter(
          (u) =>
            u.application === other.application &&
            (u.name === unit.principal || u.principal === unit.name),
        )
        .map((u) => u.name);
      // A principal not yet joined by a subordinate of this relation is not in it at all.
      if (
        units.length === 0 &&
        unit.principal === undefined &&
        !alive.some((u) => u.principal === unit.name)
      ) {
        continue;
      }
    } else {
      units = alive.filter((u) => u.application === other.application).map((u) => u.name);
    }
    views.push({ unit, relation, mine, other, peer, units });
  }
  return views;
}

export function readRemoteState(
  store: Store,
  unit: UnitIndexEntry,
  now: number,
  updateStatusInterval: number,
): RemoteState {
  const app = store.application(unit.application);
  const isLeader = store.leader(unit.application) === unit.name;
  const runtime = store.unitRuntime(unit.name);
  const relations: RemoteRelation[] = unitRelations(store, unit).map((view) => {
    const all = store.databagVersions(view.relation.id);
    const versions: Record<string, number> = {};
    for (const u of view.units) versions[u] = all[u] ?? 0;
    // Only the leader writes a peer app bag: it must not get -changed for its own writes.
    const appVersion = view.peer && isLeader ? 0 : (all[view.other.application] ?? 0);
    return {
      id: view.relation.id,
      endpoint: view.mine.name,
      remoteApp: view.other.application,
      life: view.relation.life,
      units: versions,
      appDataVersion: appVersion,
    };
  });
  const due = runtime?.retryAt !== undefined && runtime.retryAt <= now ? 'retry' : undefined;
  return {
    unit: unit.name,
    life: unit.life,
    isLeader,
    leaderSettingsVersion: store.leaderSettingsVersion(unit.application),
    configHash: configHash(app?.config ?? {}),
    // An attached resource is part of what the charm is: a new revision runs upgrade-charm,
    // as `juju attach-resource` does.
    charmHash: createHash('sha256')
      .update(app?.charmDir ?? '')
      .update(JSON.stringify(store.resources(unit.application).map((r) => [r.name, r.revision])))
      .digest('hex')
      .slice(0, 16),
    relations,
    now,
    updateStatusInterval,
    resolved: runtime?.resolved ?? due,
  };
}
