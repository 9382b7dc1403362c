// nextOp/applyHook scenarios (DESIGN §6): each steps the resolver until idle and checks the exact
// hook sequence, then that checkOrdering finds nothing wrong with it.
import { describe, expect, test } from 'vitest';
import { checkOrdering } from '../../../agents/unit/ordering.js';
import { applyHook, failHook, nextOp, requeue, startHook } from '../../../agents/unit/resolver.js';
import { compareUnitNames, initialLocalState } from '../../../agents/unit/state.js';
import { INTERVAL, TestExecutor, relation, remoteState } from './helpers.js';

const STARTUP = ['install', 'leader-settings-changed', 'config-changed', 'start'];

/** A started unit in relation 1 (db, with db/0) and 2 (cluster peer, with app/1). */
function twoRelations(): TestExecutor {
  const ex = new TestExecutor(
    remoteState({
      relations: [
        relation(2, 'cluster', 'app', { 'app/1': 1 }),
        relation(1, 'db', 'db', { 'db/0': 1 }),
      ],
    }),
  );
  ex.settle();
  return ex;
}

function expectClean(ex: TestExecutor): void {
  expect(checkOrdering(ex.log)).toEqual([]);
}

describe('new unit', () => {
  test('install, relation-created for present relations, leader hook, config, start, then joins', () => {
    const ex = twoRelations();
    expect(ex.names()).toEqual([
      'install',
      'db-relation-created#1',
      'cluster-relation-created#2',
      'leader-settings-changed',
      'config-changed',
      'start',
      'db-relation-joined#1 db/0',
      'db-relation-changed#1 db/0',
      'cluster-relation-joined#2 app/1',
      'cluster-relation-changed#2 app/1',
    ]);
    expect(nextOp(ex.local, ex.remote)).toEqual({ kind: 'idle' });
    expectClean(ex);
  });

  test('a leader gets leader-elected instead of leader-settings-changed', () => {
    const ex = new TestExecutor(remoteState({ isLeader: true }));
    ex.settle();
    expect(ex.names()).toEqual(['install', 'leader-elected', 'config-changed', 'start']);
  });

  test('changes during the install phase wait until after start', () => {
    const ex = new TestExecutor(remoteState());
    ex.step(); // install
    ex.step(); // leader-settings-changed
    ex.remote = { ...ex.remote, isLeader: true, configHash: 'c2' };
    ex.settle();
    expect(ex.names()).toEqual([
      'install',
      'leader-settings-changed',
      'config-changed',
      'start',
      'leader-elected',
    ]);
    expect(ex.local.configHash).toBe('c2');
    expectClean(ex);
  });

  test('a relation that appears after the leader hook is entered after start', () => {
    const ex = new TestExecutor(remoteState());
    ex.step(); // install
    ex.step(); // leader-settings-changed
    ex.remote = { ...ex.remote, relations: [relation(1, 'db', 'db', { 'db/0': 1 })] };
    ex.settle();
    expect(ex.names()).toEqual([
      ...STARTUP,
      'db-relation-created#1',
      'db-relation-joined#1 db/0',
      'db-relation-changed#1 db/0',
    ]);
    expectClean(ex);
  });

  test('the unit itself in a peer relation is ignored', () => {
    const ex = new TestExecutor(
      remoteState({ relations: [relation(1, 'cluster', 'app', { 'app/0': 1, 'app/2': 1 })] }),
    );
    ex.settle();
    expect(ex.since(5)).toEqual([
      'cluster-relation-joined#1 app/2',
      'cluster-relation-changed#1 app/2',
    ]);
    expectClean(ex);
  });
});

describe('relations of a started unit', () => {
  test('a unit joining later: -joined then -changed; a data bump: -changed', () => {
    const ex = twoRelations();
    const mark = ex.log.length;
    ex.updateRelation(1, (r) => ({ ...r, units: { ...r.units, 'db/1': 1 } }));
    ex.settle();
    ex.updateRelation(1, (r) => ({ ...r, units: { ...r.units, 'db/0': 2 } }));
    ex.settle();
    expect(ex.since(mark)).toEqual([
      'db-relation-joined#1 db/1',
      'db-relation-changed#1 db/1',
      'db-relation-changed#1 db/0',
    ]);
    expectClean(ex);
  });

  test('units join in numeric index order', () => {
    const ex = new TestExecutor(
      remoteState({ relations: [relation(1, 'db', 'db', { 'db/10': 1, 'db/2': 1, 'db/1': 1 })] }),
    );
    ex.settle();
    expect(ex.since(5).filter((n) => n.includes('joined'))).toEqual([
      'db-relation-joined#1 db/1',
      'db-relation-joined#1 db/2',
      'db-relation-joined#1 db/10',
    ]);
    expect(['db/10', 'db/2', 'web/1', 'db/1'].sort(compareUnitNames)).toEqual([
      'db/1',
      'db/2',
      'db/10',
      'web/1',
    ]);
  });

  test('a unit departing gets -departed, and never joins again', () => {
    const ex = twoRelations();
    const mark = ex.log.length;
    ex.updateRelation(1, (r) => ({ ...r, units: {} }));
    ex.settle();
    ex.updateRelation(1, (r) => ({ ...r, units: { 'db/0': 3 } }));
    expect(ex.settle().op).toEqual({ kind: 'idle' });
    expect(ex.since(mark)).toEqual(['db-relation-departed#1 db/0']);
    expectClean(ex);
  });

  test('a unit that leaves between -joined and -changed still gets -changed first', () => {
    const ex = new TestExecutor(remoteState({ relations: [relation(1, 'db', 'db', {})] }));
    ex.settle();
    ex.updateRelation(1, (r) => ({ ...r, units: { 'db/0': 1 } }));
    ex.step(); // -joined
    ex.updateRelation(1, (r) => ({ ...r, units: {} }));
    ex.settle();
    expect(ex.since(5)).toEqual([
      'db-relation-joined#1 db/0',
      'db-relation-changed#1 db/0',
      'db-relation-departed#1 db/0',
    ]);
    expectClean(ex);
  });

  test('app databag changes give -changed without a remote unit', () => {
    const ex = twoRelations();
    const mark = ex.log.length;
    ex.updateRelation(1, (r) => ({ ...r, appDataVersion: 1 }));
    ex.settle();
    expect(ex.since(mark)).toEqual(['db-relation-changed#1']);
  });

  test('a relation removed: -departed for its units, then -broken; one added: created first', () => {
    const ex = twoRelations();
    const mark = ex.log.length;
    ex.updateRelation(1, (r) => ({ ...r, life: 'dying' }));
    ex.settle();
    ex.remote = {
      ...ex.remote,
      relations: [
        ...ex.remote.relations.filter((r) => r.id !== 1),
        relation(3, 'db', 'db2', { 'db2/0': 1 }),
      ],
    };
    ex.settle();
    expect(ex.since(mark)).toEqual([
      'db-relation-departed#1 db/0',
      'db-relation-broken#1',
      'db-relation-created#3',
      'db-relation-joined#3 db2/0',
      'db-relation-changed#3 db2/0',
    ]);
    expectClean(ex);
  });

  test('a relation gone from the model without a dying phase is torn down the same way', () => {
    const ex = twoRelations();
    const mark = ex.log.length;
    ex.remote = { ...ex.remote, relations: ex.remote.relations.filter((r) => r.id !== 2) };
    ex.settle();
    expect(ex.since(mark)).toEqual([
      'cluster-relation-departed#2 app/1',
      'cluster-relation-broken#2',
    ]);
  });
});

describe('config, charm and leadership', () => {
  test('config change while a relation is changing: config-changed comes first', () => {
    const ex = twoRelations();
    const mark = ex.log.length;
    ex.updateRelation(1, (r) => ({ ...r, units: { 'db/0': 2, 'db/1': 1 } }));
    ex.step(); // db/1 joined
    ex.remote = { ...ex.remote, configHash: 'c2' };
    ex.settle();
    expect(ex.since(mark)).toEqual([
      'db-relation-joined#1 db/1',
      'db-relation-changed#1 db/1',
      'config-changed',
      'db-relation-changed#1 db/0',
    ]);
    expectClean(ex);
  });

  test('charm upgrade: upgrade-charm then config-changed even with the same config', () => {
    const ex = twoRelations();
    const mark = ex.log.length;
    ex.remote = { ...ex.remote, charmHash: 'charm2' };
    ex.settle();
    expect(ex.since(mark)).toEqual(['upgrade-charm', 'config-changed']);
    expectClean(ex);
  });

  test('leadership moves: leader-elected, then lost: leader-settings-changed', () => {
    const ex = twoRelations();
    const mark = ex.log.length;
    ex.remote = { ...ex.remote, isLeader: true };
    ex.settle();
    ex.remote = { ...ex.remote, leaderSettingsVersion: 1 }; // its own write: nothing
    ex.settle();
    ex.remote = { ...ex.remote, isLeader: false };
    ex.settle();
    ex.remote = { ...ex.remote, leaderSettingsVersion: 2 }; // the new leader's write
    ex.settle();
    expect(ex.since(mark)).toEqual([
      'leader-elected',
      'leader-settings-changed',
      'leader-settings-changed',
    ]);
  });
});

describe('update-status', () => {
  test('runs once the interval has passed since start, and only when idle', () => {
    const ex = twoRelations();
    const mark = ex.log.length;
    ex.remote = { ...ex.remote, now: ex.remote.now + INTERVAL - 1 };
    ex.settle();
    expect(ex.since(mark)).toEqual([]);
    ex.remote = { ...ex.remote, now: ex.remote.now + 1, configHash: 'c9' };
    ex.settle();
    expect(ex.since(mark)).toEqual(['config-changed', 'update-status']);
    ex.settle();
    expect(ex.since(mark)).toEqual(['config-changed', 'update-status']);
  });
});

describe('requeue', () => {
  test('a hook that asked for it gets update-status once nothing else is due, once', () => {
    const ex = twoRelations();
    const mark = ex.log.length;
    // The hook that asked, with a relation change and a config change still to come.
    ex.local = requeue(ex.local);
    ex.remote = { ...ex.remote, configHash: 'c2' };
    ex.updateRelation(1, (r) => ({ ...r, units: { 'db/0': 2 } }));
    ex.settle();
    expect(ex.since(mark)).toEqual([
      'config-changed',
      'db-relation-changed#1 db/0',
      'update-status',
    ]);
    expect(nextOp(ex.local, ex.remote)).toEqual({ kind: 'idle' });
    expectClean(ex);
  });
});

describe('failures', () => {
  test('a failed hook stops the queue until resolved; retry re-runs it', () => {
    const ex = twoRelations();
    const mark = ex.log.length;
    ex.outcomes.push({ match: (h) => h.kind === 'config-changed', outcome: 'fail' });
    ex.remote = { ...ex.remote, configHash: 'c2' };
    expect(ex.settle().op).toEqual({ kind: 'wait-retry' });
    ex.updateRelation(1, (r) => ({ ...r, units: { 'db/0': 2 } }));
    expect(ex.settle().op).toEqual({ kind: 'wait-retry' });
    ex.remote = { ...ex.remote, resolved: 'retry' };
    ex.settle();
    expect(ex.since(mark)).toEqual([
      'config-changed',
      'config-changed',
      'db-relation-changed#1 db/0',
    ]);
    expect(ex.local.configHash).toBe('c2');
    expectClean(ex);
  });

  test('no-retry marks the failed hook done without running it and moves on', () => {
    const ex = twoRelations();
    const mark = ex.log.length;
    ex.outcomes.push({ match: (h) => h.kind === 'relation-joined', outcome: 'fail' });
    ex.updateRelation(1, (r) => ({ ...r, units: { ...r.units, 'db/1': 1 } }));
    expect(ex.settle().op).toEqual({ kind: 'wait-retry' });
    ex.remote = { ...ex.remote, resolved: 'no-retry' };
    expect(nextOp(ex.local, ex.remote)).toEqual({
      kind: 'skip-hook',
      hook: {
        kind: 'relation-joined',
        relationId: 1,
        endpoint: 'db',
        remoteApp: 'db',
        remoteUnit: 'db/1',
      },
    });
    ex.settle();
    // Skipped -joined counts as joined: its -changed is owed next (DESIGN §6).
    expect(ex.since(mark)).toEqual(['db-relation-joined#1 db/1', 'db-relation-changed#1 db/1']);
    expect(ex.remote.resolved).toBeUndefined();
    expectClean(ex);
  });

  test('a hook in flight when the controller died is re-run first', () => {
    const ex = twoRelations();
    const mark = ex.log.length;
    ex.outcomes.push({ match: (h) => h.kind === 'config-changed', outcome: 'crash' });
    ex.remote = { ...ex.remote, configHash: 'c2' };
    ex.step();
    expect(ex.local.inFlight).toEqual({ kind: 'config-changed' });
    // Meanwhile the model moved on; the in-flight hook still goes first.
    ex.remote = { ...ex.remote, isLeader: true };
    ex.settle();
    expect(ex.since(mark)).toEqual(['config-changed', 'config-changed', 'leader-elected']);
    expectClean(ex);
  });

  test('failHook and startHook are plain data changes', () => {
    const local = startHook(initialLocalState(), { kind: 'install' });
    expect(local.inFlight).toEqual({ kind: 'install' });
    const failed = failHook(local, { kind: 'install' });
    expect(failed).toMatchObject({ inFlight: undefined, failed: { kind: 'install' } });
    const done = applyHook(failed, { kind: 'install' }, remoteState());
    expect(done).toMatchObject({ installed: true, failed: undefined, charmHash: 'charm1' });
  });
});

describe('dying', () => {
  test('with relations: -departed each unit, -broken each relation, stop, remove, done', () => {
    const ex = twoRelations();
    const mark = ex.log.length;
    ex.remote = { ...ex.remote, life: 'dying', configHash: 'ignored' };
    expect(ex.settle().op).toEqual({ kind: 'done' });
    expect(ex.since(mark)).toEqual([
      'db-relation-departed#1 db/0',
      'db-relation-broken#1',
      'cluster-relation-departed#2 app/1',
      'cluster-relation-broken#2',
      'stop',
      'remove',
    ]);
    expect(nextOp(ex.local, ex.remote)).toEqual({ kind: 'done' });
    expectClean(ex);
  });

  test('dying during the install phase: broken for created relations, remove, no stop', () => {
    const ex = new TestExecutor(
      remoteState({ relations: [relation(1, 'db', 'db', { 'db/0': 1 })] }),
    );
    ex.step(); // install
    ex.step(); // created
    ex.remote = { ...ex.remote, life: 'dying' };
    ex.settle();
    expect(ex.names()).toEqual([
      'install',
      'db-relation-created#1',
      'db-relation-broken#1',
      'remove',
    ]);
    expectClean(ex);
  });

  test('dying before install: only remove', () => {
    const ex = new TestExecutor(
      remoteState({ life: 'dying', relations: [relation(1, 'db', 'db')] }),
    );
    expect(ex.settle().op).toEqual({ kind: 'done' });
    expect(ex.names()).toEqual(['remove']);
    expectClean(ex);
  });

  test('an upgrade-charm just committed still gets its config-changed before teardown', () => {
    const ex = twoRelations();
    const mark = ex.log.length;
    ex.remote = { ...ex.remote, charmHash: 'charm2' };
    ex.step();
    ex.remote = { ...ex.remote, life: 'dying' };
    ex.settle();
    expect(ex.since(mark).slice(0, 3)).toEqual([
      'upgrade-charm',
      'config-changed',
      'db-relation-departed#1 db/0',
    ]);
    expectClean(ex);
  });

  test('new unit startup sequence is exactly the DESIGN §6 order', () => {
    const ex = new TestExecutor(remoteState());
    ex.settle();
    expect(ex.names()).toEqual(STARTUP);
  });
});
