// The unit runner (DESIGN §2, §6) over a real store with FAKE unit agents: which units a commit,
// a wake, a retry or the slow full pass steps; one step per unit at a time; stop() waiting; and
// the model duties its passes perform (leaders, subordinates, placement, collecting the dead).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type StepResult,
  UnitRunner,
  type UnitRunnerOptions,
} from '../../../core/controller/unit-runner.js';
import type { Endpoint } from '../../../core/model/types.js';
import { SqliteStore } from '../../../core/store/sqlite-store.js';
import { FakeUnitAgents } from '../../fakes/fake-unit-agents.js';
import { machineRecord } from '../../fakes/machine-record.js';

/**
 * Lets every promise chain already started run to its end. The runner's only timer is its tick
 * (faked below) and the fake's steps answer at once, so all its work is microtasks, which Node
 * drains before the next macrotask: this is the point where the runner has nothing left to do.
 */
const drained = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Waits for a condition on the real clock (performance.now: Date is faked) with a deadline. */
async function until(what: string, check: () => boolean): Promise<void> {
  const deadline = performance.now() + 5_000;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await drained();
  }
}

const endpoint = (
  application: string,
  name: string,
  role: Endpoint['role'],
  scope: Endpoint['scope'] = 'global',
): Endpoint => ({ application, name, role, interface: name, scope, optional: false });

const dirs: string[] = [];
const runners: UnitRunner[] = [];
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
});
afterEach(async () => {
  await Promise.all(runners.splice(0).map((r) => r.stop()));
  vi.useRealTimers();
  dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
});

/**
 * a (2 units) —R— b (1 unit) —S— c (1 unit), each unit on its own machine. A tick every second
 * that never finds a full pass due unless the test says so.
 */
function model(options: UnitRunnerOptions = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'rune-runner-'));
  dirs.push(dir);
  const store = new SqliteStore(join(dir, 'store.db'));
  const addMachine = () => {
    const id = store.reserveMachineId();
    store.addMachine(machineRecord(id));
    return id;
  };
  const addApp = (name: string, units: number, subordinate = false) => {
    store.addApplication({
      name,
      charm: name,
      charmDir: dir,
      subordinate,
      config: {},
      constraints: '',
    });
    for (let n = 0; n < units; n++) store.addUnit({ name: `${name}/${n}`, machine: addMachine() });
  };
  addApp('a', 2);
  addApp('b', 1);
  addApp('c', 1);
  const r = store.addRelation([endpoint('a', 'p', 'provider'), endpoint('b', 'q', 'requirer')]);
  const s = store.addRelation([endpoint('b', 'out', 'provider'), endpoint('c', 'in', 'requirer')]);
  const agents = new FakeUnitAgents();
  const errors: [string, unknown][] = [];
  const runner = new UnitRunner(store, agents, {
    tickMs: 1_000,
    fullPassMs: 60_000,
    onError: (unit, error) => errors.push([unit, error]),
    ...options,
  });
  runners.push(runner);
  return { store, agents, runner, errors, r: r.id, s: s.id, addMachine, addApp };
}

/** Starts the runner and lets its first (full) pass finish; the steps it made are forgotten. */
async function started(m: ReturnType<typeof model>) {
  m.runner.start();
  await drained();
  m.agents.take();
}

const ALL = ['a/0', 'a/1', 'b/0', 'c/0'];

describe('UnitRunner: which units are stepped', () => {
  it('looks at every unit on start', async () => {
    const m = model();
    m.runner.start();
    await drained();
    expect(m.agents.take()).toEqual(ALL);
  });

  it('after a commit in a relation, steps only the units that read it: the other side', async () => {
    const m = model();
    await started(m);
    // a/1 reads only b's bags in R: a/0's write is nothing to it.
    m.runner.committed('a/0', [{ relationId: m.r }], false);
    await drained();
    expect(m.agents.take()).toEqual(['b/0']);
    m.runner.committed('c/0', [{ relationId: m.s }], false);
    await drained();
    expect(m.agents.take()).toEqual(['b/0']);
    m.runner.committed('b/0', [{ relationId: m.r }, { relationId: m.s }], false);
    await drained();
    expect(m.agents.take()).toEqual(['a/0', 'a/1', 'c/0']);
  });

  it('after a commit in a peer relation, steps the peers', async () => {
    const m = model();
    const peers = m.store.addRelation([endpoint('a', 'cluster', 'peer')]).id;
    await started(m);
    m.runner.committed('a/0', [{ relationId: peers }], false);
    await drained();
    expect(m.agents.take()).toEqual(['a/0', 'a/1']);
  });

  it('a commit whose every changed key is addressed steps only the addressees', async () => {
    const m = model();
    await started(m);
    // b/0 handed a/1 its own certificate: a/0 reads nothing new.
    m.runner.committed('b/0', [{ relationId: m.r, readers: ['a/1'] }], false);
    await drained();
    expect(m.agents.take()).toEqual(['a/1']);
    // One shared key in the same commit and everyone on the other side looks again.
    m.runner.committed('b/0', [{ relationId: m.r, readers: ['a/1'] }, { relationId: m.s }], false);
    await drained();
    expect(m.agents.take()).toEqual(['a/1', 'c/0']);
  });

  it('a commit that wrote no relation steps nobody; one that changed leader settings steps the application', async () => {
    const m = model();
    await started(m);
    m.runner.committed('a/1', [], false);
    await drained();
    expect(m.agents.take()).toEqual([]);
    m.runner.committed('a/0', [], true);
    await drained();
    expect(m.agents.take()).toEqual(['a/0', 'a/1']);
  });

  it('wake() steps every unit', async () => {
    const m = model();
    await started(m);
    m.runner.wake();
    await drained();
    expect(m.agents.take()).toEqual(ALL);
  });

  it('a wake during a pass is not lost: another pass follows', async () => {
    const m = model();
    m.runner.start();
    m.runner.wake(); // the start's pass is still in progress
    await drained();
    expect(m.agents.take()).toEqual([...ALL, ...ALL].sort());
  });

  it('steps a unit until it has nothing to run', async () => {
    const m = model();
    m.agents.script.set('a/0', ['ran', 'skipped', 'ran', 'idle', 'ran']);
    m.agents.script.set('b/0', ['ran', 'wait-retry', 'ran']);
    m.runner.start();
    await drained();
    const steps = m.agents.take();
    expect(steps.filter((u) => u === 'a/0')).toHaveLength(4);
    expect(steps.filter((u) => u === 'b/0')).toHaveLength(2);
    expect(steps.filter((u) => u === 'c/0')).toHaveLength(1);
  });

  it('gives up on a unit after 1000 steps in a row, and steps it again on the next pass', async () => {
    const m = model();
    m.agents.script.set('a/0', Array<StepResult>(1_500).fill('ran'));
    m.runner.start();
    await drained();
    expect(m.agents.take().filter((u) => u === 'a/0')).toHaveLength(1_000);
    m.runner.wake();
    await drained();
    expect(m.agents.take().filter((u) => u === 'a/0')).toHaveLength(500 + 1);
  });

  it('a unit that is done makes every unit look again', async () => {
    const m = model();
    await started(m);
    m.agents.script.set('c/0', ['done']);
    m.runner.committed('c/0', [], true);
    await drained();
    expect(new Set(m.agents.take())).toEqual(new Set(ALL));
  });

  it('passes an error a step threw to onError, and the other units carry on', async () => {
    const m = model();
    const boom = new Error('boom');
    m.agents.script.set('b/0', [boom]);
    m.runner.start();
    await drained();
    expect(m.errors).toEqual([['b/0', boom]]);
    expect(m.agents.take()).toEqual(ALL);
    m.runner.wake();
    await drained();
    expect(m.agents.take()).toEqual(ALL);
  });
});

describe('UnitRunner: one step per unit at a time', () => {
  it('never steps a unit twice at once, and looks at it once more after a mark mid-step', async () => {
    const m = model();
    await started(m);
    const release = m.agents.hold('a/0');
    m.runner.wake();
    await until('a/0 mid-step', () => m.agents.steps.includes('a/0'));
    m.runner.wake();
    m.runner.committed('b/0', [{ relationId: m.r }], false);
    m.runner.wake();
    await drained();
    expect(m.agents.steps.filter((u) => u === 'a/0')).toEqual(['a/0']);
    release();
    await drained();
    expect(m.agents.take().filter((u) => u === 'a/0')).toEqual(['a/0', 'a/0']);
    expect(m.agents.mostAtOnce).toBe(1);
  });

  it('stop() waits for the steps in progress, then steps nothing more', async () => {
    const m = model();
    await started(m);
    m.agents.script.set('a/0', ['ran', 'ran', 'ran']);
    const release = m.agents.hold('a/0');
    m.runner.wake();
    await until('a/0 mid-step', () => m.agents.steps.includes('a/0'));
    let stopped = false;
    const stopping = m.runner.stop().then(() => (stopped = true));
    await drained();
    expect(stopped).toBe(false);
    release();
    await stopping;
    m.agents.take();
    m.runner.wake();
    m.runner.committed('a/0', [{ relationId: m.r }], true);
    vi.advanceTimersByTime(120_000);
    await drained();
    // a/0's step said 'ran', yet its loop ended at stop: the rest of its script is unused.
    expect(m.agents.take()).toEqual([]);
    expect(m.agents.script.get('a/0')).toEqual(['ran', 'ran']);
  });
});

describe('UnitRunner: units waiting for a machine', () => {
  it('does not step a unit whose machine does not exist; places it on a free one, then steps it', async () => {
    const m = model();
    m.addApp('w', 0);
    m.store.addUnit({ name: 'w/0', machine: '' }); // waits: every machine has a unit
    m.store.addUnit({ name: 'w/1', machine: '42' }); // a machine the model does not have
    m.runner.start();
    await drained();
    expect(m.agents.take()).toEqual(ALL);
    const free = m.addMachine();
    m.runner.wake();
    await drained();
    expect(m.store.unit('w/0')?.machine).toBe(free);
    expect(m.agents.take()).toEqual([...ALL, 'w/0'].sort());
  });
});

describe('UnitRunner: the clock', () => {
  it('steps a unit whose retry has come due, and no other', async () => {
    const m = model();
    await started(m);
    m.store.setUnitRuntime('b/0', { retryAt: Date.now() + 2_500 });
    vi.advanceTimersByTime(2_000);
    await drained();
    expect(m.agents.take()).toEqual([]);
    vi.advanceTimersByTime(1_000);
    await drained();
    expect(m.agents.take()).toEqual(['b/0']);
  });

  it('makes a full pass every min(fullPassMs, update-status interval), read on each tick', async () => {
    const m = model({ fullPassMs: 10_000 });
    m.agents.updateStatusIntervalMs = 4_000;
    await started(m);
    vi.advanceTimersByTime(3_000);
    await drained();
    expect(m.agents.take()).toEqual([]);
    vi.advanceTimersByTime(1_000);
    await drained();
    expect(m.agents.take()).toEqual(ALL);
    m.agents.updateStatusIntervalMs = 60_000;
    vi.advanceTimersByTime(9_000);
    await drained();
    expect(m.agents.take()).toEqual([]);
    vi.advanceTimersByTime(1_000);
    await drained();
    expect(m.agents.take()).toEqual(ALL);
  });
});

describe('UnitRunner: model duties of a pass', () => {
  it('elects leaders, and a new leader makes every unit look again', async () => {
    const m = model();
    await started(m);
    expect(m.store.leader('a')).toBe('a/0');
    m.store.removeUnit('a/0');
    vi.advanceTimersByTime(1_000); // a tick with nothing marked
    await drained();
    expect(m.store.leader('a')).toBe('a/1');
    expect(m.agents.take()).toEqual(['a/1', 'b/0', 'c/0']);
  });

  it('does not elect a unit that cannot lead', async () => {
    const m = model({ canLead: (unit) => unit.name !== 'a/0' });
    await started(m);
    expect(m.store.leader('a')).toBe('a/1');
  });

  it('puts a subordinate unit beside each principal of a container relation, and steps it', async () => {
    const m = model();
    m.addApp('side', 0, true);
    m.store.addRelation([
      endpoint('a', 'host', 'provider', 'container'),
      endpoint('side', 'host', 'requirer', 'container'),
    ]);
    m.runner.start();
    await drained();
    expect(m.store.units('side').map((u) => [u.name, u.principal, u.machine])).toEqual([
      ['side/0', 'a/0', m.store.unit('a/0')?.machine],
      ['side/1', 'a/1', m.store.unit('a/1')?.machine],
    ]);
    expect(m.agents.take()).toEqual([...ALL, 'side/0', 'side/1'].sort());
  });

  it('removes a dying relation only once no unit is in it', async () => {
    const m = model();
    m.agents.inside.add(`b/0#${m.r}`);
    await started(m);
    m.store.setRelationLife(m.r, 'dying');
    m.runner.wake();
    await drained();
    expect(m.store.relations().map((r) => r.id)).toContain(m.r);
    m.agents.inside.clear(); // b/0 ran -broken
    m.runner.committed('b/0', [{ relationId: m.r }], false);
    await drained();
    expect(m.store.relations().map((r) => r.id)).toEqual([m.s]);
  });

  it('removes a dying application once its units and relations are gone', async () => {
    const m = model();
    await started(m);
    m.store.setApplicationLife('c', 'dying');
    m.store.setRelationLife(m.s, 'dying');
    m.runner.wake();
    await drained();
    expect(m.store.application('c')).toBeDefined(); // c/0 is still there
    m.store.removeUnit('c/0');
    m.runner.wake();
    await drained();
    expect(m.store.application('c')).toBeUndefined();
    expect(m.store.relations().map((r) => r.id)).toEqual([m.r]);
  });
});
