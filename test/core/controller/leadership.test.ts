// Leader leases (DESIGN §6) against a real store: a leader keeps its lease while its machine
// answers, keeps it for the rest of the lease when dying or unreachable, and hands over at once
// when it has left the model.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureLeaders, LEADER_LEASE_MS } from '../../../core/controller/leadership.js';
import { SqliteStore } from '../../../core/store/sqlite-store.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function model(units: number) {
  const dir = mkdtempSync(join(tmpdir(), 'rune-lease-'));
  dirs.push(dir);
  const store = new SqliteStore(join(dir, 'store.db'));
  store.addApplication({
    name: 'db',
    charm: 'db',
    charmDir: dir,
    subordinate: false,
    config: {},
    constraints: '',
  });
  for (let n = 0; n < units; n++) store.addUnit({ name: `db/${n}`, machine: String(n) });
  return store;
}

const T0 = 1_000_000;

describe('leader leases', () => {
  it('elects the lowest-numbered unit once, then only renews', () => {
    const store = model(3);
    expect(ensureLeaders(store, { now: T0 })).toEqual(['db/0']);
    expect(store.leaseExpires('db')).toBe(T0 + LEADER_LEASE_MS);
    expect(ensureLeaders(store, { now: T0 + 20_000 })).toEqual([]);
    expect(store.leader('db')).toBe('db/0');
    expect(store.leaseExpires('db')).toBe(T0 + 20_000 + LEADER_LEASE_MS);
  });

  it('keeps a dying leader leading until its lease lapses', () => {
    const store = model(2);
    ensureLeaders(store, { now: T0 });
    store.setUnitLife('db/0', 'dying');
    expect(ensureLeaders(store, { now: T0 + LEADER_LEASE_MS - 1 })).toEqual([]);
    expect(store.leader('db')).toBe('db/0');
    expect(ensureLeaders(store, { now: T0 + LEADER_LEASE_MS })).toEqual(['db/1']);
  });

  it('hands over at once when the leader has left the model', () => {
    const store = model(2);
    ensureLeaders(store, { now: T0 });
    store.removeUnit('db/0');
    expect(ensureLeaders(store, { now: T0 + 1 })).toEqual(['db/1']);
  });

  it('moves a lapsed lease from an unreachable machine to a unit whose machine answers', () => {
    const store = model(3);
    ensureLeaders(store, { now: T0 });
    const down = new Set(['0', '1']);
    const canLead = (u: { machine: string }) => !down.has(u.machine);
    expect(ensureLeaders(store, { now: T0 + 10_000, canLead })).toEqual([]);
    expect(ensureLeaders(store, { now: T0 + LEADER_LEASE_MS, canLead })).toEqual(['db/2']);
    // Back again: db/0 does not take it back; leadership only moves when it must.
    down.clear();
    expect(ensureLeaders(store, { now: T0 + 100_000, canLead })).toEqual([]);
    expect(store.leader('db')).toBe('db/2');
  });

  it('counts leader-settings versions only for real changes', () => {
    const store = model(1);
    expect(store.writeLeaderSettings('db', { ca: 'PEM' })).toBe(true);
    expect(store.writeLeaderSettings('db', { ca: 'PEM' })).toBe(false);
    expect(store.writeLeaderSettings('db', { gone: null })).toBe(false);
    expect(store.leaderSettingsVersion('db')).toBe(1);
    expect(store.writeLeaderSettings('db', { ca: '' })).toBe(true);
    expect(store.leaderSettings('db')).toEqual({});
    expect(store.leaderSettingsVersion('db')).toBe(2);
  });
});
