// A test executor for the unit resolver: steps nextOp → startHook → applyHook/failHook and
// records the hooks run. A fake: no real hooks, no persistence, no backoff timer, no xstate.
import type { Hook } from '../../../core/charm/hooks.js';
import type { Op } from '../../../agents/unit/resolver.js';
import { applyHook, failHook, nextOp, startHook } from '../../../agents/unit/resolver.js';
import { describeHook } from '../../../agents/unit/ordering.js';
import { seeOwnAppData } from '../../../agents/unit/relation-resolver.js';
import type { RecordedHook } from '../../../agents/unit/ordering.js';
import type { LocalState, RemoteRelation, RemoteState } from '../../../agents/unit/state.js';
import { initialLocalState } from '../../../agents/unit/state.js';

export const UNIT = 'app/0';
export const INTERVAL = 300_000;

export function remoteState(over: Partial<RemoteState> = {}): RemoteState {
  return {
    unit: UNIT,
    life: 'alive',
    isLeader: false,
    leaderSettingsVersion: 0,
    configHash: 'c1',
    charmHash: 'charm1',
    relations: [],
    now: 1_000_000,
    updateStatusInterval: INTERVAL,
    resolved: undefined,
    ...over,
  };
}

export function relation(
  id: number,
  endpoint: string,
  remoteApp: string,
  units: Record<string, number> = {},
  over: Partial<RemoteRelation> = {},
): RemoteRelation {
  return { id, endpoint, remoteApp, life: 'alive', units, appDataVersion: 0, ...over };
}

export type Outcome = 'commit' | 'fail' | 'crash';

/** Runs the resolver against a mutable remote, as the controller would. */
export class TestExecutor {
  local: LocalState;
  remote: RemoteState;
  readonly log: RecordedHook[] = [];
  /** How the next runs of matching hooks end; the first match is consumed. */
  readonly outcomes: { match: (hook: Hook) => boolean; outcome: Outcome }[] = [];

  constructor(remote: RemoteState, local: LocalState = initialLocalState()) {
    this.remote = remote;
    this.local = local;
  }

  /** One resolver step; returns the op taken. */
  step(): Op {
    const op = nextOp(this.local, this.remote);
    if (op.kind === 'skip-hook') {
      this.local = applyHook(this.local, op.hook, this.remote);
      this.remote = { ...this.remote, resolved: undefined };
    } else if (op.kind === 'run-hook') {
      // The controller consumes a resolve request when it acts on it.
      if (this.remote.resolved !== undefined) this.remote = { ...this.remote, resolved: undefined };
      this.log.push({ unit: this.remote.unit, hook: op.hook });
      this.local = startHook(this.local, op.hook);
      const at = this.outcomes.findIndex((o) => o.match(op.hook));
      const outcome = at < 0 ? 'commit' : (this.outcomes[at]?.outcome ?? 'commit');
      if (at >= 0) this.outcomes.splice(at, 1);
      if (outcome === 'commit') {
        // As the executor does: a leader's own peer app bag counts as seen once it commits.
        const own = new Map(
          this.remote.relations.filter((r) => r.ownAppData).map((r) => [r.id, r.appDataVersion]),
        );
        this.local = seeOwnAppData(applyHook(this.local, op.hook, this.remote), own);
      } else if (outcome === 'fail') this.local = failHook(this.local, op.hook);
      // 'crash': the controller died mid-hook; local keeps the hook in flight.
    }
    return op;
  }

  /** Steps until idle, done or wait-retry; throws past `limit` steps (a livelock). */
  settle(limit = 200): { op: Op; steps: number } {
    for (let steps = 0; steps < limit; steps++) {
      const op = this.step();
      if (op.kind === 'idle' || op.kind === 'done' || op.kind === 'wait-retry') {
        return { op, steps };
      }
    }
    throw new Error(`no quiescence after ${limit} steps: ${this.names().slice(-10).join(', ')}`);
  }

  /** The hooks run so far, described (`db-relation-joined#1 db/0`). */
  names(): string[] {
    return this.log.map((r) => describeHook(r.hook));
  }

  /** The hooks run since the last call to mark(). */
  since(mark: number): string[] {
    return this.names().slice(mark);
  }

  /** Leadership moves: the peer relations' app bag is this unit's own while it leads. */
  setLeader(isLeader: boolean): void {
    this.remote = {
      ...this.remote,
      isLeader,
      relations: this.remote.relations.map((r) => withOwnership(r, isLeader)),
    };
  }

  updateRelation(id: number, change: (rel: RemoteRelation) => RemoteRelation): void {
    this.remote = {
      ...this.remote,
      relations: this.remote.relations.map((r) => (r.id === id ? change(r) : r)),
    };
  }
}

/** A peer relation (the remote app is the unit's own) with its app bag owned when leading. */
export function withOwnership(rel: RemoteRelation, isLeader: boolean): RemoteRelation {
  const peer = rel.remoteApp === UNIT.slice(0, UNIT.indexOf('/'));
  const owned: RemoteRelation = { ...rel, ownAppData: true };
  if (peer && isLeader) return owned;
  delete owned.ownAppData;
  return owned;
}
