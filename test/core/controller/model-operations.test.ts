// The model verbs that add to the model or set it (DESIGN §10): deploy and its journal, add-unit,
// config, resolve; what each changes, and that a refused request changes nothing and says why.
// Relations and removal are in model-operations-removal.test.ts.
import { failedHook } from '../../../agents/unit/snapshot.js';
import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CharmRepository } from '../../../core/charm/repository.js';
import { BundleInvalidError, FileReadError } from '../../../core/controller/errors.js';
import { ModelOperations, ModelRequestError } from '../../../core/controller/model-operations.js';
import { ApplicationNotFoundError } from '../../../core/store/errors.js';
import { RolloutError } from '../../../core/controller/rollout-policy.js';
import type { Store } from '../../../core/store/types.js';
import {
  dump,
  ETCD,
  K8S,
  refused,
  removeTestDirs,
  setup,
  tunedCharm,
} from './model-operations-setup.js';

afterEach(removeTestDirs);

describe('deploy', () => {
  it('makes the plan’s machines, warms each new charm, and a second deploy plans nothing', async () => {
    const m = setup();
    const first = await m.ops.deploy(ETCD, []);
    expect(first.changes).toContain('deploy application etcd using charm etcd');
    expect(first.changes).toContain('add relation etcd:certificates - easyrsa:client');
    expect(m.made).toEqual(['', '', '', '']);
    expect(m.warmed).toEqual(['easyrsa', 'etcd']);
    expect(m.calls.wakes).toBeGreaterThan(0);
    expect(m.store.unfinishedDeploys()).toEqual([]);
    const before = dump(m.store);
    expect(await m.ops.deploy(ETCD, [])).toEqual({ changes: [], warnings: [] });
    expect(dump(m.store)).toEqual(before);
    expect(m.made).toHaveLength(4);
  });

  it('returns the bundle’s warnings with their file and line', async () => {
    const m = setup();
    const { warnings } = await m.ops.deploy(K8S, []);
    expect(warnings).toContainEqual(
      expect.stringMatching(/^bundles\/kubernetes-core\.yaml:16:9 .*lxd/),
    );
  });

  it('refuses a charm without code before making anything, and closes the journal', async () => {
    const m = setup();
    const noCode = resolve('test/fixtures/charms/runtime/no-code');
    const bundle = m.file(
      'b.yaml',
      `applications:\n  etcd: {charm: etcd, num_units: 1}\n  bare: {charm: ${noCode}, num_units: 2}\n`,
    );
    await refused(
      m,
      () => m.ops.deploy(bundle, []),
      ModelRequestError,
      /^charm code missing for bare: a charm needs charm\.ts/,
    );
  });

  it('refuses an invalid bundle or a missing overlay, naming the file', async () => {
    const m = setup();
    await m.ops.deploy(ETCD, []);
    await refused(
      m,
      () => m.ops.deploy('test/fixtures/bundles/invalid/relation-ambiguous.yaml', []),
      BundleInvalidError,
      /relation-ambiguous\.yaml:15:5 .*ambiguous relation/,
    );
    await refused(
      m,
      () => m.ops.deploy(ETCD, ['nowhere/overlay.yaml']),
      FileReadError,
      /nowhere\/overlay\.yaml/,
    );
  });

  it('fails a deploy whose machine was made under another id than the plan’s', async () => {
    const m = setup();
    const ops = new ModelOperations({
      store: m.store,
      charms: new CharmRepository(),
      makesMachines: true,
      addMachine: (constraints) => {
        m.store.reserveMachineId(); // someone else's machine took the id meanwhile
        return Promise.resolve(m.record(constraints));
      },
      wake: () => {},
      failedHook: () => undefined,
    });
    await expect(ops.deploy(ETCD, [])).rejects.toThrow(
      new ModelRequestError('machine 1 was made where the plan expected 0'),
    );
    expect(m.store.units()).toEqual([]);
    expect(m.store.unfinishedDeploys()).toEqual([]);
  });

  it('on a manual model, gives units distinct free machines and makes the rest wait', async () => {
    const m = setup({ makesMachines: false });
    m.record('');
    m.record('');
    await m.ops.deploy(ETCD, []);
    expect(m.store.units().map((u) => `${u.name}@${u.machine}`)).toEqual([
      'easyrsa/0@0',
      'etcd/0@1',
      'etcd/1@',
      'etcd/2@',
    ]);
    expect(m.made).toEqual([]);
  });

  it('on a manual model, maps the bundle’s machines to distinct free machines that fit', async () => {
    const m = setup({ makesMachines: false });
    const GIB = 2 ** 30;
    for (const cores of [1, 8, 8]) {
      m.store.setMachineFacts(m.record(''), {
        os: 'debian',
        osVersion: '12',
        arch: 'amd64',
        cores,
        memoryBytes: 8 * GIB,
        rootDiskBytes: 40 * GIB,
        addresses: [],
        hostname: 'h',
        systemd: false,
        snapd: false,
      });
    }
    await m.ops.deploy(K8S, []);
    expect(m.store.units().map((u) => `${u.name}@${u.machine}`)).toEqual([
      'easyrsa/0@1',
      'etcd/0@1',
      'kubernetes-master/0@1',
      'kubernetes-worker/0@2',
    ]);
  });
});

describe('resumeDeploys', () => {
  it('finishes a deploy a dead controller left, taking the machines it had made first', async () => {
    const m = setup();
    m.clock.now = new Date('2030-01-01T00:00:00Z');
    m.record(''); // machine 0: the operator's, from before the deploy
    m.store.deployStarted({ bundle: ETCD, overlays: [] }, '2030-01-02T00:00:00.000Z');
    m.clock.now = new Date('2030-01-03T00:00:00Z');
    m.record(''); // machine 1: made by the deploy, which died before any unit reached it
    expect(await m.ops.resumeDeploys()).toEqual([ETCD]);
    expect(m.store.units().map((u) => `${u.name}@${u.machine}`)).toEqual([
      'easyrsa/0@1',
      'etcd/0@3',
      'etcd/1@4',
      'etcd/2@5',
    ]);
    expect(m.made).toHaveLength(3);
    expect(m.store.unfinishedDeploys()).toEqual([]);
    expect(await m.ops.resumeDeploys()).toEqual([]);
    expect((await m.ops.deploy(ETCD, [])).changes).toEqual([]);
  });

  it('does not resume a deploy that was refused', async () => {
    const m = setup();
    await expect(
      m.ops.deploy('test/fixtures/bundles/invalid/no-applications.yaml', []),
    ).rejects.toThrow(BundleInvalidError);
    expect(await m.ops.resumeDeploys()).toEqual([]);
  });
});

describe('addUnits', () => {
  it('refuses an unknown application, a subordinate, and an unknown machine', async () => {
    const m = setup();
    await m.ops.deploy(K8S, []);
    await refused(m, () => m.ops.addUnits('nope', 1), ApplicationNotFoundError, /"nope"/);
    await refused(
      m,
      () => m.ops.addUnits('flannel', 1),
      ModelRequestError,
      /flannel is a subordinate application/,
    );
    await refused(m, () => m.ops.addUnits('etcd', 1, '9'), ModelRequestError, /machine 9/);
  });

  it('makes a machine per unit with the application’s constraints; numbers are never reused', async () => {
    const m = setup();
    await m.ops.deploy(tunedCharm(m), []);
    m.made.length = 0;
    expect(await m.ops.addUnits('tuned', 2)).toEqual(['tuned/1', 'tuned/2']);
    expect(m.made).toEqual(['cores=2', 'cores=2']);
    m.ops.removeUnits(['tuned/2'], true);
    expect(await m.ops.addUnits('tuned', 1)).toEqual(['tuned/3']);
  });

  it('puts units on the machine named, making none', async () => {
    const m = setup();
    await m.ops.deploy(ETCD, []);
    m.made.length = 0;
    await m.ops.addUnits('etcd', 2, '0');
    expect(m.store.units('etcd').map((u) => `${u.name}@${u.machine}`)).toContain('etcd/4@0');
    expect(m.store.unit('etcd/3')?.machine).toBe('0');
    expect(m.made).toEqual([]);
  });

  it('a machine that cannot be made fails the request; the units added before it start', async () => {
    const m = setup();
    let made = 0;
    const ops = new ModelOperations({
      store: m.store,
      charms: new CharmRepository(),
      makesMachines: true,
      addMachine: (constraints) =>
        ++made === 2
          ? Promise.reject(new Error('no capacity'))
          : Promise.resolve(m.record(constraints)),
      wake: () => m.calls.wakes++,
      failedHook: (unit) => failedHook(m.store, unit),
    });
    await m.ops.deploy(ETCD, []);
    const wakes = m.calls.wakes;
    await expect(ops.addUnits('etcd', 3)).rejects.toThrow('no capacity');
    expect(m.store.unit('etcd/3')).toBeDefined();
    expect(m.store.unit('etcd/4')).toBeUndefined();
    expect(m.calls.wakes).toBe(wakes + 1);
  });

  it('on a manual model, takes a free machine, then waits for one', async () => {
    const m = setup({ makesMachines: false });
    await m.ops.deploy(ETCD, []);
    m.record('');
    expect(await m.ops.addUnits('easyrsa', 2)).toEqual(['easyrsa/1', 'easyrsa/2']);
    expect([m.store.unit('easyrsa/1')?.machine, m.store.unit('easyrsa/2')?.machine]).toEqual([
      '0',
      '',
    ]);
  });
});

describe('config and setConfig', () => {
  it('lists every option, sorted, with its value and where the value comes from', async () => {
    const m = setup();
    await m.ops.deploy(tunedCharm(m), []);
    const options = m.ops.config('tuned');
    expect(Object.keys(options)).toEqual(['debug', 'motd', 'ratio', 'workers']);
    expect(options).toEqual({
      debug: { value: false, source: 'default', type: 'boolean', description: 'Verbose logs.' },
      motd: { value: 'hi', source: 'default', type: 'string', description: 'Greeting.' },
      ratio: { source: 'unset', type: 'float', description: 'Share of memory.' },
      workers: { value: 2, source: 'default', type: 'int', description: 'Worker count.' },
    });
  });

  it('sets options from strings by their type, and resets them to the default', async () => {
    const m = setup();
    await m.ops.deploy(tunedCharm(m), []);
    const wakes = m.calls.wakes;
    m.ops.setConfig('tuned', { workers: '4', ratio: '0.5', debug: 'true', motd: '7' }, []);
    expect(m.store.application('tuned')?.config).toEqual({
      workers: 4,
      ratio: 0.5,
      debug: true,
      motd: '7',
    });
    expect(m.ops.config('tuned').workers).toMatchObject({ value: 4, source: 'user' });
    expect(m.calls.wakes).toBe(wakes + 1);
    finishRollout(m.store, 'tuned');
    m.ops.setConfig('tuned', { motd: 'bye' }, ['workers', 'ratio']);
    expect(m.store.application('tuned')?.config).toEqual({ debug: true, motd: 'bye' });
    expect(m.ops.config('tuned').workers).toMatchObject({ value: 2, source: 'default' });
    expect(m.ops.config('tuned').ratio).toEqual(expect.objectContaining({ source: 'unset' }));
  });

  it('rolls a change out: the units keep the old config until the rollout reaches them', async () => {
    const m = setup();
    await m.ops.deploy(tunedCharm(m), []);
    m.ops.setConfig('tuned', { workers: '4' }, [], { maxInFlight: '100%', watch: '0s-1m' });
    const rollout = m.store.activeRollout('tuned');
    expect(rollout).toMatchObject({
      change: 'config',
      state: 'running',
      from: { config: {} },
      to: { config: { workers: 4 } },
      policy: { canaries: 1, maxInFlight: { percent: 100 }, watchMinMs: 0, watchMaxMs: 60_000 },
    });
    expect(rollout?.units.map((u) => [u.unit, u.state])).toEqual([['tuned/0', 'waiting']]);
    // A second change supersedes it: the unit not yet reached keeps the config it is on.
    m.ops.setConfig('tuned', { workers: '5' }, []);
    expect(m.store.rollouts().map((r) => r.state)).toEqual(['superseded', 'running']);
    expect(m.store.activeRollout('tuned')?.units).toEqual([
      {
        unit: 'tuned/0',
        state: 'waiting',
        before: expect.any(String) as string,
        from: {
          charmRevision: 1,
          charmDir: expect.any(String) as string,
          config: {},
          resources: {},
        },
      },
    ]);
    // A set that changes nothing starts nothing.
    finishRollout(m.store, 'tuned');
    m.ops.setConfig('tuned', { workers: '5' }, []);
    expect(m.store.activeRollout('tuned')).toBeUndefined();
  });

  it('refuses a bad rollout policy, changing nothing', async () => {
    const m = setup();
    await m.ops.deploy(tunedCharm(m), []);
    await refused(
      m,
      () => m.ops.setConfig('tuned', { workers: '4' }, [], { maxInFlight: '0', watch: '5m-5s' }),
      RolloutError,
      /--max-in-flight must be a number of units from 1 .*--watch 5m-5s: the maximum is shorter/,
    );
  });

  it('refuses wrong types and unknown names all at once, setting none of the request', async () => {
    const m = setup();
    await m.ops.deploy(tunedCharm(m), []);
    await refused(
      m,
      () =>
        m.ops.setConfig('tuned', { workers: 'many', motd: 'fine', debug: 'maybe', colour: 'red' }, [
          'nope',
        ]),
      ModelRequestError,
      /^workers: .*"many"\ndebug: .*"maybe"\ncolour: unknown option "colour" for charm tuned.*\n--reset nope: charm tuned has no option "nope"$/,
    );
    await refused(m, () => m.ops.setConfig('nope', {}, []), ApplicationNotFoundError, /"nope"/);
    expect(() => m.ops.config('nope')).toThrow(ApplicationNotFoundError);
  });
});

describe('resolve', () => {
  async function failedUnit() {
    const m = setup();
    await m.ops.deploy(tunedCharm(m), []);
    return m;
  }

  it('refuses a unit that does not exist or is not in error', async () => {
    const m = await failedUnit();
    await refused(
      m,
      () => m.ops.resolve('tuned/9', true),
      ModelRequestError,
      /^unit tuned\/9 not found/,
    );
    await refused(
      m,
      () => m.ops.resolve('tuned/0', true),
      ModelRequestError,
      /tuned\/0 is not in error/,
    );
  });

  it('asks a unit in error to retry its hook now, and says so in its status', async () => {
    const m = await failedUnit();
    m.store.setUnitRuntime('tuned/0', { localState: { failed: { kind: 'install' } }, retryAt: 9 });
    const wakes = m.calls.wakes;
    m.ops.resolve('tuned/0', true);
    const runtime = m.store.unitRuntime('tuned/0');
    expect(runtime?.resolved).toBe('retry');
    expect(runtime?.retryAt).toBeUndefined(); // the automatic retry is superseded
    expect(m.store.unit('tuned/0')?.workloadStatus).toMatchObject({
      current: 'maintenance',
      message: 'retrying hook "install"',
    });
    expect(m.calls.wakes).toBe(wakes + 1);
  });

  it('with --no-retry, asks it to skip the hook', async () => {
    const m = await failedUnit();
    const failed = { kind: 'relation-changed', relationId: 1, endpoint: 'db', remoteApp: 'x' };
    m.store.setUnitRuntime('tuned/0', { localState: { failed } });
    m.ops.resolve('tuned/0', false);
    expect(m.store.unitRuntime('tuned/0')?.resolved).toBe('no-retry');
    expect(m.store.unit('tuned/0')?.workloadStatus.message).toBe(
      'skipping hook "db-relation-changed"',
    );
  });
});

describe('charmOf', () => {
  it('loads the charm a deployed application runs, from its recorded folder', async () => {
    const m = setup();
    await m.ops.deploy(tunedCharm(m), []);
    expect(m.ops.charmOf('tuned').meta.name).toBe('tuned');
    expect(() => m.ops.charmOf('nope')).toThrow(new ApplicationNotFoundError('nope'));
  });
});

/** Marks the application's rollout done, as the runner would once its units settled. */
function finishRollout(store: Store, application: string): void {
  const active = store.activeRollout(application);
  if (active) store.setRollout({ ...active, state: 'done' });
}
