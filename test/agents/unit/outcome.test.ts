// What a hook's committed outcome says changed, and who is told: a CA handing one requester its
// certificate must wake that requester alone (with 1,000 workers, waking all of them on each
// signature made a deploy quadratic), a shared key everyone, and an unchanged write nobody.
import { describe, expect, it } from 'vitest';
import { writeOutcome } from '../../../agents/unit/outcome.js';
import type { UnitView } from '../../../agents/unit/snapshot.js';
import type { HookOutcome } from '../../../core/charm/context-types.js';
import { caStore } from '../../core/store/ca-store.js';

function caModel() {
  const { store, relation, client: mine, certificates: other } = caStore();
  const unit = store.addUnit({ name: 'easyrsa/0', machine: '0' });
  for (const n of [0, 1, 2]) store.addUnit({ name: `etcd/${n}`, machine: String(n + 1) });
  const views: UnitView[] = [
    { relation, mine, other, peer: false, units: ['etcd/0', 'etcd/1', 'etcd/2'] },
  ];
  /** Commits one hook of easyrsa/0 that wrote `writes` to its unit bag. */
  const commit = (writes: Record<string, string>) => {
    const outcome: HookOutcome = {
      hookName: 'client-relation-changed',
      relations: [{ relationId: relation.id, endpoint: 'client', unit: writes, app: {} }],
      state: { set: {}, deleted: [] },
      leaderSettings: {},
      logs: [],
    };
    return store.transaction(() =>
      writeOutcome(store, {
        snapshot: { unit, charmState: {}, views },
        outcome,
        agent: 'idle',
        at: '2026-01-01T00:00:00Z',
      }),
    ).relations;
  };
  return { store, relation, commit };
}

describe('writeOutcome: who sees what a hook wrote', () => {
  it('keys addressed to units are news to those units alone; a shared key to everyone', () => {
    const { store, relation, commit } = caModel();
    expect(commit({ 'etcd_1.server.cert': 'cert one', 'etcd_1.server.key': 'key one' })).toEqual([
      { relationId: relation.id, readers: ['etcd/1'] },
    ]);
    expect(commit({ 'etcd_2.server.cert': 'cert two', 'etcd_1.server.cert': 'cert one' })).toEqual([
      { relationId: relation.id, readers: ['etcd/2'] },
    ]);
    expect(commit({ ca: 'the CA', 'etcd_0.server.cert': 'cert zero' })).toEqual([
      { relationId: relation.id },
    ]);
    expect(store.databag(relation.id, 'easyrsa/0').data).toEqual({
      ca: 'the CA',
      'etcd_0.server.cert': 'cert zero',
      'etcd_1.server.cert': 'cert one',
      'etcd_1.server.key': 'key one',
      'etcd_2.server.cert': 'cert two',
    });
  });

  it('a write that changes nothing is no change: nobody is told, the version stays', () => {
    const { store, relation, commit } = caModel();
    commit({ ca: 'the CA' });
    const version = store.databag(relation.id, 'easyrsa/0').version;
    expect(commit({ ca: 'the CA', 'etcd_0.server.cert': '' })).toEqual([]);
    expect(store.databag(relation.id, 'easyrsa/0').version).toBe(version);
    // Deleting a key that exists is a change, seen by the unit it was addressed to.
    commit({ 'etcd_0.server.cert': 'cert zero' });
    expect(commit({ 'etcd_0.server.cert': '' })).toEqual([
      { relationId: relation.id, readers: ['etcd/0'] },
    ]);
  });
});
