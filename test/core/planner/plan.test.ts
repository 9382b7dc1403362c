// plan(): exact change lists, ids and requirements for hand-built bundles against empty and
// partly deployed models (DESIGN §8).
import { describe, expect, it } from 'vitest';
import { EMPTY_MODEL } from '../../../core/model/types.js';
import {
  applyPlan,
  type ChangeData,
  reviveChange,
  plan,
  PlanInputError,
} from '../../../core/planner/index.js';
import {
  app,
  bundle,
  graph,
  kubernetesCore,
  lines,
  model,
  rel,
  reversedKeys,
  shapeProblems,
} from './helpers.js';

const K8S_CORE_RELATIONS = [
  'add relation kubernetes-master:kube-api-endpoint - kubernetes-worker:kube-api-endpoint',
  'add relation kubernetes-master:kube-control - kubernetes-worker:kube-control',
  'add relation kubernetes-master:certificates - easyrsa:client',
  'add relation kubernetes-master:etcd - etcd:db',
  'add relation kubernetes-worker:certificates - easyrsa:client',
  'add relation etcd:certificates - easyrsa:client',
  'add relation flannel:etcd - etcd:db',
  'add relation flannel:cni - kubernetes-master:cni',
  'add relation flannel:cni - kubernetes-worker:cni',
];

describe('plan: kubernetes-core on an empty model', () => {
  const changes = plan(kubernetesCore(), EMPTY_MODEL);

  it('describes every change as Juju does', () => {
    expect(lines(changes)).toEqual([
      'deploy application easyrsa using charm easyrsa',
      'deploy application etcd using charm etcd',
      'deploy application flannel using charm flannel',
      'deploy application kubernetes-master using charm kubernetes-master',
      'expose application kubernetes-master',
      'deploy application kubernetes-worker using charm kubernetes-worker',
      'expose application kubernetes-worker',
      'add new machine 0',
      'add new machine 1',
      ...K8S_CORE_RELATIONS,
      'add unit easyrsa/0 to new machine 0 to satisfy [lxd:0]',
      'add unit etcd/0 to new machine 0',
      'add unit kubernetes-master/0 to new machine 0',
      'add unit kubernetes-worker/0 to new machine 1',
    ]);
  });

  it('numbers ids in creation order and requires deploys and machines', () => {
    expect(graph(changes)).toEqual([
      'deploy-0 <-',
      'deploy-1 <-',
      'deploy-2 <-',
      'deploy-3 <-',
      'expose-4 <- deploy-3',
      'deploy-5 <-',
      'expose-6 <- deploy-5',
      'addMachine-7 <-',
      'addMachine-8 <-',
      'addRelation-9 <- deploy-3 deploy-5',
      'addRelation-10 <- deploy-3 deploy-5',
      'addRelation-11 <- deploy-3 deploy-0',
      'addRelation-12 <- deploy-3 deploy-1',
      'addRelation-13 <- deploy-5 deploy-0',
      'addRelation-14 <- deploy-1 deploy-0',
      'addRelation-15 <- deploy-2 deploy-1',
      'addRelation-16 <- deploy-2 deploy-3',
      'addRelation-17 <- deploy-2 deploy-5',
      'addUnit-18 <- deploy-0 addMachine-7',
      'addUnit-19 <- deploy-1 addMachine-7',
      'addUnit-20 <- deploy-3 addMachine-7',
      'addUnit-21 <- deploy-5 addMachine-8',
    ]);
    expect(shapeProblems(changes)).toEqual([]);
  });

  it('carries typed args: options, constraints, machines, containers', () => {
    const byId = new Map(changes.map((c) => [c.id, c]));
    expect(byId.get('deploy-3')?.args).toEqual({
      application: 'kubernetes-master',
      charm: 'kubernetes-master',
      options: { channel: '1.21/stable' },
      constraints: '',
    });
    expect(byId.get('addMachine-8')?.args).toEqual({
      machine: '1',
      bundleMachine: '1',
      constraints: 'cores=4 mem=4G root-disk=16G',
    });
    expect(byId.get('addUnit-18')?.args).toEqual({
      application: 'easyrsa',
      unit: 'easyrsa/0',
      machine: '0',
      newMachine: false,
      existingMachine: false,
      container: 'lxd',
      directive: 'lxd:0',
    });
  });

  it('serialises to plain data that revives with the same description', () => {
    const json = JSON.stringify(changes);
    expect(json).not.toContain('describe');
    const revived = (JSON.parse(json) as ChangeData[]).map((d) => reviveChange(d));
    expect(lines(revived)).toEqual(lines(changes));
    expect(JSON.parse(JSON.stringify(changes[0]))).toEqual({
      id: 'deploy-0',
      kind: 'deploy',
      requires: [],
      args: { application: 'easyrsa', charm: 'easyrsa', options: {}, constraints: '' },
    });
  });

  it('plans nothing once applied', () => {
    expect(plan(kubernetesCore(), applyPlan(EMPTY_MODEL, changes))).toEqual([]);
  });
});

describe('plan: subordinates, determinism and bad input', () => {
  it('gives subordinates no units', () => {
    const b = bundle([app('flannel', { subordinate: true }), app('etcd')], {}, [
      rel('flannel:etcd', 'etcd:db'),
    ]);
    expect(lines(plan(b, EMPTY_MODEL))).toEqual([
      'deploy application etcd using charm etcd',
      'deploy application flannel using charm flannel',
      'add relation flannel:etcd - etcd:db',
      'add unit etcd/0 to new machine 0',
    ]);
  });

  it('gives the same plan whatever the key order of its inputs', () => {
    const b = kubernetesCore();
    b.applications = b.applications.map((a) => ({
      ...a,
      options: { a: 1, b: 2, c: 3, ...a.options },
    }));
    const m = model({
      applications: { etcd: { config: { x: 1 } }, easyrsa: { charm: 'old' } },
      units: { 'etcd/0': '3', 'easyrsa/0': '3', 'easyrsa/1': '2' },
      machines: ['2', '3'],
    });
    const once = JSON.stringify(plan(b, m));
    expect(JSON.stringify(plan(reversedKeys(b), reversedKeys(m)))).toBe(once);
    expect(JSON.stringify(plan(b, m))).toBe(once);
  });

  it('refuses placements the validator should have refused', () => {
    const undeclared = bundle([app('a', { to: ['3'] })]);
    expect(() => plan(undeclared, EMPTY_MODEL)).toThrow(PlanInputError);
    const outOfRange = bundle([app('a', { to: ['b/2'] }), app('b')]);
    expect(() => plan(outOfRange, EMPTY_MODEL)).toThrow(/no unit 2 of b/);
    const short = bundle([{ ...app('a', { units: 2 }), placements: [] }]);
    expect(() => plan(short, EMPTY_MODEL)).toThrow(/unit 0 has no placement/);
    const cycle = bundle([app('a', { to: ['b/0'] }), app('b', { to: ['a/0'] })]);
    expect(() => plan(cycle, EMPTY_MODEL)).toThrow(/addUnit-2: placement cycle/);
  });
});
