// applyPlan(): the model after a plan, without touching its input, and loud on changes that do
// not fit the model.
import { describe, expect, it } from 'vitest';
import { EMPTY_MODEL, type ModelSnapshot } from '../../../core/model/types.js';
import {
  applyPlan,
  type ChangeData,
  reviveChange,
  plan,
  PlanConsistencyError,
} from '../../../core/planner/index.js';
import { app, bundle, kubernetesCore, model } from './helpers.js';

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

describe('applyPlan', () => {
  it('builds kubernetes-core from nothing', () => {
    const after = applyPlan(EMPTY_MODEL, plan(kubernetesCore(), EMPTY_MODEL));
    expect(after.units).toEqual({
      'easyrsa/0': { name: 'easyrsa/0', application: 'easyrsa', machine: '0' },
      'etcd/0': { name: 'etcd/0', application: 'etcd', machine: '0' },
      'kubernetes-master/0': {
        name: 'kubernetes-master/0',
        application: 'kubernetes-master',
        machine: '0',
      },
      'kubernetes-worker/0': {
        name: 'kubernetes-worker/0',
        application: 'kubernetes-worker',
        machine: '1',
      },
    });
    expect(after.machines).toEqual({ '0': { id: '0' }, '1': { id: '1' } });
    expect(after.nextMachineId).toBe(2);
    expect(after.relations).toHaveLength(9);
    expect(after.applications['kubernetes-master']).toEqual({
      name: 'kubernetes-master',
      charm: 'kubernetes-master',
      config: { channel: '1.21/stable' },
      constraints: '',
      exposed: true,
      nextUnitNumber: 1,
    });
    expect(after.applications['flannel']?.nextUnitNumber).toBe(0);
  });

  it('never mutates the model it is given', () => {
    const before = model({
      applications: { etcd: { charm: 'old', config: { a: 1 } } },
      units: { 'etcd/0': '0' },
      machines: ['0'],
      relations: [['etcd:cluster', 'etcd:cluster']],
    });
    const copy = structuredClone(before);
    const b = bundle([
      app('etcd', { units: 3, options: { a: 2 }, constraints: 'mem=1G', expose: true }),
      app('easyrsa'),
    ]);
    const after = applyPlan(deepFreeze(before), plan(b, before));
    expect(before).toEqual(copy);
    expect(Object.keys(after.units)).toEqual(['etcd/0', 'easyrsa/0', 'etcd/1', 'etcd/2']);
    expect(after.applications['etcd']).toMatchObject({
      charm: 'etcd',
      config: { a: 2 },
      constraints: 'mem=1G',
      exposed: true,
      nextUnitNumber: 3,
    });
  });

  it('accepts requirements applied before the list, as a resumed journal has', () => {
    const changes = plan(bundle([app('a')]), EMPTY_MODEL);
    const [deploy, unit] = changes;
    if (!deploy || !unit) throw new Error('expected two changes');
    const half = applyPlan(EMPTY_MODEL, [deploy]);
    expect(Object.keys(applyPlan(half, [unit]).units)).toEqual(['a/0']);
  });

  const fails: [string, ModelSnapshot, ChangeData[], RegExp][] = [
    [
      'a change before one it requires',
      EMPTY_MODEL,
      plan(bundle([app('a')]), EMPTY_MODEL).reverse(),
      /addUnit-1: comes before deploy-0/,
    ],
    [
      'deploying an application twice',
      model({ applications: { a: {} } }),
      [
        {
          id: 'deploy-0',
          kind: 'deploy',
          requires: [],
          args: { application: 'a', charm: 'a', options: {}, constraints: '' },
        },
      ],
      /application a exists/,
    ],
    [
      'a unit on a machine that does not exist',
      model({ applications: { a: {} } }),
      [
        {
          id: 'addUnit-0',
          kind: 'addUnit',
          requires: [],
          args: {
            application: 'a',
            unit: 'a/0',
            machine: '3',
            newMachine: false,
            existingMachine: true,
          },
        },
      ],
      /no machine 3/,
    ],
    [
      'a unit that exists',
      model({ applications: { a: {} }, units: { 'a/0': '0' }, machines: ['0'] }),
      [
        {
          id: 'addUnit-0',
          kind: 'addUnit',
          requires: [],
          args: {
            application: 'a',
            unit: 'a/0',
            machine: '0',
            newMachine: false,
            existingMachine: true,
          },
        },
      ],
      /a\/0 exists/,
    ],
    [
      'a relation to an unknown application',
      EMPTY_MODEL,
      [
        {
          id: 'addRelation-0',
          kind: 'addRelation',
          requires: [],
          args: {
            endpoints: [
              { application: 'a', name: 'x' },
              { application: 'b', name: 'y' },
            ],
          },
        },
      ],
      /no application a/,
    ],
  ];
  it.each(fails)('refuses %s', (_, before, changes, message) => {
    expect(() =>
      applyPlan(
        before,
        changes.map((c) => reviveChange(c)),
      ),
    ).toThrow(PlanConsistencyError);
    expect(() => applyPlan(before, changes)).toThrow(message);
  });
});
