// How a rollout advances (DESIGN §11, BOSH's update semantics): canaries first, then batches of
// max-in-flight, in the rollout's order (followers by number, the leader last). A unit passes once
// it has been updating for the watch minimum and is settled — no hook due, agent idle — with its
// workload active or as it was before; an error, a new blocked, or no pass by the watch maximum
// halts the rollout, and the units not yet moved stay on the old spec. Pure: facts and time in.
import type { RolloutPolicy, RolloutRecord, RolloutUnit } from '../store/types.js';

export interface UnitFacts {
  /** Still in the model (a unit removed meanwhile counts as passed). */
  exists: boolean;
  /** No hook due and its agent idle. */
  settled: boolean;
  workload: string;
  message: string;
}

/** How many units the next batch takes, given how many have passed. */
export function batchSize(policy: RolloutPolicy, passed: number, total: number): number {
  if (passed < policy.canaries) return policy.canaries - passed;
  const wanted =
    'count' in policy.maxInFlight
      ? policy.maxInFlight.count
      : Math.ceil((policy.maxInFlight.percent / 100) * total);
  return Math.max(1, wanted);
}

const seconds = (ms: number) => `${Math.round(ms / 100) / 10}s`;

/** Why an updating unit fails now, if it does. */
function failure(u: RolloutUnit, f: UnitFacts, elapsed: number, policy: RolloutPolicy) {
  if (f.workload === 'error') return `${u.unit} is in error: ${f.message}`;
  if (f.workload === 'blocked' && u.before !== 'blocked' && f.settled) {
    return `${u.unit} is blocked: ${f.message}`;
  }
  if (elapsed >= policy.watchMaxMs) {
    return `${u.unit} did not settle within ${seconds(policy.watchMaxMs)} (${f.workload}: ${f.message})`;
  }
  return undefined;
}

/** The rollout one step on, or undefined when nothing changes now. */
export function advanceRollout(
  rollout: RolloutRecord,
  facts: (unit: string) => UnitFacts,
  now: number,
): RolloutRecord | undefined {
  if (rollout.state !== 'running') return undefined;
  let changed = false;
  let halt: string | undefined;
  const units = rollout.units.map((u): RolloutUnit => {
    if (u.state !== 'updating') return u;
    const f = facts(u.unit);
    const elapsed = now - (u.since ?? now);
    const passes =
      !f.exists ||
      (elapsed >= rollout.policy.watchMinMs &&
        f.settled &&
        (f.workload === 'active' || f.workload === u.before));
    const why = passes ? undefined : failure(u, f, elapsed, rollout.policy);
    if (!passes && why === undefined) return u;
    changed = true;
    halt ??= why;
    return { ...u, state: passes ? 'updated' : 'failed' };
  });
  if (halt !== undefined) return { ...rollout, units, state: 'halted', message: halt };
  if (units.some((u) => u.state === 'updating')) return changed ? { ...rollout, units } : undefined;
  const waiting = units.filter((u) => u.state === 'waiting');
  if (waiting.length === 0) {
    return { ...rollout, units, state: 'done', message: '', endedAt: new Date(now).toISOString() };
  }
  const passed = units.filter((u) => u.state === 'updated').length;
  const next = new Set(
    waiting.slice(0, batchSize(rollout.policy, passed, units.length)).map((u) => u.unit),
  );
  return {
    ...rollout,
    units: units.map((u) => (next.has(u.unit) ? { ...u, state: 'updating', since: now } : u)),
  };
}
