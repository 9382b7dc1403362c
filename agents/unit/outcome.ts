// What a successful hook or action writes (DESIGN §6): its buffered relation data, the workload
// status it set and the leader settings it changed. Called inside the executor's one commit
// transaction; the unit's runtime record is the operation's to write, once.
import type { HookOutcome } from '../../core/charm/context-types.js';
import type { JsonValue, Store, UnitRecord } from '../../core/store/types.js';
import type { AgentState } from './lifecycle.js';

export interface OutcomeWrite {
  /** The unit and the charm state (ctx.state) the operation started from. */
  snapshot: { unit: UnitRecord; charmState: Record<string, JsonValue> };
  outcome: HookOutcome;
  /** The agent status the unit lands in. */
  agent: AgentState;
  at: string;
}

export interface Written {
  relations: number[];
  leaderSettings: boolean;
  /** The charm state with the outcome's changes: the operation records it. */
  charmState: Record<string, JsonValue>;
}

const storeWrites = (writes: Record<string, string | null>): Record<string, string> =>
  Object.fromEntries(Object.entries(writes).map(([k, v]) => [k, v ?? '']));

export function writeOutcome(store: Store, write: OutcomeWrite): Written {
  const { outcome, at } = write;
  const { unit } = write.snapshot;
  for (const rel of outcome.relations) {
    if (Object.keys(rel.unit).length > 0)
      store.writeDatabag(rel.relationId, unit.name, storeWrites(rel.unit));
    if (Object.keys(rel.app).length > 0)
      store.writeDatabag(rel.relationId, unit.application, storeWrites(rel.app));
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
  return { relations: outcome.relations.map((r) => r.relationId), leaderSettings, charmState };
}
