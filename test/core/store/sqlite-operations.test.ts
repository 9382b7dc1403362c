// Actions and resources in the store: a run a dead controller left running comes first, results
// are kept, and each attach of a resource is a new revision.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../../../core/store/types.js';
import { openStore } from './open-store.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function store(): Store {
  const dir = mkdtempSync(join(tmpdir(), 'rune-ops-'));
  dirs.push(dir);
  const s = openStore(join(dir, 'store.db'));
  s.addApplication({
    name: 'db',
    charm: 'db',
    charmDir: dir,
    subordinate: false,
    config: {},
    constraints: '',
  });
  return s;
}

describe('action runs', () => {
  it('runs oldest first, a run left running before any pending one, and keeps results', () => {
    const s = store();
    const first = s.enqueueAction('db/0', 'health', {}, 't1');
    const second = s.enqueueAction('db/0', 'snapshot', { target: '/x' }, 't2');
    expect(s.nextAction('db/0')?.id).toBe(first);
    s.startAction(second, 't3');
    expect(s.nextAction('db/0')).toMatchObject({
      id: second,
      status: 'running',
      params: { target: '/x' },
    });
    s.finishAction(second, 'completed', { path: '/x/snap.db' }, '', 't4');
    s.finishAction(first, 'failed', {}, 'no quorum', 't5');
    expect(s.nextAction('db/0')).toBeUndefined();
    expect(s.unitsWithActions()).toEqual([]);
    expect(s.action(second)).toMatchObject({
      status: 'completed',
      results: { path: '/x/snap.db' },
      completedAt: 't4',
    });
    expect(s.action(first)).toMatchObject({ status: 'failed', message: 'no quorum' });
  });
});

describe('resources', () => {
  it('counts revisions per resource and forgets them with the application', () => {
    const s = store();
    expect(s.attachResource('db', 'bin', { file: '/r/bin', sha256: 'aa', size: 1 }, 't1')).toBe(1);
    expect(s.attachResource('db', 'bin', { file: '/r/bin', sha256: 'bb', size: 2 }, 't2')).toBe(2);
    expect(s.attachResource('db', 'cfg', { file: '/r/cfg', sha256: 'cc', size: 3 }, 't3')).toBe(1);
    expect(s.resources('db').map((r) => [r.name, r.revision, r.sha256])).toEqual([
      ['bin', 2, 'bb'],
      ['cfg', 1, 'cc'],
    ]);
    s.removeApplication('db');
    expect(s.resources('db')).toEqual([]);
  });
});
