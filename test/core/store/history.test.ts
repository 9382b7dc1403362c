// The model revision log in the SQLite store (migration 10): numbered from 1 in the order changes
// land, filtered by the applications each touched, kept across a reopen, and dropped with the
// change when the change's transaction fails.
import { backToSchema9 } from './old-schema.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ModelRevisionRecord } from '../../../core/store/history-types.js';
import { SqliteStore } from '../../../core/store/sqlite-store.js';
import { openStore } from './open-store.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function file(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rune-history-store-'));
  dirs.push(dir);
  return join(dir, 'store.db');
}

const SPEC = { charmRevision: 1, config: {}, secrets: [], resources: {} };

function revision(command: string, applications: string[]): Omit<ModelRevisionRecord, 'revision'> {
  return {
    at: '2026-12-07T00:00:00.000Z',
    command,
    applications,
    changes: applications.map((application) => ({ application, added: { units: ['x/0'] } })),
    specs: Object.fromEntries(applications.map((a) => [a, SPEC])),
  };
}

describe('model revisions', () => {
  it('numbers revisions from 1 and lists them oldest first, all or one application', () => {
    const store = openStore(file());
    expect(store.latestModelRevision()).toBe(0);
    expect(store.modelRevisions()).toEqual([]);
    expect(store.addModelRevision(revision('deploy a.yaml', ['easyrsa', 'etcd']))).toBe(1);
    expect(store.addModelRevision(revision('config etcd port=1', ['etcd']))).toBe(2);
    expect(
      store.addModelRevision({ ...revision('rollback easyrsa', ['easyrsa']), rollbackOf: 1 }),
    ).toBe(3);
    expect(store.latestModelRevision()).toBe(3);
    expect(store.modelRevisions().map((r) => r.command)).toEqual([
      'deploy a.yaml',
      'config etcd port=1',
      'rollback easyrsa',
    ]);
    expect(store.modelRevisions('etcd').map((r) => r.revision)).toEqual([1, 2]);
    expect(store.modelRevisions('easyrsa').at(-1)).toEqual({
      revision: 3,
      ...revision('rollback easyrsa', ['easyrsa']),
      rollbackOf: 1,
    });
    expect(store.modelRevisions('ghost')).toEqual([]);
    store.close();
  });

  it('keeps them across a reopen', () => {
    const path = file();
    const first = openStore(path);
    first.addModelRevision(revision('relate a b', ['a', 'b']));
    first.close();
    const again = openStore(path);
    expect(again.modelRevisions('b').map((r) => r.command)).toEqual(['relate a b']);
    expect(again.addModelRevision(revision('remove-relation a b', ['a', 'b']))).toBe(2);
    again.close();
  });

  it('a change whose transaction fails leaves no revision, and the number is not used', () => {
    const store = openStore(file());
    expect(() =>
      store.transaction(() => {
        store.addModelRevision(revision('config etcd port=1', ['etcd']));
        throw new Error('the change failed');
      }),
    ).toThrow('the change failed');
    expect(store.modelRevisions()).toEqual([]);
    expect(store.addModelRevision(revision('config etcd port=2', ['etcd']))).toBe(1);
    store.close();
  });

  it('migrates a store of schema 9 (rollouts) without losing what it holds', () => {
    const path = file();
    new SqliteStore(path).close();
    // A store as the release before history left it: version 9, none of the tables since.
    backToSchema9(path);
    const store = new SqliteStore(path);
    expect(store.schemaVersion).toBeGreaterThanOrEqual(10);
    expect(store.addModelRevision(revision('deploy a.yaml', ['etcd']))).toBe(1);
    store.close();
  });
});
