import { describe, expect, it } from 'vitest';
import {
  type Directive,
  parseDirective,
  type PlacementInput,
  resolvePlacements,
} from '../../../core/bundle/placement.js';

const d = (text: string): Directive => {
  const parsed = parseDirective(text);
  if ('error' in parsed) throw new Error(parsed.error);
  return parsed;
};
const app = (
  name: string,
  numUnits: number,
  to: string[] = [],
  subordinate = false,
): PlacementInput => ({
  name,
  numUnits,
  subordinate,
  directives: to.map((text, index) => ({ index, directive: d(text) })),
  written: to.length,
});

describe('placement directives', () => {
  it.each([
    ['new', { kind: 'new' }, undefined],
    ['3', { kind: 'machine', machine: '3' }, undefined],
    ['lxd:0', { kind: 'machine', machine: '0' }, 'lxd'],
    ['etcd', { kind: 'application', application: 'etcd' }, undefined],
    ['etcd/2', { kind: 'application', application: 'etcd', unit: 2 }, undefined],
    ['lxd:etcd/0', { kind: 'application', application: 'etcd', unit: 0 }, 'lxd'],
  ])('parses %s', (text, target, container) => {
    expect(parseDirective(text)).toEqual(
      container ? { text, container, target } : { text, target },
    );
  });
  it.each([
    ['docker:0', 'unknown container type "docker" in "docker:0"; use lxd or kvm'],
    ['01', 'invalid machine id "01" in "01": no leading zeros'],
    [
      'lxd:',
      'invalid placement "lxd:": expected new, a machine id, app or app/N, optionally after lxd:',
    ],
    [
      'etcd/x',
      'invalid placement "etcd/x": expected new, a machine id, app or app/N, optionally after lxd:',
    ],
  ])('rejects %s', (text, error) => {
    expect(parseDirective(text)).toEqual({ error });
  });
});

describe('unit placements', () => {
  it('gives each unit its directive, then new machines', () => {
    const r = resolvePlacements([app('a', 3, ['0', 'lxd:1'])], new Set(['0', '1']), false);
    expect(r.placements.get('a')).toEqual([
      { target: { kind: 'machine', machine: '0' }, directive: '0' },
      { target: { kind: 'machine', machine: '1' }, directive: 'lxd:1', container: 'lxd' },
      { target: { kind: 'new' } },
    ]);
    expect(r.problems).toEqual([
      {
        application: 'a',
        index: 1,
        severity: 'warning',
        message:
          'placement "lxd:1": this provider has no lxd containers; the unit goes on machine 1 itself',
      },
    ]);
  });

  it('repeats a trailing application directive unit by unit, as Juju does', () => {
    const r = resolvePlacements([app('a', 2, ['b']), app('b', 2)], new Set(), true);
    expect(r.placements.get('a')?.map((p) => p.target)).toEqual([
      { kind: 'unit', application: 'b', index: 0 },
      { kind: 'unit', application: 'b', index: 1 },
    ]);
    expect(r.problems).toEqual([]);
  });

  it('finds every problem', () => {
    const r = resolvePlacements(
      [
        app('a', 1, ['b/3', '5']),
        app('b', 2, ['c']),
        app('c', 1, ['b/0']),
        app('s', 0, [], true),
        app('t', 1, ['s']),
      ],
      new Set(),
      true,
    );
    expect(
      r.problems.map(
        (p) => `${p.application}${p.index === undefined ? '' : `[${p.index}]`}: ${p.message}`,
      ),
    ).toEqual([
      'a: 2 placement directives for 1 unit(s); remove 1',
      'a[0]: placement "b/3" refers to unit 3, but b has 2 unit(s)',
      'a[1]: placement "5" refers to machine 5, which is not declared under machines',
      'b[0]: placement "c" puts b unit 1 beside c/1, but c has 1 unit(s)',
      't[0]: placement "s" refers to subordinate application s, which has no units of its own',
      'b: placement cycle: b → c → b',
    ]);
  });
});
