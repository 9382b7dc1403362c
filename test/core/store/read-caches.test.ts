// The store's in-memory databags (core/store/bag-cache.ts) and relations never drift from the
// database: after writes, unit/relation/application removals and rolled-back transactions (nested
// ones too), what the store reads equals what a second store opened on the same file reads; and
// what it hands out cannot be edited behind its back.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Endpoint } from '../../../core/model/types.js';
import type { Store } from '../../../core/store/types.js';
import { addApplications } from './ca-store.js';
import { openStore } from './open-store.js';
import { FAKE_FACTS } from '../../fakes/fake-machine.js';
import { machineRecord } from '../../fakes/machine-record.js';

const dirs: string[] = [];
const open: Store[] = [];
afterEach(() => {
  open.splice(0).forEach((s) => s.close());
  dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
});

const peer = (application: string): Endpoint => ({
  application,
  name: 'cluster',
  role: 'peer',
  interface: 'peers',
  scope: 'global',
  optional: false,
});

function model(): { s: Store; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'rune-bags-'));
  dirs.push(dir);
  const file = join(dir, 'store.db');
  const s = openStore(file);
  open.push(s);
  addApplications(s, ['etcd', 'web']);
  for (const name of ['etcd', 'web']) {
    for (let n = 0; n < 3; n++) s.addUnit({ name: `${name}/${n}`, machine: '0' });
    s.addRelation([peer(name)]);
  }
  return { s, file };
}

/** Everything the store reads for these relations and owners: bags, versions, single bags. */
function reads(s: Store, relations: number[], owners: string[]) {
  return relations.map((id) => ({
    bags: s.databags(id),
    versions: s.databagVersions(id),
    // Key order too: a cached relation lists owners as the database query does.
    order: Object.keys(s.databags(id)),
    single: owners.map((o) => s.databag(id, o)),
  }));
}

/** The database itself, through a store that has cached nothing yet. */
function truth(file: string, relations: number[], owners: string[]) {
  const fresh = openStore(file);
  try {
    return reads(fresh, relations, owners);
  } finally {
    fresh.close();
  }
}

const OWNERS = ['etcd', 'etcd/0', 'etcd/1', 'etcd/2', 'web', 'web/0', 'web/1', 'web/2'];
const RELATIONS = [0, 1, 7];

function expectExact(s: Store, file: string): void {
  expect(reads(s, RELATIONS, OWNERS)).toEqual(truth(file, RELATIONS, OWNERS));
}

describe('Store databag cache', () => {
  it('shows every write through databags, databagVersions and databag', () => {
    const { s, file } = model();
    expect(s.databags(0)).toEqual({}); // cached empty, then written through
    s.writeDatabag(0, 'etcd/1', { host: 'b' });
    s.writeDatabag(0, 'etcd/0', { host: 'a', port: '1' });
    s.writeDatabag(0, 'etcd/0', { port: '' });
    s.writeDatabag(0, 'etcd', { leader: 'etcd/0' });
    expect(s.databags(0)).toEqual({
      etcd: { leader: 'etcd/0' },
      'etcd/0': { host: 'a' },
      'etcd/1': { host: 'b' },
    });
    expect(s.databagVersions(0)).toEqual({ etcd: 1, 'etcd/0': 2, 'etcd/1': 1 });
    expect(Object.keys(s.databags(0))).toEqual(['etcd', 'etcd/0', 'etcd/1']);
    expect(s.writeDatabag(0, 'etcd/0', { host: 'a' })).toBe(false);
    expect(s.databagVersions(0)['etcd/0']).toBe(2);
    // Deleting every key leaves an empty bag whose version still counts.
    s.writeDatabag(0, 'etcd/1', { host: '' });
    expect(s.databag(0, 'etcd/1')).toEqual({
      relationId: 0,
      owner: 'etcd/1',
      data: {},
      version: 2,
    });
    expectExact(s, file);
  });

  it('forgets the bags of a removed unit, application and relation', () => {
    const { s, file } = model();
    for (const o of ['etcd/0', 'etcd/1', 'etcd']) s.writeDatabag(0, o, { v: o });
    for (const o of ['web/0', 'web/1', 'web', 'etcd/1']) s.writeDatabag(1, o, { v: o });
    expectExact(s, file); // both relations are cached now
    s.removeUnit('etcd/1');
    expect(Object.keys(s.databagVersions(0))).toEqual(['etcd', 'etcd/0']);
    expect(Object.keys(s.databagVersions(1))).toEqual(['web', 'web/0', 'web/1']);
    expectExact(s, file);
    s.removeRelation(1);
    expect(s.databags(1)).toEqual({});
    for (const u of ['web/0', 'web/1', 'web/2']) s.removeUnit(u);
    s.writeDatabag(0, 'web', { v: 'web' });
    s.removeApplication('web');
    expect(Object.keys(s.databagVersions(0))).toEqual(['etcd', 'etcd/0']);
    // Refused by the units' foreign key after its bags were deleted: the rollback must undo both.
    expect(() => s.removeApplication('etcd')).toThrow();
    expect(s.databagVersions(0)).toEqual({ etcd: 1, 'etcd/0': 1 });
    expectExact(s, file);
  });

  it('is not left ahead of the database by a rolled-back transaction', () => {
    const { s, file } = model();
    s.writeDatabag(0, 'etcd/0', { host: 'a' });
    s.writeDatabag(1, 'web/0', { host: 'w' });
    expect(() =>
      s.transaction(() => {
        s.writeDatabag(0, 'etcd/0', { host: 'changed' });
        s.writeDatabag(0, 'etcd/2', { host: 'new' });
        s.removeUnit('web/0');
        s.removeRelation(1);
        // Seen inside the transaction, so it is in the cache when the rollback comes.
        expect(s.databags(0)['etcd/2']).toEqual({ host: 'new' });
        expect(s.databags(1)).toEqual({});
        throw new Error('hook failed');
      }),
    ).toThrow('hook failed');
    expect(s.databags(0)).toEqual({ 'etcd/0': { host: 'a' } });
    expect(s.databagVersions(1)).toEqual({ 'web/0': 1 });
    expectExact(s, file);
  });

  it('stays exact when a nested transaction fails and the outer one commits', () => {
    const { s, file } = model();
    s.writeDatabag(0, 'etcd/0', { host: 'a' });
    s.transaction(() => {
      s.writeDatabag(0, 'etcd/1', { host: 'kept' });
      expect(() =>
        s.transaction(() => {
          s.writeDatabag(0, 'etcd/0', { host: 'undone' });
          s.removeUnit('etcd/1');
          throw new Error('inner');
        }),
      ).toThrow('inner');
      // The savepoint is undone, the outer write is not: reads inside see exactly that.
      expect(s.databags(0)).toEqual({ 'etcd/0': { host: 'a' }, 'etcd/1': { host: 'kept' } });
      s.writeDatabag(0, 'etcd/2', { host: 'after' });
    });
    expect(s.databagVersions(0)).toEqual({ 'etcd/0': 1, 'etcd/1': 1, 'etcd/2': 1 });
    expectExact(s, file);
    expect(() =>
      s.transaction(() => {
        s.transaction(() => s.writeDatabag(0, 'etcd/0', { host: 'inner ok' }));
        throw new Error('outer');
      }),
    ).toThrow('outer');
    expect(s.databag(0, 'etcd/0').data).toEqual({ host: 'a' });
    expectExact(s, file);
  });

  it('agrees with the database after a long random run of writes, removals and rollbacks', () => {
    const { s, file } = model();
    let seed = 7;
    const rand = (n: number) => (seed = (seed * 48271) % 2147483647) % n;
    const pick = <T>(xs: readonly T[]): T => xs[rand(xs.length)] as T;
    const units = ['etcd/0', 'etcd/1', 'etcd/2'];
    for (let step = 0; step < 300; step++) {
      const op = rand(10);
      const write = () =>
        s.writeDatabag(pick([0, 1]), pick([...units, 'etcd', 'web/0']), {
          [pick(['a', 'b', 'c'])]: pick(['', '1', '2']),
        });
      if (op < 6) write();
      else if (op < 7) s.databags(pick(RELATIONS));
      else if (op < 8 && units.length > 0)
        s.removeUnit(units.splice(rand(units.length), 1)[0] ?? '');
      else {
        try {
          s.transaction(() => {
            write();
            s.databagVersions(pick([0, 1]));
            write();
            if (op === 9) throw new Error('rollback');
          });
        } catch {
          // rolled back on purpose
        }
      }
      if (step % 25 === 0) expectExact(s, file);
    }
    expectExact(s, file);
  });

  it('hands out bags that cannot be edited, and databag() copies that can', () => {
    const { s } = model();
    s.databags(0); // cached first, so the bag below is the one the write put in the cache
    s.writeDatabag(0, 'etcd/0', { host: 'a' });
    const bags = s.databags(0);
    const versions = s.databagVersions(0);
    expect(
      Object.isFrozen(bags) && Object.isFrozen(bags['etcd/0']) && Object.isFrozen(versions),
    ).toBe(true);
    expect(() => {
      (bags['etcd/0'] as Record<string, string>).host = 'mutated';
    }).toThrow(TypeError);
    expect(() => {
      bags['etcd/9'] = {};
    }).toThrow(TypeError);
    expect(() => {
      versions['etcd/0'] = 99;
    }).toThrow(TypeError);
    const single = s.databag(0, 'etcd/0');
    single.data.host = 'mine';
    expect(s.databag(0, 'etcd/0').data).toEqual({ host: 'a' });
    // A reader keeps the relation as it was when read; later writes make new objects.
    s.writeDatabag(0, 'etcd/0', { host: 'b' });
    expect(bags['etcd/0']).toEqual({ host: 'a' });
    expect(s.databags(0)['etcd/0']).toEqual({ host: 'b' });
  });
});

describe('Store relations cache', () => {
  const relationsIn = (file: string) => {
    const fresh = openStore(file);
    try {
      return fresh.relations();
    } finally {
      fresh.close();
    }
  };

  it('follows adds, life changes, removals and rollbacks, and cannot be edited', () => {
    const { s, file } = model();
    const lives = () => s.relations().map((r) => `${r.id}:${r.life}`);
    expect(lives()).toEqual(['0:alive', '1:alive']);
    s.addRelation([peer('etcd'), peer('web')]);
    expect(lives()).toEqual(['0:alive', '1:alive', '2:alive']);
    s.setRelationLife(0, 'dying');
    expect(lives()).toEqual(['0:dying', '1:alive', '2:alive']);
    s.removeRelation(0);
    expect(s.relations()).toEqual(relationsIn(file));
    expect(() =>
      s.transaction(() => {
        s.addRelation([peer('etcd')]);
        s.setRelationLife(1, 'dying');
        s.removeRelation(2);
        expect(lives()).toEqual(['1:dying', '3:alive']);
        throw new Error('rolled back');
      }),
    ).toThrow('rolled back');
    expect(lives()).toEqual(['1:alive', '2:alive']);
    expect(s.relations()).toEqual(relationsIn(file));
    const [first] = s.relations();
    expect(() => (s.relations() as unknown[]).push({})).toThrow(TypeError);
    expect(() => {
      if (first) first.life = 'dead';
    }).toThrow(TypeError);
    expect(() => first?.endpoints.pop()).toThrow(TypeError);
    expect(() => {
      if (first?.endpoints[0]) first.endpoints[0].name = 'x';
    }).toThrow(TypeError);
    expect(s.relations()).toEqual(relationsIn(file));
  });
});

describe('a bag version as a reader of some of its keys counts it', () => {
  // Keys `web_N.…` are addressed to web/N, as tls-certificates' are.
  const to = (key: string) => {
    const m = /^web_(\d+)\./.exec(key);
    return m === null ? undefined : `web/${m[1]}`;
  };

  it('moves for a change of a key the reader sees, not for one addressed to another unit', () => {
    const { s } = model();
    s.databags(0); // the relation in memory, as a unit agent's reads keep it
    s.writeDatabag(0, 'etcd/0', { shared: 'a', 'web_0.cert': 'x' });
    // Tracking starts at the version the bag had: nothing seen is hidden from a reader.
    expect(s.databagVisibleVersion(0, 'etcd/0', to, 'web/0')).toBe(1);
    s.writeDatabag(0, 'etcd/0', { shared: 'a', 'web_0.cert': 'x', 'web_1.cert': 'y' });
    expect(s.databagVersions(0)['etcd/0']).toBe(2);
    expect(s.databagVisibleVersion(0, 'etcd/0', to, 'web/0')).toBe(1);
    expect(s.databagVisibleVersion(0, 'etcd/0', to, 'web/1')).toBe(2);
    s.writeDatabag(0, 'etcd/0', { shared: 'b', 'web_0.cert': 'x', 'web_1.cert': 'y' });
    expect(s.databagVisibleVersion(0, 'etcd/0', to, 'web/0')).toBe(3);
    // A deleted key is a change too ('' deletes).
    s.writeDatabag(0, 'etcd/0', { 'web_0.cert': '' });
    expect(s.databagVisibleVersion(0, 'etcd/0', to, 'web/0')).toBe(4);
  });

  it('after a rolled-back transaction or a reopen, counts every key again from the bag version', () => {
    const { s, file } = model();
    s.databags(0);
    s.writeDatabag(0, 'etcd/0', { shared: 'a' });
    s.writeDatabag(0, 'etcd/0', { 'web_1.cert': 'y' });
    expect(s.databagVisibleVersion(0, 'etcd/0', to, 'web/0')).toBe(1);
    expect(() =>
      s.transaction(() => {
        s.writeDatabag(0, 'etcd/0', { 'web_1.cert': 'z' });
        throw new Error('rolled back');
      }),
    ).toThrow('rolled back');
    expect(s.databagVisibleVersion(0, 'etcd/0', to, 'web/0')).toBe(2);
    const again = openStore(file);
    open.push(again);
    expect(again.databagVisibleVersion(0, 'etcd/0', to, 'web/0')).toBe(2);
  });
});

describe('Store machine list', () => {
  it('follows adds, fact and life changes, removals and rollbacks, and cannot be edited', () => {
    const { s, file } = model();
    const fresh = () => {
      const other = openStore(file);
      try {
        return other.machines();
      } finally {
        other.close();
      }
    };
    s.addMachine(machineRecord('0'));
    const list = s.machines();
    expect(s.machines()).toBe(list);
    expect(() => (list as unknown as unknown[]).push({})).toThrow();
    expect(() => Object.assign(list[0] ?? {}, { address: 'x' })).toThrow();
    s.addMachine(machineRecord('1'));
    s.setMachineLife('0', 'dying');
    s.setMachineFacts('1', FAKE_FACTS);
    expect(s.machines()).toEqual(fresh());
    expect(s.machines().map((m) => [m.id, m.life])).toEqual([
      ['0', 'dying'],
      ['1', 'alive'],
    ]);
    expect(() =>
      s.transaction(() => {
        s.addMachine(machineRecord('2'));
        expect(s.machines()).toHaveLength(3);
        throw new Error('rolled back');
      }),
    ).toThrow('rolled back');
    expect(s.machines()).toEqual(fresh());
    s.removeMachine('0');
    expect(s.machines().map((m) => m.id)).toEqual(['1']);
    expect(s.machineIds()).toEqual(['1']);
  });
});
