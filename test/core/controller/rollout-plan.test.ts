// How a rollout advances, as BOSH's update does: canaries alone first, then batches of
// max-in-flight in order, each unit watched; an error, a new blocked or no settling by the watch
// maximum halts it with the unit named; the units not reached stay waiting.
import { describe, expect, it } from 'vitest';
import {
  advanceRollout,
  batchSize,
  type UnitFacts,
} from '../../../core/controller/rollout-plan.js';
import type { RolloutPolicy, RolloutRecord } from '../../../core/store/types.js';

const POLICY: RolloutPolicy = {
  canaries: 1,
  maxInFlight: { count: 2 },
  watchMinMs: 1000,
  watchMaxMs: 60_000,
};

function rollout(units: string[], policy: RolloutPolicy = POLICY): RolloutRecord {
  const spec = { charmRevision: 1, charmDir: '/c', config: {}, resources: {} };
  return {
    id: 1,
    application: 'etcd',
    change: 'config',
    from: spec,
    to: { ...spec, config: { a: 1 } },
    policy,
    state: 'running',
    message: '',
    units: units.map((unit) => ({ unit, state: 'waiting', before: 'active' })),
    startedAt: '',
  };
}

const settled: UnitFacts = { exists: true, settled: true, workload: 'active', message: 'ok' };
const states = (r: RolloutRecord | undefined) => r?.units.map((u) => `${u.unit} ${u.state}`);

/** Advances until nothing changes, with every unit answering `facts`, 1.5 s apart. */
function run(r: RolloutRecord, facts: (unit: string) => UnitFacts = () => settled) {
  const batches: string[][] = [];
  let now = 0;
  let current = r;
  for (let i = 0; i < 50; i++) {
    const next = advanceRollout(current, facts, now);
    now += 1500;
    if (!next) continue;
    const started = next.units.filter(
      (u, k) => u.state === 'updating' && current.units[k]?.state !== 'updating',
    );
    if (started.length > 0) batches.push(started.map((u) => u.unit));
    current = next;
    if (current.state !== 'running') break;
  }
  return { batches, final: current };
}

describe('advanceRollout', () => {
  it('takes the canary alone, then max-in-flight at a time, in order, until done', () => {
    const { batches, final } = run(rollout(['etcd/1', 'etcd/2', 'etcd/3', 'etcd/4', 'etcd/0']));
    expect(batches).toEqual([['etcd/1'], ['etcd/2', 'etcd/3'], ['etcd/4', 'etcd/0']]);
    expect(final.state).toBe('done');
    expect(final.units.every((u) => u.state === 'updated')).toBe(true);
  });

  it('takes 100% at once after the canaries', () => {
    const policy = { ...POLICY, canaries: 0, maxInFlight: { percent: 100 } };
    expect(run(rollout(['a/1', 'a/2', 'a/0'], policy)).batches).toEqual([['a/1', 'a/2', 'a/0']]);
    expect(batchSize({ ...POLICY, maxInFlight: { percent: 50 } }, 1, 5)).toBe(3);
  });

  it('watches a unit at least the minimum, and until it is settled', () => {
    const r = rollout(['a/1', 'a/0']);
    const first = advanceRollout(r, () => settled, 0);
    expect(states(first)).toEqual(['a/1 updating', 'a/0 waiting']);
    if (!first) throw new Error('no first step');
    expect(advanceRollout(first, () => settled, 500)).toBeUndefined();
    const busy = { ...settled, settled: false };
    expect(advanceRollout(first, () => busy, 5000)).toBeUndefined();
    expect(states(advanceRollout(first, () => settled, 1000))).toEqual([
      'a/1 updated',
      'a/0 updating',
    ]);
  });

  it.each([
    [
      { ...settled, workload: 'error', message: 'hook failed: "upgrade-charm"' },
      2000,
      /a\/1 is in error: hook failed: "upgrade-charm"/,
    ],
    [
      { ...settled, workload: 'blocked', message: 'Missing etcd' },
      2000,
      /a\/1 is blocked: Missing etcd/,
    ],
    [
      { ...settled, settled: false, workload: 'maintenance', message: 'busy' },
      60_000,
      /a\/1 did not settle within 60s \(maintenance: busy\)/,
    ],
  ])('halts on a failing canary, leaving the rest on the old: %o', (facts, at, message) => {
    const first = advanceRollout(rollout(['a/1', 'a/2', 'a/0']), () => settled, 0);
    if (!first) throw new Error('no first step');
    const halted = advanceRollout(first, () => facts, at);
    expect(halted?.state).toBe('halted');
    expect(halted?.message).toMatch(message);
    expect(states(halted)).toEqual(['a/1 failed', 'a/2 waiting', 'a/0 waiting']);
    expect(advanceRollout(halted as RolloutRecord, () => settled, at + 5000)).toBeUndefined();
  });

  it('lets a unit that was blocked before pass blocked, and a removed unit pass', () => {
    const r = rollout(['a/1', 'a/0']);
    const blocked = { ...r, units: r.units.map((u) => ({ ...u, before: 'blocked' })) };
    const facts = (unit: string): UnitFacts =>
      unit === 'a/1'
        ? { exists: true, settled: true, workload: 'blocked', message: 'Missing binary' }
        : { exists: false, settled: true, workload: '', message: '' };
    expect(run(blocked, facts).final.state).toBe('done');
  });
});
