// What a successful hook or action writes (DESIGN §6): its buffered relation data, the workload
// status it set and the leader settings it changed. Called inside the executor's one commit
// transaction; the unit's runtime record is the operation's to write, once.
import type { HookOutcome } from '../../core/charm/context-types.js';
import { interfaceSpec } from '../../core/interfaces/registry.js';
import type { BagChange } from '../../core/model/types.js';
import type { JsonValue, Store, UnitRecord } from '../../core/store/types.js';
import type { AgentState } from './lifecycle.js';
import type { UnitView } from './snapshot.js';

export interface OutcomeWrite {
  /** The unit and the charm state (ctx.state) the operation started from. */
  snapshot: {
    unit: UnitRecord;
    charmState: Record<string, JsonValue>;
    views: readonly UnitView[];
  };
  outcome: HookOutcome;
  /** The agent status the unit lands in. */
  agent: AgentState;
  at: string;
}

export interface Written {
  /** The relations whose bags it changed, and who sees each change. */
  relations: BagChange[];
  leaderSettings: boolean;
  /** The charm state with the outcome's changes: the operation records it. */
  charmState: Record<string, JsonValue>;
}

const storeWrites = (writes: Record<string, string | null>): Record<string, string> =>
  Object.fromEntries(Object.entries(writes).map(([k, v]) => [k, v ?? '']));

/** The keys whose stored value `writes` changes (`""` deletes). */
function changedKeys(
  store: Store,
  relationId: number,
  owner: string,
  writes: Record<string, string>,
): string[] {
  // The shared, frozen bag: a copy of a CA's 2,000 keys per commit would be the cost here.
  const current = store.databags(relationId)[owner] ?? {};
  return Object.entries(writes)
    .filter(([key, value]) => (current[key] ?? '') !== value)
    .map(([key]) => key);
}

/**
 * Who sees a change to these keys: the units they are addressed to, when every one is addressed
 * to another unit; otherwise everyone (undefined). A master handing one of 1,000 workers its
 * credentials, or a CA its certificate, then wakes that worker alone, not all 1,000.
 */
function readersOf(keys: readonly string[], view: UnitView | undefined, writer: string) {
  const addressee = view && interfaceSpec(view.mine.interface)?.addressee;
  if (!addressee) return undefined;
  const readers = new Set<string>();
  for (const key of keys) {
    const to = addressee(key);
    // Keys addressed to the writer itself are seen by every reader of its bag.
    if (to === undefined || to === writer) return undefined;
    readers.add(to);
  }
  return [...readers];
}

export function writeOutcome(store: Store, write: OutcomeWrite): Written {
  const { outcome, at } = write;
  const { unit, views } = write.snapshot;
  const relations: BagChange[] = [];
  for (const rel of outcome.relations) {
    const keys: string[] = [];
    for (const [owner, writes] of [
      [unit.name, storeWrites(rel.unit)],
      [unit.application, storeWrites(rel.app)],
    ] as const) {
      const changed = changedKeys(store, rel.relationId, owner, writes);
      if (changed.length === 0) continue;
      store.writeDatabag(rel.relationId, owner, writes);
      keys.push(...changed);
    }
    // A write that changes nothing wakes nobody (DESIGN §6).
    if (keys.length === 0) continue;
    const view = views.find((v) => v.relation.id === rel.relationId);
    const readers = readersOf(keys, view, unit.name);
    relations.push(
      readers ? { relationId: rel.relationId, readers } : { relationId: rel.relationId },
    );
  }
  const charmState = {
    ...write.snapshot.charmState,
    ...(outcome.state.set as Record<string, JsonValue>),
  };
  for (const key of outcome.state.deleted) delete charmState[key];
  // A status set again unchanged keeps its `since`, as Juju's does: it says how long the
  // workload has been in that state, not when a hook last ran.
  const was = unit.workloadStatus;
  const changed =
    outcome.status !== undefined &&
    (was?.current !== outcome.status.kind || was.message !== outcome.status.message);
  store.setUnitStatus(unit.name, {
    agentStatus: { current: write.agent, message: '', since: at },
    ...(outcome.status && changed
      ? {
          workloadStatus: {
            current: outcome.status.kind,
            message: outcome.status.message,
            since: at,
          },
        }
      : {}),
  });
  // Only a leader's hook can hold writes here (the context refuses a follower's); the lease
  // outlives any hook, so it still leads now.
  const leaderSettings =
    Object.keys(outcome.leaderSettings).length > 0 &&
    store.writeLeaderSettings(unit.application, outcome.leaderSettings);
  return { relations, leaderSettings, charmState };
}
