// Charm revisions in the SQLite store: 1 at deploy, the next for each new folder, an earlier one
// made current again, and none left behind by a removed application.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ApplicationNotFoundError,
  CharmRevisionNotFoundError,
} from '../../../core/store/errors.js';
import type { Store } from '../../../core/store/types.js';
import { openStore } from './open-store.js';
import type { NewApplication } from '../../../core/store/types.js';
import { applicationRecord } from '../../fakes/application-record.js';

const ETCD: NewApplication = applicationRecord('etcd');
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function store(): Store {
  const dir = mkdtempSync(join(tmpdir(), 'rune-revisions-'));
  dirs.push(dir);
  const s = openStore(join(dir, 'store.db'), () => new Date('2026-12-07T00:00:00Z'));
  s.addApplication(ETCD);
  return s;
}

describe('charm revisions', () => {
  it('numbers each new folder and makes it current; an earlier one can come back', () => {
    const s = store();
    expect(s.application('etcd')).toMatchObject({ charmRevision: 1, charmDir: '/charms/etcd' });
    expect(s.addCharmRevision('etcd', '/work/etcd-v2', '2026-12-07T01:00:00Z')).toBe(2);
    expect(s.application('etcd')).toMatchObject({ charmRevision: 2, charmDir: '/work/etcd-v2' });
    s.useCharmRevision('etcd', 1);
    expect(s.application('etcd')).toMatchObject({ charmRevision: 1, charmDir: '/charms/etcd' });
    // Going back adds no revision: the next new folder is 3.
    expect(s.addCharmRevision('etcd', '/work/etcd-v3', '2026-12-07T02:00:00Z')).toBe(3);
    expect(s.charmRevisions('etcd')).toEqual([
      { revision: 1, charmDir: '/charms/etcd', addedAt: '2026-12-07T00:00:00.000Z' },
      { revision: 2, charmDir: '/work/etcd-v2', addedAt: '2026-12-07T01:00:00Z' },
      { revision: 3, charmDir: '/work/etcd-v3', addedAt: '2026-12-07T02:00:00Z' },
    ]);
  });

  it('refuses unknown revisions and applications, and forgets a removed application', () => {
    const s = store();
    expect(() => s.useCharmRevision('etcd', 4)).toThrow(CharmRevisionNotFoundError);
    expect(() => s.addCharmRevision('nope', '/x', '')).toThrow(ApplicationNotFoundError);
    s.addCharmRevision('etcd', '/work/etcd-v2', '');
    s.removeApplication('etcd');
    expect(s.charmRevisions('etcd')).toEqual([]);
    s.addApplication(ETCD);
    expect(s.charmRevisions('etcd').map((r) => r.revision)).toEqual([1]);
  });
});
