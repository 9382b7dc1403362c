// The unit executor in-process (executor-setup.ts: real store, resolver and SDK, the FAKE
// machine). Hooks run in the order DESIGN §6 promises, data round-trips between peers, a
// failed hook stops the unit until it is retried, and a new unit joins the others.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MachineLock } from '../../../agents/machine/lock.js';
import { type ExecutorDeps, stepUnit } from '../../../agents/unit/executor.js';
import { checkOrdering } from '../../../agents/unit/ordering.js';
import { goalUnits } from '../../../agents/unit/snapshot.js';
import type { Hook } from '../../../core/charm/hooks.js';
import { fakeMachine } from '../../../core/charm/fake-machine.js';
import { loadCharm } from '../../../core/charm/loader.js';
import { type CharmModule, defineCharm } from '../../../core/charm/sdk.js';
import { ensureLeaders } from '../../../core/controller/leadership.js';
import { SqliteStore } from '../../../core/store/sqlite-store.js';
import { breakWrites, dirs, setup } from './executor-setup.js';

const names = (log: { unit: string; name: string; hook: Hook }[], unit: string) =>
  log
    .filter((e) => e.unit === unit)
    .map((e) =>
      'remoteUnit' in e.hook && e.hook.remoteUnit ? `${e.name} ${e.hook.remoteUnit}` : e.name,
    );

describe('unit executor', () => {
  it('shares the leader settings: followers are told of each change, a new leader reads them', async () => {
    const module = defineCharm({
      reconcile(ctx) {
        if (ctx.isLeader && !ctx.leaderSettings.get('secret'))
          ctx.leaderSettings.set('secret', `made by ${ctx.unit}`);
        ctx.state.set('seen', ctx.leaderSettings.get('secret') ?? null);
      },
    });
    const { store, settle, log, deps } = await setup(3, module);
    await settle();
    expect(store.leaderSettings('counter')).toEqual({ secret: 'made by counter/0' });
    for (const unit of ['counter/0', 'counter/1', 'counter/2'])
      expect(store.unitRuntime(unit)?.charmState.seen).toBe('made by counter/0');
    // The followers ran leader-settings-changed once at install and once for the change, if
    // the change landed after their install; never for a commit that changed nothing.
    const followerRuns = log().filter(
      (e) => e.unit !== 'counter/0' && e.name === 'leader-settings-changed',
    );
    expect(followerRuns.length).toBeGreaterThanOrEqual(2);
    expect(followerRuns.length).toBeLessThanOrEqual(4);
    const before = log().length;
    await settle();
    expect(log().length).toBe(before);

    // The leader leaves: the next unit leads, runs leader-elected, and keeps the secret.
    store.removeUnit('counter/0');
    expect(ensureLeaders(store, { now: deps.now() })).toEqual(['counter/1']);
    const ranBefore = names(log(), 'counter/1').length;
    await settle();
    expect(names(log(), 'counter/1').slice(ranBefore)).toContain('leader-elected');
    expect(store.leaderSettings('counter')).toEqual({ secret: 'made by counter/0' });
  });

  it('a new leader is not sent -changed for its own application bag; followers are', async () => {
    const { store, settle, log, deps } = await setup(3);
    await settle();
    const rid = store.relations()[0]?.id ?? -1;
    expect(store.databag(rid, 'counter').data).toEqual({ units: '3' });
    const appChanged = (unit: string, since: number) =>
      log()
        .slice(since)
        .filter(
          (e) =>
            e.unit === unit &&
            e.name === 'cluster-relation-changed' &&
            !('remoteUnit' in e.hook && e.hook.remoteUnit),
        );

    // The leader leaves; counter/1 leads and rewrites the bag it now owns (3 units → 2).
    const before = log().length;
    store.removeUnit('counter/0');
    expect(ensureLeaders(store, { now: deps.now() })).toEqual(['counter/1']);
    await settle();
    expect(names(log().slice(before), 'counter/1')).toContain('leader-elected');
    expect(store.databag(rid, 'counter').data).toEqual({ units: '2' });
    expect(appChanged('counter/1', before)).toEqual([]);
    // The follower hears of the new leader's write, once.
    expect(appChanged('counter/2', before)).toHaveLength(1);
    expect(checkOrdering(log())).toEqual([]);
  });

  it('starts two peers in DESIGN §6 order, exchanging data', async () => {
    const { store, settle, log } = await setup(2);
    await settle();
    const entries = log();
    expect(checkOrdering(entries)).toEqual([]);
    expect(names(entries, 'counter/0').slice(0, 7)).toEqual([
      'install',
      'cluster-relation-created',
      'leader-elected',
      'config-changed',
      'start',
      'cluster-relation-joined counter/1',
      'cluster-relation-changed counter/1',
    ]);
    expect(names(entries, 'counter/1').slice(0, 3)).toEqual([
      'install',
      'cluster-relation-created',
      'leader-settings-changed',
    ]);
    expect(
      store
        .units()
        .map((u) => [
          u.name,
          u.workloadStatus.current,
          u.workloadStatus.message,
          u.agentStatus.current,
        ]),
    ).toEqual([
      ['counter/0', 'active', '1 peers', 'idle'],
      ['counter/1', 'active', '1 peers', 'idle'],
    ]);
    // What the charm logged is kept with its hook, for debug-log.
    expect(store.hookLog().find((e) => e.unit === 'counter/0' && e.hook === 'start')?.logs).toEqual(
      [{ level: 'info', message: 'greeting is hello' }], // the default from config.yaml
    );
    const rid = store.relations()[0]?.id ?? -1;
    expect(store.databag(rid, 'counter/1').data).toEqual({ 'seen-peers': '1' });
    expect(store.databag(rid, 'counter').data).toEqual({ units: '2' });
  });

  it('a new unit joins the others, and they it', async () => {
    const { add, settle, log } = await setup(2);
    await settle();
    const before = log().length;
    add(2);
    await settle();
    const after = log().slice(before);
    expect(checkOrdering(log())).toEqual([]);
    for (const existing of ['counter/0', 'counter/1']) {
      expect(names(after, existing)).toEqual(
        expect.arrayContaining([
          'cluster-relation-joined counter/2',
          'cluster-relation-changed counter/2',
        ]),
      );
    }
    expect(names(after, 'counter/2')).toEqual(
      expect.arrayContaining([
        'cluster-relation-joined counter/0',
        'cluster-relation-joined counter/1',
      ]),
    );
  });

  it('a status set again unchanged keeps its since; a changed one moves it', async () => {
    const { store, settle, add, tick } = await setup(1);
    await settle();
    const first = store.unit('counter/0')?.workloadStatus;
    expect(first).toMatchObject({ current: 'active', message: '0 peers' });
    tick(60_000);
    add(1); // counter/0 runs relation hooks and sets its status again, now "1 peers"
    await settle();
    const after = store.unit('counter/0')?.workloadStatus;
    expect(after?.message).not.toBe('0 peers');
    expect(after?.since).not.toBe(first?.since);
    const again = after?.since;
    const hooks = store.hookLog().length;
    tick(300_001); // update-status comes due: the same status is set once more
    await settle();
    expect(store.hookLog().length).toBeGreaterThan(hooks);
    expect(store.unit('counter/0')?.workloadStatus.since).toBe(again);
  });

  it("tells each hook the application's alive units (goal-state), joined or not", async () => {
    const goal = defineCharm({
      reconcile: (ctx) => ctx.status.set('active', ctx.goalState.units.join(',')),
    });
    const { store, settle, add } = await setup(2, goal);
    add(10);
    await settle();
    expect(store.unit('counter/0')?.workloadStatus.message).toBe('counter/0,counter/1,counter/10');
    store.setUnitLife('counter/1', 'dying');
    expect(goalUnits(store.unitIndex(), 'counter')).toEqual(['counter/0', 'counter/10']);
  });

  it('a failed hook puts the unit in error, stops it, and retries after the backoff', async () => {
    const { store, deps, settle, tick } = await setup(1);
    const machine = breakWrites(deps);
    await settle();
    expect(store.units()[0]?.workloadStatus).toMatchObject({
      current: 'error',
      message: 'hook failed: "install"',
    });
    expect(await stepUnit('counter/0', deps)).toBe('wait-retry');
    const failed = store.hookLog().at(-1);
    expect(failed).toMatchObject({ hook: 'install', outcome: 'error', message: 'disk full' });
    machine.fix();
    tick(5_000);
    await settle();
    expect(store.units()[0]?.workloadStatus).toMatchObject({
      current: 'active',
      message: '0 peers',
    });
    expect(
      store
        .hookLog()
        .filter((e) => e.hook === 'install')
        .map((e) => e.outcome),
    ).toEqual(['error', 'ok']);
  });
});

describe('relation data validation', () => {
  it('fails the hook that writes data its interface forbids, naming relation, unit and key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rune-runtime-'));
    dirs.push(dir);
    const store = new SqliteStore(join(dir, 'store.db'));
    const charmDir = resolve('test/fixtures/charms/runtime/bad-http');
    const charm = loadCharm(charmDir);
    const module = ((await import(join(charmDir, 'charm.ts'))) as { charm: CharmModule }).charm;
    store.addApplication({
      name: 'web',
      charm: 'bad-http',
      charmDir,
      subordinate: false,
      config: {},
      constraints: '',
    });
    store.addApplication({
      name: 'client',
      charm: 'x',
      charmDir: '/x',
      subordinate: false,
      config: {},
      constraints: '',
    });
    const website = {
      name: 'website',
      interface: 'http',
      scope: 'global' as const,
      optional: false,
    };
    store.addRelation([
      { ...website, application: 'web', role: 'provider' },
      { ...website, application: 'client', role: 'requirer' },
    ]);
    store.addUnit({ name: 'web/0', machine: '0' });
    ensureLeaders(store, { now: 0 });
    const deps: ExecutorDeps = {
      store,
      loadCharm: () => Promise.resolve({ charm, module }),
      machine: () => Promise.resolve(fakeMachine().machine),
      address: () => '10.0.0.2',
      lock: new MachineLock(),
      now: () => 0,
      updateStatusIntervalMs: 300_000,
      retryDelayMs: () => 5_000,
    };
    expect(await stepUnit('web/0', deps)).toBe('ran');
    expect(store.units()[0]?.workloadStatus).toMatchObject({
      current: 'error',
      message: 'hook failed: "install"',
    });
    expect(store.hookLog()[0]?.message).toMatch(
      /relation web:website - client, unit web\/0, key port: /,
    );
    expect(store.databag(0, 'web/0').data).toEqual({});
  });
});

describe('addressed keys (InterfaceSpec.addressee)', () => {
  it('a certificate issued to another requester runs no hook here; its own and a shared key do', async () => {
    const { store, settle, log } = await setup(2, defineCharm({ reconcile() {} }));
    store.addApplication({
      name: 'ca',
      charm: 'counter',
      charmDir: resolve('test/fixtures/charms/sdk/counter'),
      subordinate: false,
      config: {},
      constraints: '',
    });
    store.addUnit({ name: 'ca/0', machine: '9' });
    ensureLeaders(store, { now: 0 });
    const tls = { interface: 'tls-certificates', scope: 'global', optional: false } as const;
    const rid = store.addRelation([
      // The counter charm's `api` endpoint, on each side, speaking tls-certificates here.
      { ...tls, application: 'ca', name: 'api', role: 'provider' },
      { ...tls, application: 'counter', name: 'api', role: 'requirer' },
    ]).id;
    await settle();
    const changed = (unit: string, since: number) =>
      names(log().slice(since), unit).filter((n) => n === 'api-relation-changed ca/0');

    let since = log().length;
    store.writeDatabag(rid, 'ca/0', { 'counter_1.server.cert': 'cert for counter/1' });
    await settle();
    expect(changed('counter/1', since)).toHaveLength(1);
    expect(changed('counter/0', since)).toEqual([]);

    since = log().length;
    store.writeDatabag(rid, 'ca', { 'counter_0.processed_requests': '{}' });
    await settle();
    expect(names(log().slice(since), 'counter/0')).toContain('api-relation-changed');
    expect(names(log().slice(since), 'counter/1')).toEqual([]);

    since = log().length;
    store.writeDatabag(rid, 'ca/0', { ca: 'the CA' });
    await settle();
    expect(changed('counter/0', since)).toHaveLength(1);
    expect(changed('counter/1', since)).toHaveLength(1);
  });
});
