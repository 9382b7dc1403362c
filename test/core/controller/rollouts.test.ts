// Rollouts on a real store: the order units are taken in, what a unit not yet reached sees, how
// a halted rollout resumes, and how an abort sends the moved units back while the rest never left.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { modelStatus } from '../../../core/controller/model-status.js';
import { RolloutError, rolloutPolicy } from '../../../core/controller/rollout-policy.js';
import {
  abortRollout,
  driveRollouts,
  resumeRollout,
  startRollout,
} from '../../../core/controller/rollouts.js';
import { applicationAsSeen } from '../../../core/store/application-view.js';
import { SqliteStore } from '../../../core/store/sqlite-store.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function model(units: number, leader: string) {
  const dir = mkdtempSync(join(tmpdir(), 'rune-rollouts-'));
  dirs.push(dir);
  const store = new SqliteStore(join(dir, 'store.db'));
  store.addApplication({
    name: 'etcd',
    charm: 'etcd',
    charmDir: '/charms/etcd',
    subordinate: false,
    config: { port: 1 },
    constraints: '',
  });
  for (let n = 0; n < units; n++) store.addUnit({ name: `etcd/${n}`, machine: String(n) });
  store.setLeader('etcd', leader, Date.now() + 60_000);
  // The change as the verbs make it: the application holds the new spec, the rollout the old.
  store.setConfig('etcd', { port: 2 });
  const id = startRollout(store, {
    application: 'etcd',
    change: 'config',
    from: { charmRevision: 1, charmDir: '/charms/etcd', config: { port: 1 }, resources: {} },
    to: { charmRevision: 1, charmDir: '/charms/etcd', config: { port: 2 }, resources: {} },
    policy: rolloutPolicy({ watch: '0s-1m' }, {}),
    at: '2026-12-07T00:00:00Z',
  });
  const seen = (unit: string) => {
    const app = store.application('etcd');
    if (!app) throw new Error('no etcd');
    return applicationAsSeen(app, store.activeRollout('etcd'), unit).config;
  };
  return { store, id, seen };
}

const ok = () => ({ exists: true, settled: true, workload: 'active', message: '' });

describe('rollouts', () => {
  it('takes followers by number and the leader last; units not reached see the old config', () => {
    const { store, seen } = model(11, 'etcd/2');
    expect(store.activeRollout('etcd')?.units.map((u) => u.unit)).toEqual([
      'etcd/0',
      'etcd/1',
      'etcd/3',
      'etcd/4',
      'etcd/5',
      'etcd/6',
      'etcd/7',
      'etcd/8',
      'etcd/9',
      'etcd/10',
      'etcd/2',
    ]);
    expect(seen('etcd/0')).toEqual({ port: 1 });
    expect(driveRollouts(store, ok, 0)).toBe(true);
    expect(seen('etcd/0')).toEqual({ port: 2 });
    expect(seen('etcd/2')).toEqual({ port: 1 });
    // A unit added since the rollout began starts on the new config.
    expect(seen('etcd/11')).toEqual({ port: 2 });
  });

  it('resumes a halted rollout by watching the failed unit again', () => {
    const { store } = model(2, 'etcd/1');
    driveRollouts(store, ok, 0);
    driveRollouts(store, () => ({ ...ok(), workload: 'error', message: 'hook failed' }), 10);
    expect(store.activeRollout('etcd')).toMatchObject({
      state: 'halted',
      message: 'etcd/0 is in error: hook failed',
    });
    resumeRollout(store, 'etcd', 20);
    expect(store.activeRollout('etcd')?.units.map((u) => u.state)).toEqual(['updating', 'waiting']);
    driveRollouts(store, ok, 30);
    driveRollouts(store, ok, 40);
    expect(store.rollouts().at(-1)?.state).toBe('done');
    expect(() => resumeRollout(store, 'etcd', 50)).toThrow(RolloutError);
  });

  it('aborts: the moved units roll back; the others never left the old config', () => {
    const { store, id, seen } = model(3, 'etcd/2');
    driveRollouts(store, ok, 0);
    driveRollouts(store, ok, 10); // etcd/0 passed, etcd/1 updating
    const back = abortRollout(store, 'etcd', '2026-12-07T00:01:00Z');
    expect(store.rollouts().find((r) => r.id === id)?.state).toBe('aborted');
    expect(store.application('etcd')?.config).toEqual({ port: 1 });
    const rollback = store.activeRollout('etcd');
    expect(rollback).toMatchObject({ id: back, change: `abort of rollout ${id}` });
    expect(rollback?.units.map((u) => u.unit)).toEqual(['etcd/0', 'etcd/1']);
    // The moved units keep the new config until the rollback reaches them; etcd/2 is on the old.
    expect([seen('etcd/0'), seen('etcd/1'), seen('etcd/2')]).toEqual([
      { port: 2 },
      { port: 2 },
      { port: 1 },
    ]);
    expect(() => abortRollout(store, 'nope', '')).toThrow(/nope has no running or halted rollout/);
  });

  it('a change while one rolls supersedes it; no unit jumps two configs at once', () => {
    const { store, seen } = model(3, 'etcd/2');
    driveRollouts(store, ok, 0); // etcd/0 moves to port 2; etcd/1 and etcd/2 stay on 1
    store.setConfig('etcd', { port: 3 });
    startRollout(store, {
      application: 'etcd',
      change: 'config',
      from: { charmRevision: 1, charmDir: '/charms/etcd', config: { port: 2 }, resources: {} },
      to: { charmRevision: 1, charmDir: '/charms/etcd', config: { port: 3 }, resources: {} },
      policy: rolloutPolicy({ watch: '0s-1m' }, {}),
      at: '2026-12-07T00:02:00Z',
    });
    expect(store.rollouts().map((r) => r.state)).toEqual(['superseded', 'running']);
    expect([seen('etcd/0'), seen('etcd/1'), seen('etcd/2')]).toEqual([
      { port: 2 },
      { port: 1 },
      { port: 1 },
    ]);
    driveRollouts(store, ok, 10);
    expect(seen('etcd/0')).toEqual({ port: 3 });
  });

  it('status shows the charm revision each unit is on while a refresh rolls', () => {
    const { store } = model(3, 'etcd/2');
    const config = store.activeRollout('etcd');
    if (config) store.setRollout({ ...config, state: 'done' });
    store.addCharmRevision('etcd', '/charms/etcd-v2', '2026-12-07T00:03:00Z');
    const from = { charmRevision: 1, charmDir: '/charms/etcd', config: { port: 2 }, resources: {} };
    startRollout(store, {
      application: 'etcd',
      change: 'refresh to charm revision 2',
      from,
      to: { ...from, charmRevision: 2, charmDir: '/charms/etcd-v2' },
      policy: rolloutPolicy({ watch: '0s-1m' }, {}),
      at: '2026-12-07T00:03:00Z',
    });
    driveRollouts(store, ok, 0);
    const etcd = modelStatus(store).applications.etcd;
    expect(etcd?.['charm-rev']).toBe(2);
    expect(Object.entries(etcd?.units ?? {}).map(([name, u]) => [name, u['charm-rev']])).toEqual([
      ['etcd/0', 2],
      ['etcd/1', 1],
      ['etcd/2', 1],
    ]);
  });

  it('starts none for an application without units', () => {
    const { store } = model(0, '');
    expect(store.activeRollout('etcd')).toBeUndefined();
  });
});
