// Applying a bundle's plan to the store: the model it leaves, peer relations made on deploy,
// relations recorded provider first, and planning again afterwards finding nothing to do.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { applyChanges } from '../../../core/controller/apply-plan.js';
import { loadBundle } from '../../../core/controller/bundle-files.js';
import { CharmRepository } from '../../../core/charm/repository.js';
import { plan } from '../../../core/planner/index.js';
import { SqliteStore } from '../../../core/store/sqlite-store.js';
import { machineRecord } from '../../fakes/machine-record.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function setup(bundleFile: string) {
  const dir = mkdtempSync(join(tmpdir(), 'rune-apply-'));
  dirs.push(dir);
  const store = new SqliteStore(join(dir, 'store.db'));
  const repository = new CharmRepository();
  const { bundle } = loadBundle(bundleFile, [], repository);
  const charmFor = (application: string) => {
    const app = bundle.applications.find((a) => a.name === application);
    if (!app) throw new Error(`no ${application} in the bundle`);
    return repository.load(app.charmRef, 'bundles');
  };
  const made: string[] = [];
  const addMachine = (id: string) => {
    const reserved = store.reserveMachineId();
    expect(reserved).toBe(id);
    store.addMachine(
      machineRecord(id, {
        provider: 'local',
        instanceId: `fake-${id}`,
        address: `10.9.0.${Number(id) + 2}`,
      }),
    );
    made.push(id);
    return Promise.resolve(id);
  };
  return { store, bundle, deps: { store, charmFor, addMachine }, made };
}

describe('applyChanges', () => {
  it('turns etcd.yaml into applications, units on their machines, and relations', async () => {
    const { store, bundle, deps, made } = setup('bundles/etcd.yaml');
    await applyChanges(plan(bundle, store.snapshot()), deps);
    expect(made).toEqual(['0', '1', '2', '3']);
    expect(store.units().map((u) => `${u.name}@${u.machine}`)).toEqual([
      'easyrsa/0@0',
      'etcd/0@1',
      'etcd/1@2',
      'etcd/2@3',
    ]);
    expect(
      store.relations().map((r) => r.endpoints.map((e) => `${e.application}:${e.name}:${e.role}`)),
    ).toEqual([['etcd:cluster:peer'], ['easyrsa:client:provider', 'etcd:certificates:requirer']]);
    expect(plan(bundle, store.snapshot())).toEqual([]);
  });

  it('applies kubernetes-core, with the subordinate deployed and unplaced', async () => {
    const { store, bundle, deps } = setup('bundles/kubernetes-core.yaml');
    await applyChanges(plan(bundle, store.snapshot()), deps);
    expect(store.application('flannel')).toMatchObject({ subordinate: true });
    expect(store.units('flannel')).toEqual([]);
    expect(store.application('kubernetes-master')).toMatchObject({
      exposed: true,
      config: { channel: '1.21/stable' },
    });
    expect(store.relations()).toHaveLength(9 + 2); // nine in the bundle, two peer relations
    expect(plan(bundle, store.snapshot())).toEqual([]);
  });

  it('refuses a plan made against an older model', async () => {
    const { store, bundle, deps } = setup('bundles/etcd.yaml');
    const changes = plan(bundle, store.snapshot());
    store.reserveMachineId(); // someone added a machine meanwhile
    await expect(applyChanges(changes, deps)).rejects.toThrow(
      /the model changed since this plan was made \(addUnit-\d+: machine 0 is not the next id \(1\)\); run the command again/,
    );
  });
});
