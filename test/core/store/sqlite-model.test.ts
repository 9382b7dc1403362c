// The model's entities in the embedded store: unit numbers never reused, databag writes that
// change nothing wake nobody, `""` deletes, a failed transaction leaves nothing, and the snapshot
// the planner reads.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Endpoint } from '../../../core/model/types.js';
import type { Store } from '../../../core/store/types.js';
import { openStore } from './open-store.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function store(): Store {
  const dir = mkdtempSync(join(tmpdir(), 'rune-model-'));
  dirs.push(dir);
  const s = openStore(join(dir, 'store.db'), () => new Date('2026-01-01T00:00:00Z'));
  s.addApplication({
    name: 'etcd',
    charm: 'etcd',
    charmDir: '/c/etcd',
    subordinate: false,
    config: { port: 2379 },
    constraints: '',
  });
  return s;
}

const db: Endpoint = {
  application: 'etcd',
  name: 'db',
  role: 'provider',
  interface: 'etcd',
  scope: 'global',
  optional: false,
};
const client: Endpoint = {
  ...db,
  application: 'kubernetes-master',
  name: 'etcd',
  role: 'requirer',
};

describe('SqliteModel', () => {
  it('records units from the plan and never gives a number twice', () => {
    const s = store();
    expect(s.addUnit({ name: 'etcd/0', machine: '0' })).toMatchObject({
      name: 'etcd/0',
      machine: '0',
      life: 'alive',
      workloadStatus: { current: 'waiting', message: 'waiting for machine' },
      agentStatus: { current: 'allocating' },
    });
    s.addUnit({ name: 'etcd/2', machine: '1' });
    expect(s.application('etcd')?.nextUnitNumber).toBe(3);
    expect(() => s.addUnit({ name: 'etcd/1', machine: '1' })).toThrow(
      'unit etcd/1 was already used; the next unit number is 3',
    );
    expect(() => s.addUnit({ name: 'nope/0', machine: '1' })).toThrow(
      'application "nope" not found',
    );
    expect(s.units('etcd').map((u) => u.name)).toEqual(['etcd/0', 'etcd/2']);
  });

  it('merges config and remembers exposure', () => {
    const s = store();
    s.setConfig('etcd', { heartbeat_interval: 200 });
    s.expose('etcd');
    expect(s.application('etcd')).toMatchObject({
      config: { port: 2379, heartbeat_interval: 200 },
      exposed: true,
    });
  });

  it('bumps a databag version only when its data changes; "" deletes', () => {
    const s = store();
    const r = s.addRelation([db, client]);
    expect(
      s.writeDatabag(r.id, 'etcd/0', { connection_string: 'https://a:2379', version: '3.4' }),
    ).toBe(true);
    expect(s.writeDatabag(r.id, 'etcd/0', { connection_string: 'https://a:2379' })).toBe(false);
    expect(s.databag(r.id, 'etcd/0').version).toBe(1);
    expect(s.writeDatabag(r.id, 'etcd/0', { version: '' })).toBe(true);
    expect(s.databag(r.id, 'etcd/0')).toEqual({
      relationId: r.id,
      owner: 'etcd/0',
      data: { connection_string: 'https://a:2379' },
      version: 2,
    });
    expect(s.databag(r.id, 'etcd/9')).toMatchObject({ data: {}, version: 0 });
  });

  it('commits a transaction whole or not at all', () => {
    const s = store();
    const r = s.addRelation([db, client]);
    expect(() =>
      s.transaction(() => {
        s.writeDatabag(r.id, 'etcd/0', { a: '1' });
        s.addUnit({ name: 'etcd/0', machine: '0' });
        throw new Error('hook failed');
      }),
    ).toThrow('hook failed');
    expect(s.databag(r.id, 'etcd/0').version).toBe(0);
    expect(s.units()).toEqual([]);
  });

  it('gives relations ids that are never reused, and a snapshot of what is alive', () => {
    const s = store();
    expect(s.addRelation([db, client]).id).toBe(0);
    expect(s.addRelation([{ ...db, name: 'cluster', role: 'peer' }]).id).toBe(1);
    s.addUnit({ name: 'etcd/0', machine: '0' });
    const snap = s.snapshot();
    expect(Object.keys(snap.applications)).toEqual(['etcd']);
    expect(snap.units['etcd/0']).toMatchObject({ application: 'etcd', machine: '0' });
    expect(snap.relations.map((r) => r.endpoints.map((e) => `${e.application}:${e.name}`))).toEqual(
      [['etcd:db', 'kubernetes-master:etcd'], ['etcd:cluster']],
    );
    expect(snap.nextMachineId).toBe(0);
  });

  it('keeps the unit index true through adds, deaths, removals and a rolled-back transaction', () => {
    const s = store();
    const names = () => s.unitIndex().map((u) => `${u.name}:${u.life}`);
    s.addUnit({ name: 'etcd/0', machine: '0' });
    expect(names()).toEqual(['etcd/0:alive']);
    expect(() =>
      s.transaction(() => {
        s.addUnit({ name: 'etcd/1', machine: '1' });
        expect(names()).toEqual(['etcd/0:alive', 'etcd/1:alive']); // seen inside the transaction
        throw new Error('rolled back');
      }),
    ).toThrow('rolled back');
    expect(names()).toEqual(['etcd/0:alive']);
    s.setUnitLife('etcd/0', 'dying');
    expect(names()).toEqual(['etcd/0:dying']);
    s.removeUnit('etcd/0');
    expect(names()).toEqual([]);
    expect(() => (s.unitIndex() as { name: string }[]).push({ name: 'x' })).toThrow();
  });
});
