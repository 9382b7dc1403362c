// Resource revisions and application settings in the store (issue 14): every revision kept, an
// earlier one made current again or the resource made absent, numbers never reused; a store
// from before keeps its attached resources; rollouts stored before resources rolled read back
// with the application's current revisions; settings go with their application.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { backToSchema9 } from './old-schema.js';
import { afterEach, describe, expect, it } from 'vitest';
import { ResourceRevisionNotFoundError } from '../../../core/store/errors.js';
import { SqliteStore } from '../../../core/store/sqlite-store.js';
import type { Store } from '../../../core/store/types.js';
import { openStore } from './open-store.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

/** On the backend under test, or (for the tests that edit the file) on SQLite. */
function store(open: (file: string) => Store = openStore): { s: Store; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'rune-resources-'));
  dirs.push(dir);
  const file = join(dir, 'store.db');
  const s = open(file);
  s.addApplication({
    name: 'db',
    charm: 'db',
    charmDir: dir,
    subordinate: false,
    config: {},
    constraints: '',
  });
  return { s, file };
}

const current = (s: Store) => s.resources('db').map((r) => [r.name, r.revision, r.file]);

const sqlite = (file: string) => new SqliteStore(file);

describe('resource revisions', () => {
  it('keeps every revision; an earlier one, or none, can be made current again', () => {
    const { s } = store();
    s.attachResource('db', 'bin', { file: '/r/bin.aa', sha256: 'aa', size: 1 }, 't1');
    s.attachResource('db', 'bin', { file: '/r/bin.bb', sha256: 'bb', size: 2 }, 't2');
    expect(s.resourceRevision('db', 'bin', 1)).toMatchObject({ file: '/r/bin.aa', sha256: 'aa' });
    s.useResourceRevision('db', 'bin', 1);
    expect(current(s)).toEqual([['bin', 1, '/r/bin.aa']]);
    s.useResourceRevision('db', 'bin', undefined);
    expect(current(s)).toEqual([]);
    // Numbers are never reused: the next attach is 3, and 2 is still there.
    expect(s.attachResource('db', 'bin', { file: '/r/bin.cc', sha256: 'cc', size: 3 }, 't3')).toBe(
      3,
    );
    expect(s.resourceRevision('db', 'bin', 2)?.sha256).toBe('bb');
    expect(() => s.useResourceRevision('db', 'bin', 9)).toThrow(ResourceRevisionNotFoundError);
    expect(() => s.useResourceRevision('db', 'bin', 9)).toThrow(
      'db has no revision 9 of resource bin; each rune attach-resource adds the next',
    );
    s.removeApplication('db');
    expect(s.resourceRevision('db', 'bin', 2)).toBeUndefined();
  });

  it('keeps the resources a store from before the revisions table had', () => {
    const { s, file } = store(sqlite);
    s.attachResource('db', 'bin', { file: '/r/bin', sha256: 'aa', size: 1 }, 't1');
    s.attachResource('db', 'bin', { file: '/r/bin', sha256: 'bb', size: 2 }, 't2');
    s.close();
    // Back to the schema before: only the current revision, in `resources`.
    backToSchema9(file);
    const reopened = new SqliteStore(file);
    expect(reopened.resourceRevision('db', 'bin', 2)).toMatchObject({ sha256: 'bb', size: 2 });
    expect(
      reopened.attachResource('db', 'bin', { file: '/r/bin.cc', sha256: 'cc', size: 3 }, 't3'),
    ).toBe(3);
    reopened.close();
  });

  it('reads a rollout stored before resources rolled with the current revisions', () => {
    const { s, file } = store(sqlite);
    s.attachResource('db', 'bin', { file: '/r/bin', sha256: 'aa', size: 1 }, 't1');
    const old = { charmRevision: 1, charmDir: '/c', config: {} };
    const record = {
      application: 'db',
      change: 'config',
      from: old,
      to: old,
      policy: { canaries: 1, maxInFlight: { count: 1 }, watchMinMs: 0, watchMaxMs: 1 },
      state: 'running',
      message: '',
      units: [{ unit: 'db/0', state: 'waiting', before: 'active', from: old }],
      startedAt: 't',
    };
    const db = new Database(file);
    db.prepare(`INSERT INTO rollouts (application, record, state) VALUES (?, ?, ?)`).run(
      'db',
      JSON.stringify(record),
      'running',
    );
    db.close();
    const rollout = s.activeRollout('db');
    expect(rollout?.from.resources).toEqual({ bin: 1 });
    expect(rollout?.to.resources).toEqual({ bin: 1 });
    expect(rollout?.units[0]?.from?.resources).toEqual({ bin: 1 });
  });
});

describe('application settings', () => {
  it('sets and resets keys per application, and forgets them with it', () => {
    const { s } = store();
    s.setApplicationSettings('db', { 'rollout-canaries': '2', 'rollout-watch': '1s-1m' }, []);
    s.setApplicationSettings('db', { 'rollout-canaries': '3' }, ['rollout-watch']);
    expect(s.applicationSettings('db')).toEqual({ 'rollout-canaries': '3' });
    s.removeApplication('db');
    expect(s.applicationSettings('db')).toEqual({});
  });
});
