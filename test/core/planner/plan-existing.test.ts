// plan() against a partly deployed model: only what is missing or different — units, options,
// constraints, charm, exposure, relations — and never a removal (DESIGN §8).
import { describe, expect, it } from 'vitest';
import { EMPTY_MODEL } from '../../../core/model/types.js';
import { applyPlan, plan } from '../../../core/planner/index.js';
import { app, bundle, graph, kubernetesCore, lines, model, rel } from './helpers.js';

describe('plan: a partly deployed model', () => {
  const deployed = applyPlan(EMPTY_MODEL, plan(kubernetesCore(), EMPTY_MODEL));

  it('adds wanted units, changed options and missing relations only', () => {
    const wanted = kubernetesCore();
    wanted.applications = wanted.applications.map((a) =>
      a.name === 'etcd'
        ? app('etcd', { units: 3, to: ['0'] })
        : a.name === 'kubernetes-master'
          ? { ...a, options: { channel: '1.22/stable' } }
          : a,
    );
    const current = {
      ...deployed,
      relations: deployed.relations.filter(
        (r) => !r.endpoints.some((e) => e.application === 'flannel' && e.name === 'etcd'),
      ),
    };
    const changes = plan(wanted, current);
    expect(lines(changes)).toEqual([
      'set application options for kubernetes-master',
      'add relation flannel:etcd - etcd:db',
      'add unit etcd/1 to new machine 2',
      'add unit etcd/2 to new machine 3',
    ]);
    expect(graph(changes)).toEqual([
      'setConfig-0 <-',
      'addRelation-1 <-',
      'addUnit-2 <-',
      'addUnit-3 <-',
    ]);
    expect(changes[0]?.args).toEqual({
      application: 'kubernetes-master',
      options: { channel: '1.22/stable' },
    });
    expect(plan(wanted, applyPlan(current, changes))).toEqual([]);
  });

  it('sets only the options that differ', () => {
    const b = bundle([app('a', { units: 0, options: { x: 1, y: 'same', z: true } })]);
    const m = model({ applications: { a: { config: { x: '1', y: 'same', w: 3 } } } });
    const [change, ...rest] = plan(b, m);
    expect(rest).toEqual([]);
    expect(change?.args).toEqual({ application: 'a', options: { x: 1, z: true } });
  });

  it('refreshes, sets constraints and exposes an existing application', () => {
    const b = bundle([
      app('etcd', {
        charm: 'etcd2',
        units: 0,
        options: { port: 2380 },
        constraints: 'mem=4G',
        expose: true,
      }),
    ]);
    const m = model({ applications: { etcd: { constraints: 'mem=2G', config: { port: 2379 } } } });
    const changes = plan(b, m);
    expect(lines(changes)).toEqual([
      'upgrade etcd to use charm etcd2',
      'set application options for etcd',
      'set constraints for etcd to "mem=4G"',
      'expose application etcd',
    ]);
    expect(graph(changes)).toEqual([
      'refresh-0 <-',
      'setConfig-1 <- refresh-0',
      'setConstraints-2 <-',
      'expose-3 <-',
    ]);
  });

  it('leaves constraints alone when the bundle sets none, and an exposed app exposed', () => {
    const b = bundle([app('a', { units: 0, expose: true })]);
    const m = model({ applications: { a: { constraints: 'mem=2G', exposed: true } } });
    expect(plan(b, m)).toEqual([]);
  });

  it('continues unit numbers from nextUnitNumber and never removes units', () => {
    const m = model({
      applications: { etcd: { nextUnitNumber: 7 }, easyrsa: {} },
      units: { 'etcd/0': '0', 'etcd/3': '1', 'easyrsa/0': '0', 'easyrsa/1': '1', 'easyrsa/2': '2' },
      machines: ['0', '1', '2'],
    });
    const b = bundle([app('easyrsa', { units: 1 }), app('etcd', { units: 4 })]);
    expect(lines(plan(b, m))).toEqual([
      'add unit etcd/7 to new machine 3',
      'add unit etcd/8 to new machine 4',
    ]);
  });

  it('relates a new application to an existing one, requiring only the new deploy', () => {
    const b = bundle([app('easyrsa'), app('etcd', { units: 0 })], {}, [
      rel('etcd:certificates', 'easyrsa:client'),
    ]);
    const m = model({ applications: { etcd: {} } });
    expect(graph(plan(b, m))).toEqual([
      'deploy-0 <-',
      'addRelation-1 <- deploy-0',
      'addUnit-2 <- deploy-0',
    ]);
  });

  it('knows a relation whose endpoints the model lists the other way round', () => {
    const b = bundle([app('a', { units: 0 }), app('b', { units: 0 })], {}, [rel('a:x', 'b:y')]);
    const m = model({ applications: { a: {}, b: {} }, relations: [['b:y', 'a:x']] });
    expect(plan(b, m)).toEqual([]);
  });

  it("places on the model's own machine N with existingMachines (deploy CHARM --to N)", () => {
    const b = bundle([app('etcd', { units: 3, to: ['1', 'lxd:4'] })], { '1': '', '4': '' });
    const m = model({ machines: ['0', '1', '4'] });
    expect(lines(plan(b, m, { existingMachines: true }))).toEqual([
      'deploy application etcd using charm etcd',
      'add unit etcd/0 to existing machine 1',
      'add unit etcd/1 to existing machine 4 to satisfy [lxd:4]',
      'add unit etcd/2 to new machine 5',
    ]);
    // Without it, bundle machines are the bundle's own: new ones are made for them.
    expect(lines(plan(b, m)).filter((l) => l.startsWith('add new machine'))).toHaveLength(2);
  });
});
