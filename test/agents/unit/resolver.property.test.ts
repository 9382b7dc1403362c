// Property: whatever the model does between resolver steps (units join and leave, data and config
// bump, leadership flips, relations come and go, hooks fail or the controller dies, finally the
// unit dies), the hooks run keep DESIGN §6's order, the resolver settles within a bound, and a
// dying unit ends with remove.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { checkOrdering } from '../../../agents/unit/ordering.js';
import type { RemoteRelation } from '../../../agents/unit/state.js';
import { INTERVAL, TestExecutor, UNIT, relation, remoteState, withOwnership } from './helpers.js';

type Command =
  | { t: 'step'; n: number }
  | { t: 'add-relation'; peer: boolean }
  | { t: 'dying-relation'; pick: number }
  | { t: 'drop-relation'; pick: number }
  | { t: 'join'; pick: number }
  | { t: 'leave'; pick: number; unit: number }
  | { t: 'reenter'; pick: number }
  | { t: 'self'; pick: number }
  | { t: 'bump'; pick: number; unit: number }
  | { t: 'bump-app'; pick: number }
  | { t: 'config' }
  | { t: 'charm' }
  | { t: 'leader' }
  | { t: 'leader-settings' }
  | { t: 'tick'; ms: number }
  | { t: 'fail' }
  | { t: 'crash' }
  | { t: 'resolve'; mode: 'retry' | 'no-retry' };

const pick = fc.nat({ max: 7 });
const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({ t: fc.constant('step' as const), n: fc.integer({ min: 1, max: 4 }) }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ t: fc.constant('add-relation' as const), peer: fc.boolean() }),
  },
  fc.record({ t: fc.constant('dying-relation' as const), pick }),
  fc.record({ t: fc.constant('drop-relation' as const), pick }),
  { weight: 3, arbitrary: fc.record({ t: fc.constant('join' as const), pick }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('leave' as const), pick, unit: pick }) },
  fc.record({ t: fc.constant('reenter' as const), pick }),
  fc.record({ t: fc.constant('self' as const), pick }),
  { weight: 3, arbitrary: fc.record({ t: fc.constant('bump' as const), pick, unit: pick }) },
  fc.record({ t: fc.constant('bump-app' as const), pick }),
  fc.record({ t: fc.constant('config' as const) }),
  fc.record({ t: fc.constant('charm' as const) }),
  fc.record({ t: fc.constant('leader' as const) }),
  fc.record({ t: fc.constant('leader-settings' as const) }),
  fc.record({ t: fc.constant('tick' as const), ms: fc.integer({ min: 1, max: INTERVAL }) }),
  fc.record({ t: fc.constant('fail' as const) }),
  fc.record({ t: fc.constant('crash' as const) }),
  fc.record({
    t: fc.constant('resolve' as const),
    mode: fc.constantFrom('retry' as const, 'no-retry' as const),
  }),
);

/** The model around one unit: relation ids and unit numbers are never reused (DESIGN §1). */
class World {
  readonly ex = new TestExecutor(remoteState());
  private nextRelation = 1;
  private nextUnit = 0;
  private config = 0;
  private charm = 0;
  /** Units that left each relation, to try bringing them back. */
  private readonly left = new Map<number, string[]>();

  apply(c: Command): void {
    const ex = this.ex;
    const rels = ex.remote.relations;
    const at = (n: number): RemoteRelation | undefined =>
      rels.length === 0 ? undefined : rels[n % rels.length];
    const set = (
      rel: RemoteRelation | undefined,
      change: (r: RemoteRelation) => RemoteRelation,
    ) => {
      if (rel) ex.updateRelation(rel.id, change);
    };
    switch (c.t) {
      case 'step':
        for (let i = 0; i < c.n; i++) ex.step();
        return;
      case 'add-relation': {
        const id = this.nextRelation++;
        const rel = c.peer
          ? withOwnership(relation(id, 'cluster', 'app'), ex.remote.isLeader)
          : relation(id, 'db', `db${id}`);
        ex.remote = { ...ex.remote, relations: [...rels, rel] };
        return;
      }
      case 'dying-relation':
        return set(at(c.pick), (r) => ({ ...r, life: 'dying' }));
      case 'drop-relation': {
        const rel = at(c.pick);
        if (rel) ex.remote = { ...ex.remote, relations: rels.filter((r) => r !== rel) };
        return;
      }
      case 'join':
        return set(at(c.pick), (r) => ({
          ...r,
          units: { ...r.units, [`${r.remoteApp}/${++this.nextUnit}`]: 1 },
        }));
      case 'leave':
        return set(at(c.pick), (r) => {
          const names = Object.keys(r.units);
          const gone = names[c.unit % Math.max(1, names.length)];
          if (gone === undefined) return r;
          this.left.set(r.id, [...(this.left.get(r.id) ?? []), gone]);
          const units = { ...r.units };
          delete units[gone];
          return { ...r, units };
        });
      case 'reenter':
        // Not something the model should do; the resolver must still never re-join.
        return set(at(c.pick), (r) => {
          const back = this.left.get(r.id)?.[0];
          return back === undefined ? r : { ...r, units: { ...r.units, [back]: 9 } };
        });
      case 'self':
        return set(at(c.pick), (r) =>
          r.remoteApp === 'app' ? { ...r, units: { ...r.units, [UNIT]: 1 } } : r,
        );
      case 'bump':
        return set(at(c.pick), (r) => {
          const names = Object.keys(r.units);
          const name = names[c.unit % Math.max(1, names.length)];
          if (name === undefined) return r;
          return { ...r, units: { ...r.units, [name]: (r.units[name] ?? 0) + 1 } };
        });
      case 'bump-app':
        return set(at(c.pick), (r) => ({ ...r, appDataVersion: r.appDataVersion + 1 }));
      case 'config':
        ex.remote = { ...ex.remote, configHash: `c${++this.config}` };
        return;
      case 'charm':
        ex.remote = { ...ex.remote, charmHash: `charm${++this.charm}` };
        return;
      case 'leader':
        ex.setLeader(!ex.remote.isLeader);
        return;
      case 'leader-settings':
        ex.remote = { ...ex.remote, leaderSettingsVersion: ex.remote.leaderSettingsVersion + 1 };
        return;
      case 'tick':
        ex.remote = { ...ex.remote, now: ex.remote.now + c.ms };
        return;
      case 'fail':
      case 'crash':
        ex.outcomes.push({ match: () => true, outcome: c.t });
        return;
      case 'resolve':
        ex.remote = { ...ex.remote, resolved: c.mode };
        return;
    }
  }

  /** A generous upper bound on the steps to settle from here with the model still. */
  bound(): number {
    const { local, remote } = this.ex;
    let work = 14; // in flight, resolve, lifecycle hooks, upgrade + config, leader, update-status
    for (const rel of local.relations) {
      if (!rel.broken) work += 3 + 2 * Object.keys(rel.joined).length;
    }
    for (const rel of remote.relations) work += 2 + 2 * Object.keys(rel.units).length;
    return work;
  }

  /** Steps with the model still; failures stop, and a hook in error is retried. */
  settle(): { op: string; steps: number } {
    const ex = this.ex;
    ex.outcomes.length = 0;
    const bound = this.bound();
    for (let steps = 0; steps <= bound; steps++) {
      const op = ex.step();
      if (op.kind === 'wait-retry') ex.remote = { ...ex.remote, resolved: 'retry' };
      else if (op.kind === 'idle' || op.kind === 'done') return { op: op.kind, steps };
    }
    return { op: 'livelock', steps: bound };
  }
}

describe('resolver under random model changes', () => {
  test('keeps DESIGN §6 ordering, settles within a bound, and ends with remove when dying', () => {
    fc.assert(
      fc.property(fc.array(command, { maxLength: 80 }), fc.boolean(), (commands, dies) => {
        const world = new World();
        for (const c of commands) world.apply(c);
        const alive = world.settle();
        expect(alive.op).toBe('idle');
        if (dies) {
          world.ex.remote = { ...world.ex.remote, life: 'dying' };
          expect(world.settle().op).toBe('done');
          expect(world.ex.log.at(-1)?.hook).toEqual({ kind: 'remove' });
        }
        expect(checkOrdering(world.ex.log)).toEqual([]);
      }),
      { numRuns: 400 },
    );
  });

  test('dying at any point, even mid-change, still ends with remove and a clean order', () => {
    fc.assert(
      fc.property(fc.array(command, { maxLength: 60 }), (commands) => {
        const world = new World();
        for (const c of commands) world.apply(c);
        world.ex.remote = { ...world.ex.remote, life: 'dying' };
        for (const c of commands.slice(0, 10)) world.apply(c); // the model keeps moving
        expect(world.settle().op).toBe('done');
        expect(world.ex.log.at(-1)?.hook).toEqual({ kind: 'remove' });
        expect(checkOrdering(world.ex.log)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});
