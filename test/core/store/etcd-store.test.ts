// The replicated store on a real etcd (store-on-etcd project only): members standing by refuse
// writes and follow the active one; two writers cannot both append; a transaction that fails
// leaves nothing in the log; secrets are sealed in etcd; an etcd that does not answer fails the
// write and changes nothing.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest';
import { waitFor } from '../../../core/controller/wait-for.js';
import {
  StoreFencedError,
  StoreReadOnlyError,
  StoreUnreachableError,
} from '../../../core/store/errors.js';
import {
  claimStoreLog,
  openEtcdStore,
  seedStoreLog,
  type EtcdStore,
} from '../../../core/store/etcd-store.js';
import { SqliteStore } from '../../../core/store/sqlite-store.js';
import { applicationRecord } from '../../fakes/application-record.js';
import { startEtcd } from './etcd-process.js';

const endpoint = inject('storeEtcd') ?? '';
const client = new Etcd3({ hosts: endpoint });
const dirs: string[] = [];
const stores: EtcdStore[] = [];
afterEach(() => {
  stores.splice(0).forEach((s) => s.close());
  dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
});
afterAll(() => client.close());

/** Members of one controller: each its own replica file, one store key, one prefix. */
function controller(url = endpoint) {
  const dir = mkdtempSync(join(tmpdir(), 'rune-etcd-store-'));
  dirs.push(dir);
  const prefix = `/rune-test/${randomUUID()}/store/`;
  claimStoreLog({ endpoints: [url] }, prefix, 'test');
  let n = 0;
  const member = () => {
    const store = openEtcdStore({
      file: join(dir, `member-${n++}.db`),
      keyFile: join(dir, 'store.key'),
      connection: { endpoints: [url] },
      prefix,
      owner: 'test',
    });
    stores.push(store);
    return store;
  };
  return { prefix, member };
}

const app = (name: string) => applicationRecord(name);

const unitNames = (s: EtcdStore) => s.units().map((u) => u.name);

describe('the replicated store on etcd', () => {
  it('a member standing by refuses writes, changing nothing, and follows the active one', async () => {
    const { member } = controller();
    const active = member();
    active.activate();
    active.addApplication(app('etcd'));
    const standby = member();
    expect(standby.application('etcd')?.charm).toBe('etcd');
    expect(() => standby.addUnit({ name: 'etcd/0', machine: '' })).toThrow(StoreReadOnlyError);
    expect(() => standby.addUnit({ name: 'etcd/0', machine: '' })).toThrow(
      /stands by and cannot addUnit; send changes to the active member/,
    );
    expect(unitNames(standby)).toEqual([]);
    expect(unitNames(active)).toEqual([]);

    let told = 0;
    const stop = await standby.follow(() => (told += 1));
    try {
      active.transaction(() => {
        active.addUnit({ name: 'etcd/0', machine: '' });
        active.writeLeaderSettings('etcd', { ready: 'yes' });
      });
      active.addUnit({ name: 'etcd/1', machine: '' });
      await waitFor(
        'the standby to replay both entries',
        () => standby.applied === active.applied,
        {
          timeoutMs: 10_000,
          intervalMs: 20,
        },
      );
      expect(unitNames(standby)).toEqual(['etcd/0', 'etcd/1']);
      // Told each time the replica moved (the controller bumps its event bus then).
      expect(told).toBeGreaterThan(0);
      expect(standby.unit('etcd/0')).toEqual(active.unit('etcd/0'));
      expect(standby.leaderSettings('etcd')).toEqual({ ready: 'yes' });
    } finally {
      await stop();
    }
  });

  it('of two members writing, the one behind is refused, stands by, and keeps nothing it tried', () => {
    const { member } = controller();
    const first = member();
    first.activate();
    first.addApplication(app('etcd'));
    const second = member();
    second.activate();
    second.addUnit({ name: 'etcd/0', machine: '' });

    expect(() => first.addUnit({ name: 'etcd/7', machine: '' })).toThrow(StoreFencedError);
    expect(first.active).toBe(false);
    expect(first.unit('etcd/7')).toBeUndefined();
    expect(() => first.addUnit({ name: 'etcd/8', machine: '' })).toThrow(StoreReadOnlyError);
    first.catchUp();
    expect(unitNames(first)).toEqual(['etcd/0']);
    expect(member().unit('etcd/7')).toBeUndefined();
  });

  it('appends only while the election key it was activated with is still its own', async () => {
    const { prefix, member } = controller();
    const key = `${prefix}../active`;
    await client.put(key).value('member-0');
    const held = await client.get(key).exec();
    const active = member();
    active.activate({ key, createRevision: String(held.kvs[0]?.create_revision) });
    active.addApplication(app('etcd'));
    // The key lapses and another member takes it: same name, a new creation.
    await client.delete().key(key);
    await client.put(key).value('member-1');
    expect(() => active.addUnit({ name: 'etcd/0', machine: '' })).toThrow(StoreFencedError);
    expect(active.unit('etcd/0')).toBeUndefined();
    expect(unitNames(member())).toEqual([]);
  });

  it('a failed inner transaction leaves nothing in the log; what its caller went on to write is kept', () => {
    const { member } = controller();
    const active = member();
    active.activate();
    active.addApplication(app('etcd'));
    active.transaction(() => {
      active.addUnit({ name: 'etcd/0', machine: '' });
      expect(() =>
        active.transaction(() => {
          active.addUnit({ name: 'etcd/1', machine: '' });
          throw new Error('inner change failed');
        }),
      ).toThrow('inner change failed');
      active.addUnit({ name: 'etcd/2', machine: '' });
    });
    expect(unitNames(active)).toEqual(['etcd/0', 'etcd/2']);
    const replayed = member();
    expect(unitNames(replayed)).toEqual(['etcd/0', 'etcd/2']);
    expect(replayed.application('etcd')).toEqual(active.application('etcd'));
  });

  it('keeps a private key written through the store sealed in etcd', async () => {
    const { prefix, member } = controller();
    const active = member();
    active.activate();
    active.addApplication(app('easyrsa'));
    const secret = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n';
    active.writeLeaderSettings('easyrsa', { 'ca.key': secret });
    const stored = await client.getAll().prefix(prefix).strings();
    expect(Object.keys(stored).length).toBeGreaterThan(0);
    for (const text of Object.values(stored)) {
      expect(text).not.toContain('PRIVATE KEY');
      expect(text).not.toContain('MIIEvQIBADANBgkqhkiG9w0BAQEFAASC');
    }
    expect(member().leaderSettings('easyrsa')['ca.key']).toBe(secret);
  });

  it('when etcd does not answer, a write fails with the reason and changes nothing', async () => {
    const etcd = await startEtcd();
    try {
      const { member } = controller(etcd.url);
      const active = member();
      active.activate();
      active.addApplication(app('etcd'));
      etcd.stop();
      const error = (() => {
        try {
          active.addUnit({ name: 'etcd/0', machine: '' });
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(StoreUnreachableError);
      expect((error as Error).message).toMatch(
        new RegExp(
          `the controller's store \\(etcd at ${etcd.url}\\) did not answer: .*; nothing was written`,
        ),
      );
      expect(active.unit('etcd/0')).toBeUndefined();
      expect(active.active).toBe(true);
    } finally {
      etcd.stop();
    }
  }, 60_000);
});

describe('moving a single controller store into etcd', () => {
  it('every member opens with everything the SQLite store held, secrets included, and carries on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rune-etcd-seed-'));
    dirs.push(dir);
    const keyFile = join(dir, 'store.key');
    const single = new SqliteStore(join(dir, 'store.db'), undefined, { keyFile });
    single.addApplication(app('easyrsa'));
    // Enough rows that the image takes several pieces.
    single.transaction(() => {
      for (let i = 0; i < 3000; i++) single.addUnit({ name: `easyrsa/${i}`, machine: '' });
    });
    single.writeLeaderSettings('easyrsa', { 'ca.key': 'PRIVATE KEY 1234' });
    const prefix = `/rune-test/${randomUUID()}/store/`;
    expect(seedStoreLog({ endpoints: [endpoint] }, prefix, '"one"', single)).toBe(1);
    expect((await client.getAll().prefix(`${prefix}image/1/`).keys()).length).toBeGreaterThan(1);
    const member = (n: number) => {
      const store = openEtcdStore({
        file: join(dir, `member-${n}.db`),
        keyFile,
        connection: { endpoints: [endpoint] },
        prefix,
        owner: '"one"',
      });
      stores.push(store);
      return store;
    };
    const first = member(0);
    expect(first.units()).toEqual(single.units());
    expect(first.leaderSettings('easyrsa')).toEqual({ 'ca.key': 'PRIVATE KEY 1234' });
    first.activate();
    first.addUnit({ name: 'easyrsa/3000', machine: '' });
    expect(member(1).unit('easyrsa/3000')?.application).toBe('easyrsa');
    // Moved once: a second move into the same place is refused.
    expect(() => seedStoreLog({ endpoints: [endpoint] }, prefix, '"one"', single)).toThrow(
      /already holds a controller store under .* \(2 entries\); a store is moved into etcd once/,
    );
    // A member of another controller pointed at this store, or at a place holding none.
    const stranger = (owner: string, at: string) =>
      openEtcdStore({
        file: join(dir, 'stranger.db'),
        keyFile,
        connection: { endpoints: [endpoint] },
        prefix: at,
        owner,
      });
    expect(() => stranger('"two"', prefix)).toThrow(
      /the store under .* belongs to controller "one", not "two"; .*nothing was changed/,
    );
    expect(() => stranger('"two"', `/rune-test/${randomUUID()}/store/`)).toThrow(
      /etcd holds no controller store under .*: this member is pointed at the wrong etcd cluster/,
    );
    single.close();
  });
});

describe('compaction', () => {
  it('an image every N entries, the log before it deleted; a new member and one left behind both catch up', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rune-etcd-compact-'));
    dirs.push(dir);
    const prefix = `/rune-test/${randomUUID()}/store/`;
    claimStoreLog({ endpoints: [endpoint] }, prefix, 'test');
    const member = (n: number) => {
      const store = openEtcdStore({
        file: join(dir, `member-${n}.db`),
        keyFile: join(dir, 'store.key'),
        connection: { endpoints: [endpoint] },
        prefix,
        owner: 'test',
        compactEvery: 50,
      });
      stores.push(store);
      return store;
    };
    const active = member(0);
    active.activate();
    active.addApplication(app('etcd'));
    for (let i = 0; i < 30; i++) active.addUnit({ name: `etcd/${i}`, machine: '' });
    // Left behind at entry 31, its process stopped.
    const behind = member(1);
    expect(behind.applied).toBe(31);
    behind.close();
    for (let i = 30; i < 130; i++) active.addUnit({ name: `etcd/${i}`, machine: '' });
    // 131 writes and two images (at 51 and 102): 133 entries, of which the log keeps those from
    // the last image on.
    expect(active.applied).toBe(133);
    const keys = await client.getAll().prefix(`${prefix}log/`).keys();
    expect(keys.map((k) => Number(k.slice(-12)))).toEqual(
      Array.from({ length: 32 }, (_, i) => 102 + i),
    );
    const pieces = await client.getAll().prefix(`${prefix}image/`).keys();
    expect(pieces.every((k) => k.startsWith(`${prefix}image/102/`))).toBe(true);
    const fresh = member(2);
    expect(fresh.units()).toEqual(active.units());
    const back = openEtcdStore({
      file: join(dir, 'member-1.db'),
      keyFile: join(dir, 'store.key'),
      connection: { endpoints: [endpoint] },
      prefix,
      owner: 'test',
    });
    stores.push(back);
    expect(back.applied).toBe(133);
    expect(back.units()).toEqual(active.units());
  });
});
