// attach-resource rolls (issue 14 item 2) on SIMULATED machines (the sim provider) driven by the
// real unit runner, executor and rollouts over a real store: one unit at a time gets the new
// revision while a unit not yet reached still fetches the old one; an abort sends the moved unit
// back to it. The clock the runner and rollouts read is the test's, so a watch time passes only
// when the test says.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MachineLock } from '../../../agents/machine/lock.js';
import { SimProvider, simAddress } from '../../../agents/providers/sim/sim-provider.js';
import {
  defaultRetryDelay,
  type ExecutorDeps,
  hasWorkDue,
  stepUnit,
} from '../../../agents/unit/executor.js';
import { resourcePath } from '../../../agents/unit/resources.js';
import { inRelation } from '../../../agents/unit/snapshot.js';
import { type Charm, compileConfigSchema, defineCharm } from '../../../core/charm/index.js';
import { modelStatus } from '../../../core/controller/model-status.js';
import { attachResources } from '../../../core/controller/resources.js';
import { abortRollout, driveRollouts } from '../../../core/controller/rollouts.js';
import { UnitRunner } from '../../../core/controller/unit-runner.js';
import { waitFor } from '../../../core/controller/wait-for.js';
import { SqliteStore } from '../../../core/store/sqlite-store.js';
import type { ProviderKind } from '../../../core/store/types.js';

const OP: Charm = {
  meta: {
    name: 'op',
    summary: 'Reports the first line of its payload resource.',
    description: '',
    subordinate: false,
    endpoints: [],
    resources: { payload: { name: 'payload', filename: 'payload.txt', description: '' } },
  },
  config: { options: {}, schema: compileConfigSchema({}) },
  actions: {},
  dir: '(defined in the test)',
};

const opCharm = defineCharm({
  async reconcile(ctx) {
    const path = await ctx.resource('payload');
    if (path === undefined) return ctx.status.set('blocked', 'no payload');
    const text = (await ctx.machine.readFile(path)).toString('utf8');
    ctx.status.set('active', `payload: ${text}`);
  },
});

const HOUR = 3_600_000;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** `op` with three units, each on its own simulated machine, settled (blocked: no payload). */
async function model() {
  const dir = mkdtempSync(join(tmpdir(), 'rune-resroll-'));
  const store = new SqliteStore(join(dir, 'store.db'));
  const provider = new SimProvider({ latency: { fixedMs: 0, jitterMs: 0 }, seed: 1 });
  store.addApplication({
    name: 'op',
    charm: 'op',
    charmDir: dir,
    subordinate: false,
    config: {},
    constraints: '',
  });
  for (let n = 0; n < 3; n++) {
    const id = store.reserveMachineId();
    await provider.create(id);
    store.addMachine({
      id,
      // The store's ProviderKind predates the sim provider; the column is plain text.
      provider: 'sim' as string as ProviderKind,
      instanceId: `sim-${id}`,
      address: simAddress(Number(id)),
      port: 22,
      user: 'root',
      keyFile: '',
      hostKey: '',
      hostPublicKey: '',
      constraints: '',
    });
    store.addUnit({ name: `op/${n}`, machine: id });
  }
  const clock = { now: Date.now() };
  const deps: ExecutorDeps = {
    store,
    loadCharm: () => Promise.resolve({ charm: OP, module: opCharm }),
    machine: (id) => Promise.resolve(provider.charmMachine(`sim-${id}`)),
    address: (id) => simAddress(Number(id)),
    lock: new MachineLock(),
    now: () => clock.now,
    updateStatusIntervalMs: HOUR,
    retryDelayMs: defaultRetryDelay,
  };
  // As the controller's rolloutFacts: settled is agent idle and no hook due.
  const facts = (name: string) => {
    const unit = store.unit(name);
    if (!unit) return { exists: false, settled: true, workload: '', message: '' };
    return {
      exists: true,
      settled: unit.agentStatus.current === 'idle' && !hasWorkDue(name, deps),
      workload: unit.workloadStatus.current,
      message: unit.workloadStatus.message,
    };
  };
  const runner: UnitRunner = new UnitRunner(
    store,
    {
      step: (unit) => stepUnit(unit, deps),
      inRelation: (unit, id) => inRelation(store, unit, id),
      now: () => clock.now,
      updateStatusIntervalMs: deps.updateStatusIntervalMs,
    },
    { tickMs: 10, onPass: (now) => driveRollouts(store, facts, now) },
  );
  deps.onCommit = (unit, relations, leaderSettings) =>
    runner.committed(unit, relations, leaderSettings);
  runner.start();
  cleanups.push(async () => {
    await runner.stop();
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Each unit's workload message, once no unit has work left. */
  const settled = (what: string) =>
    waitFor(
      what,
      () =>
        store.units().every((u) => facts(u.name).settled) &&
        Object.fromEntries(store.units().map((u) => [u.name, u.workloadStatus.message])),
      { timeoutMs: 10_000 },
    );
  const attach = (text: string, watch: string) => {
    const file = join(dir, `payload-${text}.txt`);
    writeFileSync(file, text);
    const attached = attachResources(store, () => OP, join(dir, 'resources'), {
      application: 'op',
      files: { payload: file },
      policy: { watch },
    });
    runner.wake();
    return attached;
  };
  /** Time passes: a watch minimum, or the update-status interval. */
  const later = (ms: number) => {
    clock.now += ms;
    runner.wake();
  };
  /** The payload file on each unit's machine. */
  const files = () =>
    Object.fromEntries(
      store
        .units()
        .map((u) => [
          u.name,
          provider.sim(`sim-${u.machine}`).files()[resourcePath('op', 'payload', 'payload.txt')],
        ]),
    );
  const upgrades = () =>
    store
      .hookLog()
      .filter((e) => e.hook === 'upgrade-charm')
      .map((e) => e.unit);
  await settled('the units to settle');
  return { store, runner, settled, attach, later, files, upgrades };
}

describe('attach-resource rolls', () => {
  it('moves one unit at a time to the new revision; a unit not reached fetches the old', async () => {
    const m = await model();
    expect(m.attach('one', '5s-10m')).toMatchObject([{ name: 'payload', revision: 1 }]);
    const units = m.store.activeRollout('op')?.units.map((u) => u.unit) ?? [];
    // Followers by number, the leader last.
    expect(units.at(-1)).toBe(m.store.leader('op'));
    const [first, second, third] = units as [string, string, string];
    expect(await m.settled('the canary to take revision 1')).toEqual({
      [first]: 'payload: one',
      [second]: 'no payload',
      [third]: 'no payload',
    });
    m.later(5_000);
    expect(await m.settled('the second unit')).toMatchObject({ [third]: 'no payload' });
    m.later(5_000);
    expect(await m.settled('the leader')).toEqual({
      [first]: 'payload: one',
      [second]: 'payload: one',
      [third]: 'payload: one',
    });
    m.later(5_000);
    await waitFor('the rollout to end', () => m.store.activeRollout('op') === undefined, {
      timeoutMs: 5_000,
    });
    expect(m.upgrades()).toEqual([first, second, third]);

    // Revision 2, watched for two hours: the canary takes it, the others stay on revision 1...
    m.attach('two', '2h-10h');
    expect(await m.settled('the canary to take revision 2')).toEqual({
      [first]: 'payload: two',
      [second]: 'payload: one',
      [third]: 'payload: one',
    });
    expect(m.upgrades().slice(3)).toEqual([first]);
    expect(modelStatus(m.store).applications.op?.rollout).toMatch(
      /^rollout \d+ \(attach-resource\) 0\/3 running$/,
    );
    // ...and when they run a hook meanwhile (update-status, an hour on), they fetch revision 1,
    // whose file the controller kept.
    const seen = m.store.hookLog().length;
    m.later(HOUR);
    await waitFor(
      'update-status on every unit',
      () =>
        new Set(
          m.store
            .hookLog()
            .slice(seen)
            .filter((e) => e.hook === 'update-status' && e.endedAt !== undefined)
            .map((e) => e.unit),
        ).size === 3,
      { timeoutMs: 10_000 },
    );
    expect(m.files()).toEqual({ [first]: 'two', [second]: 'one', [third]: 'one' });

    // Abort: revision 1 is current again, and the canary goes back to it.
    m.store.transaction(() => abortRollout(m.store, 'op', new Date().toISOString()));
    m.runner.wake();
    expect(m.store.resources('op').map((r) => r.revision)).toEqual([1]);
    expect(await m.settled('the canary to go back to revision 1')).toEqual({
      [first]: 'payload: one',
      [second]: 'payload: one',
      [third]: 'payload: one',
    });
    expect(m.files()).toEqual({ [first]: 'one', [second]: 'one', [third]: 'one' });
    expect(m.upgrades().slice(3)).toEqual([first, first]);
  });
});
