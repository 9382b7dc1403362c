// The executor's operations (skip-hook, run-action, run-hook) and its snapshot rule, in-process
// with the FAKE machine (executor-setup.ts): what each writes, in how many transactions, and
// that a hook runs on the model as it is once the machine is its, not as it was when it queued.
import { describe, expect, it } from 'vitest';
import { stepUnit } from '../../../agents/unit/executor.js';
import { defineCharm } from '../../../core/charm/sdk.js';
import type { Store } from '../../../core/store/types.js';
import { breakWrites, setup } from './executor-setup.js';

/** The store with its transactions counted, and writes made outside any transaction. */
function countingStore(store: Store) {
  const counts = { transactions: 0, looseWrites: 0, runtimeReads: 0 };
  let depth = 0;
  const writes = /^(set|write|add|remove|hook|start|finish)/;
  const counted = new Proxy(store, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function' || typeof prop !== 'string') return value;
      return (...args: unknown[]) => {
        if (prop === 'transaction') {
          counts.transactions++;
          depth++;
          try {
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          } finally {
            depth--;
          }
        }
        if (prop === 'unitRuntime') counts.runtimeReads++;
        if (depth === 0 && writes.test(prop) && prop !== 'hookLog') counts.looseWrites++;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { counted, counts };
}

describe('operations', () => {
  it('a hook prepares in one transaction and commits in one, writing nothing outside them', async () => {
    const { store, deps } = await setup(1);
    const { counted, counts } = countingStore(store);
    expect(await stepUnit('counter/0', { ...deps, store: counted })).toBe('ran');
    expect(store.hookLog().map((e) => [e.hook, e.outcome])).toEqual([['install', 'ok']]);
    expect(counts).toMatchObject({ transactions: 2, looseWrites: 0 });
  });

  it('resolve --no-retry skips the failed hook in one transaction; the queue goes on', async () => {
    const { store, deps, settle, log } = await setup(1);
    const machine = breakWrites(deps);
    await settle();
    expect(store.unit('counter/0')?.workloadStatus.current).toBe('error');
    machine.fix();
    store.setUnitRuntime('counter/0', { resolved: 'no-retry' });
    const { counted, counts } = countingStore(store);
    expect(await stepUnit('counter/0', { ...deps, store: counted })).toBe('skipped');
    expect(counts).toMatchObject({ transactions: 1, looseWrites: 0 });
    await settle();
    // install is not run again: the skip counted it as done, and the rest followed.
    expect(log().map((e) => `${e.name} ${e.outcome}`)).toEqual([
      'install error',
      'cluster-relation-created ok',
      'leader-elected ok',
      'config-changed ok',
      'start ok',
    ]);
    expect(store.unit('counter/0')?.workloadStatus.current).toBe('active');
  });

  it.each([
    ['no-retry', 'skipping'],
    ['retry', 'retrying'],
  ] as const)(
    'after resolve --%s, status shows what the charm had said, not "%s hook"',
    async (resolved, word) => {
      let failing = false;
      // Sets its status on every hook but update-status, the one that fails here.
      const module = defineCharm({
        reconcile: (ctx) => {
          if (ctx.hook.kind !== 'update-status') return ctx.status.set('active', 'ready');
          if (failing) throw new Error('boom');
        },
      });
      const { store, deps, settle, tick } = await setup(1, module);
      await settle();
      const before = store.unit('counter/0')?.workloadStatus;
      expect(before).toMatchObject({ current: 'active', message: 'ready' });
      failing = true;
      tick(300_001);
      expect(await stepUnit('counter/0', deps)).toBe('ran');
      expect(store.unit('counter/0')?.workloadStatus.current).toBe('error');
      // What `rune resolve` writes (model-operations.ts) while the hook waits.
      store.setUnitRuntime('counter/0', { resolved, retryAt: undefined });
      const message = `${word} hook "update-status"`;
      store.setUnitStatus('counter/0', {
        workloadStatus: { current: 'maintenance', message, since: new Date(0).toISOString() },
      });
      failing = false;
      await stepUnit('counter/0', deps);
      expect(store.unit('counter/0')?.workloadStatus).toEqual(before);
      expect(store.unit('counter/0')?.agentStatus.current).toBe('idle');
      expect(store.unitRuntime('counter/0')?.localState).not.toHaveProperty(
        'workloadBeforeFailure',
      );
    },
  );

  it('an action runs while a failed hook waits, and its failure fails only itself', async () => {
    const { store, deps, settle } = await setup(1);
    breakWrites(deps);
    await settle();
    // counter's report runs `counter-ctl count`, which the fake machine has no answer for.
    const id = store.enqueueAction('counter/0', 'report', {}, new Date(0).toISOString());
    const { counted, counts } = countingStore(store);
    expect(await stepUnit('counter/0', { ...deps, store: counted })).toBe('ran');
    expect(counts).toMatchObject({ transactions: 2, looseWrites: 0 });
    expect(store.action(id)).toMatchObject({ status: 'failed' });
    expect(store.action(id)?.message).toMatch(/counter-ctl count/);
    expect(store.unit('counter/0')?.workloadStatus).toMatchObject({
      current: 'error',
      message: 'hook failed: "install"',
    });
    expect(store.unit('counter/0')?.agentStatus.current).toBe('idle');
  });

  it("an action's results, state and status are committed like a hook's", async () => {
    const module = defineCharm({
      reconcile: (ctx) => ctx.status.set('active', 'ready'),
      actions: {
        report: (ctx) => {
          ctx.action?.setResult('count', '7');
          ctx.state.set('reported', true);
          ctx.status.set('active', 'reported');
        },
      },
    });
    const { store, deps, settle } = await setup(1, module);
    await settle();
    const id = store.enqueueAction('counter/0', 'report', {}, new Date(0).toISOString());
    await settle();
    expect(store.action(id)).toMatchObject({ status: 'completed', results: { count: '7' } });
    expect(store.unitRuntime('counter/0')?.charmState.reported).toBe(true);
    expect(store.unit('counter/0')?.workloadStatus.message).toBe('reported');
    expect(deps.store.hookLog().some((e) => e.hook === 'report-action')).toBe(false);
  });

  it('a hook that waited for its machine runs on the model as it is then', async () => {
    const seen: string[] = [];
    const module = defineCharm({
      reconcile: (ctx) => {
        const peer = ctx.relations('cluster')[0];
        const other = peer?.units[0];
        if (ctx.unit === 'counter/0' && peer && other)
          seen.push(peer.remote(other).get('note') ?? '');
      },
    });
    const { store, deps, settle, log } = await setup(2, module);
    await settle();
    const rid = store.relations()[0]?.id ?? -1;
    store.writeDatabag(rid, 'counter/1', { note: 'first' });
    // counter/0 has a -changed due, but another hook holds its machine.
    const release = await deps.lock.acquire('0');
    seen.length = 0;
    const step = stepUnit('counter/0', deps);
    store.writeDatabag(rid, 'counter/1', { note: 'second' });
    release();
    expect(await step).toBe('ran');
    expect(seen).toEqual(['second']);
    // The version it recorded is the one it saw: nothing more is due for counter/0.
    const ran = log().length;
    await settle();
    expect(
      log()
        .slice(ran)
        .filter((e) => e.unit === 'counter/0'),
    ).toEqual([]);
  });

  it('reads the model once per step, under the machine lock', async () => {
    const { store, deps, settle } = await setup(2);
    const { counted, counts } = countingStore(store);
    expect(await stepUnit('counter/0', { ...deps, store: counted })).toBe('ran');
    expect(counts.runtimeReads).toBe(1);
    await settle();
    const idle = countingStore(store);
    expect(await stepUnit('counter/0', { ...deps, store: idle.counted })).toBe('idle');
    expect(idle.counts).toMatchObject({ runtimeReads: 1, transactions: 0, looseWrites: 0 });
  });
});
