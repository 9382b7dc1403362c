// plan(): where units land — bundle machines mapped or added, new machines, units beside
// units — and the order that follows (DESIGN §8).
import { describe, expect, it } from 'vitest';
import { EMPTY_MODEL } from '../../../core/model/types.js';
import { plan } from '../../../core/planner/index.js';
import { app, bundle, graph, kubernetesCore, lines, model, shapeProblems } from './helpers.js';

describe('plan: machines', () => {
  it('gives bundle machines the next model ids and says which bundle machine they were', () => {
    const existing = model({ machines: ['0', '1', '2', '3', '4'] });
    const changes = plan(kubernetesCore(), existing);
    expect(lines(changes).filter((l) => !l.startsWith('add relation'))).toEqual([
      'deploy application easyrsa using charm easyrsa',
      'deploy application etcd using charm etcd',
      'deploy application flannel using charm flannel',
      'deploy application kubernetes-master using charm kubernetes-master',
      'expose application kubernetes-master',
      'deploy application kubernetes-worker using charm kubernetes-worker',
      'expose application kubernetes-worker',
      'add new machine 5 (bundle machine 0)',
      'add new machine 6 (bundle machine 1)',
      'add unit easyrsa/0 to new machine 5 to satisfy [lxd:0]',
      'add unit etcd/0 to new machine 5 to satisfy [0]',
      'add unit kubernetes-master/0 to new machine 5 to satisfy [0]',
      'add unit kubernetes-worker/0 to new machine 6 to satisfy [1]',
    ]);
  });

  it('allocates new-machine ids in creation order, after declared machines', () => {
    const b = bundle([app('a', { units: 2 }), app('b', { to: ['0'] })], { '0': '' });
    expect(lines(plan(b, model({ nextMachineId: 3 })))).toEqual([
      'deploy application a using charm a',
      'deploy application b using charm b',
      'add new machine 3 (bundle machine 0)',
      'add unit a/0 to new machine 4',
      'add unit a/1 to new machine 5',
      'add unit b/0 to new machine 3 to satisfy [0]',
    ]);
  });

  it('maps a bundle machine to the machine an existing unit placed there stands on', () => {
    const b = bundle([app('etcd', { units: 3, to: ['0', '0', '1'] })], { '0': '', '1': '' });
    const m = model({
      applications: { etcd: {} },
      units: { 'etcd/0': '7' },
      machines: ['7'],
    });
    const changes = plan(b, m);
    expect(lines(changes)).toEqual([
      'add new machine 8 (bundle machine 1)',
      'add unit etcd/1 to existing machine 7 to satisfy [0]',
      'add unit etcd/2 to new machine 8 to satisfy [1]',
    ]);
    expect(graph(changes)).toEqual([
      'addMachine-0 <-',
      'addUnit-1 <-',
      'addUnit-2 <- addMachine-0',
    ]);
  });

  it('lets the first mapping win and ignores units placed beside others', () => {
    const b = bundle(
      [app('a', { to: ['0'] }), app('b', { units: 2, to: ['0', '0'] }), app('c', { to: ['b/0'] })],
      { '0': '' },
    );
    const m = model({
      applications: { a: {}, b: {}, c: {} },
      units: { 'a/0': '1', 'b/0': '2', 'c/0': '3' },
      machines: ['1', '2', '3'],
    });
    expect(lines(plan(b, m))).toEqual(['add unit b/1 to existing machine 1 to satisfy [0]']);
  });

  it('adds no declared machine that no new unit needs', () => {
    const b = bundle([app('a', { to: ['1'] })], { '0': 'mem=1G', '1': '', '2': '' });
    expect(lines(plan(b, EMPTY_MODEL))).toEqual([
      'deploy application a using charm a',
      'add new machine 0 (bundle machine 1)',
      'add unit a/0 to new machine 0 to satisfy [1]',
    ]);
  });

  it('gives a unit on a new machine the application constraints', () => {
    const b = bundle([app('a', { constraints: 'mem=4G', to: ['new'] })]);
    const [, unit] = plan(b, EMPTY_MODEL);
    expect(unit?.describe()).toBe('add unit a/0 to new machine 0');
    expect(unit?.args).toEqual({
      application: 'a',
      unit: 'a/0',
      machine: '0',
      newMachine: true,
      existingMachine: false,
      constraints: 'mem=4G',
      directive: 'new',
    });
  });

  it('names a container directive on a new machine', () => {
    const b = bundle([app('a', { to: ['lxd:new'] })]);
    expect(lines(plan(b, EMPTY_MODEL))[1]).toBe(
      'add unit a/0 to new machine 0 to satisfy [lxd:new]',
    );
  });
});

describe('plan: units beside other units', () => {
  it('orders a unit after the unit of a later application it joins', () => {
    const b = bundle([app('aaa', { to: ['zzz/0'] }), app('zzz', { to: ['new'] })]);
    const changes = plan(b, EMPTY_MODEL);
    expect(graph(changes)).toEqual([
      'deploy-0 <-',
      'deploy-1 <-',
      'addUnit-3 <- deploy-1',
      'addUnit-2 <- deploy-0 addUnit-3',
    ]);
    expect(lines(changes).slice(2)).toEqual([
      'add unit zzz/0 to new machine 0',
      'add unit aaa/0 to new machine 0 to satisfy [zzz/0]',
    ]);
    expect(shapeProblems(changes)).toEqual([]);
  });

  it('follows chains to an existing unit and says "existing machine"', () => {
    const b = bundle([
      app('a', { to: ['b/1'] }),
      app('b', { units: 2, to: ['c/0', 'c/0'] }),
      app('c', { to: ['new'] }),
    ]);
    const m = model({
      applications: { b: {}, c: {} },
      units: { 'b/0': '4', 'c/0': '4' },
      machines: ['4'],
    });
    const changes = plan(b, m);
    expect(lines(changes)).toEqual([
      'deploy application a using charm a',
      'add unit b/1 to existing machine 4 to satisfy [c/0]',
      'add unit a/0 to existing machine 4 to satisfy [b/1]',
    ]);
    expect(graph(changes)).toEqual([
      'deploy-0 <-',
      'addUnit-2 <-',
      'addUnit-1 <- deploy-0 addUnit-2',
    ]);
  });

  it('joins the j-th existing unit by number, not by name order', () => {
    const b = bundle([app('a', { to: ['b/1'] }), app('b', { units: 2 })]);
    const m = model({
      applications: { b: {} },
      units: { 'b/10': '2', 'b/9': '1' },
      machines: ['1', '2'],
    });
    expect(lines(plan(b, m))).toEqual([
      'deploy application a using charm a',
      'add unit a/0 to existing machine 2 to satisfy [b/1]',
    ]);
  });
});
