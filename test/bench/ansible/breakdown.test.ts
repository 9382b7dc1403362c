// The etcd-vs-ansible bench's account of where a Rune deploy's time went (bench/ansible/
// breakdown.ts), from debug-log's json lines: the figures it prints must add up.
import { describe, expect, it } from 'vitest';
import { breakdown, parseHookLog } from '../../../bench/ansible/breakdown.js';
import { describeBreakdown, median } from '../../../bench/ansible/manual-variant.js';

const T = Date.parse('2026-12-07T17:00:00.000Z');
const at = (ms: number) => new Date(T + ms).toISOString();
const line = (unit: string, hook: string, from: number, to: number | null) =>
  JSON.stringify({
    unit,
    hook,
    started: at(from),
    ended: to === null ? null : at(to),
    durationMs: to === null ? null : to - from,
    outcome: to === null ? 'running' : 'ok',
    logs: [],
  });

const log = [
  line('easyrsa/0', 'install', 600, 1400),
  line('etcd/0', 'install', 610, 900),
  line('etcd/1', 'install', 620, 1000),
  // Nothing runs from 1400 to 1500: the runner, or a wait on another unit's data.
  line('etcd/0', 'certificates-relation-changed', 1500, 2400),
  line('etcd/1', 'leader-settings-changed', 2400, 3300),
  line('etcd/0', 'cluster-relation-changed', 2500, 2700),
  line('etcd/1', 'update-status', 3400, null),
].join('\n');

describe('breakdown of a timed deploy', () => {
  it('reads debug-log json, skipping hooks still running and lines that are not json', () => {
    const runs = parseHookLog(`rune: a warning\n${log}\n`);
    expect(runs.map((r) => `${r.unit} ${r.hook}`)).toEqual([
      'easyrsa/0 install',
      'etcd/0 install',
      'etcd/1 install',
      'etcd/0 certificates-relation-changed',
      'etcd/1 leader-settings-changed',
      'etcd/0 cluster-relation-changed',
    ]);
  });

  it('splits the time before the first hook, during the hooks and after the last', () => {
    const b = breakdown({
      commandAt: T,
      receivedAt: T + 450,
      appliedAt: T + 520,
      healthyAt: T + 3500,
      hooks: parseHookLog(log),
      slowest: 2,
    });
    expect(b.toReceivedMs).toBe(450);
    expect(b.toAppliedMs).toBe(520);
    expect(b.toFirstHookMs).toBe(600);
    expect(b.hooks).toBe(6);
    expect(b.hookSumMs).toBe(800 + 290 + 380 + 900 + 900 + 200);
    // 600..1400 and 1500..3300 have a hook running; 1400..1500 has none.
    expect(b.hookBusyMs).toBe(800 + 1800);
    expect(b.hookIdleMs).toBe(100);
    expect(b.toFirstHookMs + b.hookBusyMs + b.hookIdleMs + b.afterLastHookMs).toBe(3500);
    expect(b.afterLastHookMs).toBe(200);
    expect(b.byName[0]).toEqual({ hook: 'install', count: 3, sumMs: 1470, maxMs: 800 });
    // The last to end (etcd/1's, at 3300) started at 2400, when etcd/0's certificates hook had
    // just ended; that one started after easyrsa's install, the first to end before it.
    expect(b.criticalPath.map((h) => `${h.unit} ${h.hook}`)).toEqual([
      'easyrsa/0 install',
      'etcd/0 certificates-relation-changed',
      'etcd/1 leader-settings-changed',
    ]);
    expect(b.slowest.map((h) => `${h.unit} ${h.hook} ${h.ms}`)).toEqual([
      'etcd/0 certificates-relation-changed 900',
      'etcd/1 leader-settings-changed 900',
    ]);
    expect(describeBreakdown(b)[0]).toBe(
      'command → first hook   600 ms (controller received the deploy at 450 ms, applied it at 520 ms)',
    );
  });

  it('leaves out hooks from before the command', () => {
    const b = breakdown({
      commandAt: T + 1450,
      receivedAt: undefined,
      healthyAt: T + 3500,
      hooks: parseHookLog(log),
    });
    expect(b.hooks).toBe(3);
    expect(b.toFirstHookMs).toBe(50);
  });
});

describe('median', () => {
  it('takes the middle value, or the mean of the two middle ones', () => {
    expect(median([5.2, 3.1, 4.4])).toBe(4.4);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});
