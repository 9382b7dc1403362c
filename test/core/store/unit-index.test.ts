import { describe, expect, it } from 'vitest';
import type { UnitIndexEntry } from '../../../core/store/types.js';
import { unitsOnMachine } from '../../../core/store/unit-index.js';

const entry = (name: string, machine: string, principal?: string): UnitIndexEntry => ({
  name,
  application: name.split('/')[0] ?? '',
  machine,
  life: 'alive',
  ...(principal === undefined ? {} : { principal }),
});

describe('unitsOnMachine', () => {
  it("lists a machine's principals and subordinates in the index's order", () => {
    const index = Object.freeze([
      entry('etcd/0', '0'),
      entry('etcd/1', '1'),
      entry('flannel/0', '1', 'etcd/1'),
      entry('web/0', '0'),
    ]);
    expect(unitsOnMachine(index, '1').map((u) => u.name)).toEqual(['etcd/1', 'flannel/0']);
    expect(unitsOnMachine(index, '0').map((u) => u.name)).toEqual(['etcd/0', 'web/0']);
    expect(unitsOnMachine(index, '7')).toEqual([]);
  });

  it('answers from the index it is given: a new index (units changed) is grouped again', () => {
    const before = Object.freeze([entry('etcd/0', '0')]);
    expect(unitsOnMachine(before, '0')).toHaveLength(1);
    const after = Object.freeze([entry('etcd/0', '0'), entry('etcd/1', '0')]);
    expect(unitsOnMachine(after, '0')).toHaveLength(2);
    const unfrozen = [entry('etcd/0', '0')];
    expect(unitsOnMachine(unfrozen, '0')).toHaveLength(1);
    unfrozen.push(entry('etcd/2', '0'));
    expect(unitsOnMachine(unfrozen, '0')).toHaveLength(2);
  });
});
