// Following the hook log for the dashboard: the newest runs first, then each run once as it
// starts and once more when it ends, even when later runs ended before it.
import { describe, expect, it } from 'vitest';
import { HOOK_BACKLOG, HookFollower } from '../../../core/controller/dashboard-events.js';
import type { HookLogEntry } from '../../../core/store/types.js';

function log() {
  const entries: HookLogEntry[] = [];
  const start = (unit: string, hook: string) => {
    const e: HookLogEntry = {
      id: entries.length + 1,
      unit,
      hook,
      detail: {},
      startedAt: '2026-12-07T12:00:00Z',
      message: '',
      logs: [],
    };
    entries.push(e);
    return e;
  };
  const end = (e: HookLogEntry, outcome: 'ok' | 'error', message = '') =>
    Object.assign(e, { outcome, message, endedAt: '2026-12-07T12:00:01Z' });
  const api = { hookLog: (after: number) => ({ entries: entries.filter((e) => e.id > after) }) };
  return { start, end, api };
}

const seen = (rows: { unit: string; hook: string; outcome?: string }[]) =>
  rows.map((r) => `${r.unit} ${r.hook} ${r.outcome ?? 'running'}`);

describe('the hook follower', () => {
  it('sends a run when it starts and again when it ends, out of order', () => {
    const l = log();
    const follower = new HookFollower(l.api);
    const install = l.start('etcd/0', 'install');
    const other = l.start('easyrsa/0', 'install');
    expect(seen(follower.next())).toEqual(['etcd/0 install running', 'easyrsa/0 install running']);
    l.end(other, 'ok');
    expect(seen(follower.next())).toEqual(['easyrsa/0 install ok']);
    expect(follower.next()).toEqual([]);
    l.end(install, 'error', 'hook failed: "install"');
    const [failed] = follower.next();
    expect(failed).toMatchObject({
      unit: 'etcd/0',
      outcome: 'error',
      message: 'hook failed: "install"',
    });
    expect(follower.next()).toEqual([]);
  });

  it(`starts from the newest ${HOOK_BACKLOG} runs`, () => {
    const l = log();
    for (let i = 0; i < HOOK_BACKLOG + 50; i++) l.end(l.start(`etcd/${i}`, 'install'), 'ok');
    const follower = new HookFollower(l.api);
    const first = follower.next();
    expect(first).toHaveLength(HOOK_BACKLOG);
    expect(first[0]?.unit).toBe('etcd/50');
    l.start('etcd/0', 'update-status');
    expect(seen(follower.next())).toEqual(['etcd/0 update-status running']);
  });

  it('redacts what a charm logged', () => {
    const l = log();
    const e = l.start('etcd/0', 'install');
    e.logs.push({ level: 'info', message: 'password=hunter2' });
    const [row] = new HookFollower(l.api).next();
    expect(row?.logs).toEqual(['INFO password=[redacted]']);
  });
});
