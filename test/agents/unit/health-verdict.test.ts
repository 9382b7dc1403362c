// Health checks' pure half (DESIGN §11): when a check is due, what a run says, and how a change
// of verdict becomes a status and an update-status due.
import { describe, expect, it } from 'vitest';
import {
  applyVerdicts,
  checksMayRun,
  commandVerdict,
  declareChecks,
  dueChecks,
  logTail,
  serviceDetail,
  serviceProblem,
} from '../../../agents/unit/health-verdict.js';
import { type LocalState, initialLocalState } from '../../../agents/unit/state.js';
import type { DeclaredCheck } from '../../../core/charm/context-types.js';

const PING = { command: 'ping-it', everyMs: 10_000 };
const SERVICE = { service: 'etcd', everyMs: 10_000 };

function started(checks: Record<string, DeclaredCheck>, over: Partial<LocalState> = {}) {
  return {
    ...initialLocalState(),
    installed: true,
    started: true,
    lastUpdateStatus: 1_000,
    checks,
    ...over,
  };
}

describe('which checks run', () => {
  it('only on a started unit with no hook in flight or failed', () => {
    const unit = started({ ping: { spec: PING } });
    expect(checksMayRun(unit)).toBe(true);
    expect(checksMayRun({ ...unit, started: false })).toBe(false);
    expect(checksMayRun({ ...unit, stopped: true })).toBe(false);
    expect(checksMayRun({ ...unit, inFlight: { kind: 'update-status' } })).toBe(false);
    expect(checksMayRun({ ...unit, failed: { kind: 'config-changed' } })).toBe(false);
    expect(checksMayRun(started({}))).toBe(false);
  });

  it('when never run here, or once their interval has passed', () => {
    const unit = started({ ping: { spec: PING }, web: { spec: { ...SERVICE, everyMs: 30_000 } } });
    const last = new Map([
      ['ping', 50_000],
      ['web', 50_000],
    ]);
    expect(dueChecks(unit, () => undefined, 50_000)).toEqual(['ping', 'web']);
    expect(dueChecks(unit, (c) => last.get(c), 59_999)).toEqual([]);
    expect(dueChecks(unit, (c) => last.get(c), 60_000)).toEqual(['ping']);
    expect(dueChecks(unit, (c) => last.get(c), 80_000)).toEqual(['ping', 'web']);
  });

  it('a failing one again as soon as an update-status started after it ran (the repair)', () => {
    const failing = { spec: PING, failing: 'connection refused' };
    const before = started({ ping: failing }, { lastUpdateStatus: 49_000 });
    expect(dueChecks(before, () => 50_000, 51_000)).toEqual([]);
    const repaired = started({ ping: failing }, { lastUpdateStatus: 50_500 });
    expect(dueChecks(repaired, () => 50_000, 51_000)).toEqual(['ping']);
    const passing = started({ ping: { spec: PING } }, { lastUpdateStatus: 50_500 });
    expect(dueChecks(passing, () => 50_000, 51_000)).toEqual([]);
  });

  it('as a hook declared them: a changed spec starts without a verdict, a removed one goes', () => {
    const unit = started({ ping: { spec: PING, failing: 'refused' }, web: { spec: SERVICE } });
    const next = declareChecks(unit, { set: { ping: { ...PING, everyMs: 5_000 } }, removed: [] });
    expect(next.checks).toEqual({
      ping: { spec: { ...PING, everyMs: 5_000 } },
      web: unit.checks.web,
    });
    const none = declareChecks(unit, { set: {}, removed: ['ping', 'web'] });
    expect(none.checks).toBeUndefined();
    expect(declareChecks(unit, undefined)).toBe(unit);
  });
});

describe('what a run says', () => {
  it('a command: exit 0 passes; else its last line, stderr first; a timeout says so', () => {
    expect(commandVerdict({ code: 0, stdout: 'ok', stderr: '' })).toEqual({ ok: true });
    expect(
      commandVerdict({ code: 1, stdout: 'first\n', stderr: 'warn\nno route to host\n\n' }),
    ).toEqual({ ok: false, detail: 'no route to host' });
    expect(commandVerdict({ code: 2, stdout: 'out only\n', stderr: '' })).toEqual({
      ok: false,
      detail: 'out only',
    });
    expect(commandVerdict({ code: 3, stdout: '', stderr: '' })).toEqual({
      ok: false,
      detail: 'exit status 3',
    });
    expect(commandVerdict({ timedOutMs: 5_000 })).toEqual({
      ok: false,
      detail: 'timed out after 5 s',
    });
  });

  it('a service: running with a pid and no restart since the last run passes', () => {
    const running = { name: 'etcd', state: 'running', pid: 7, restarts: 2 };
    expect(serviceProblem(running, 2)).toBeUndefined();
    expect(serviceProblem(running, undefined)).toBeUndefined();
    expect(serviceProblem(running, 1)).toBe('restarted since the last check');
    // A supervisor restarted by a hook counts from 0 again: not a crash.
    expect(serviceProblem({ ...running, restarts: 0 }, 2)).toBeUndefined();
    expect(serviceProblem({ name: 'etcd', state: 'running', restarts: 3 }, 3)).toBe(
      'is restarting',
    );
    expect(serviceProblem({ name: 'etcd', state: 'stopped' }, undefined)).toBe('is stopped');
    expect(serviceProblem({ name: 'etcd', state: 'missing' }, undefined)).toBe('is not installed');
  });

  it('a failing service names its restarts, last exit and the workload’s last log lines', () => {
    const log = [
      '2026-01-01T10:00:00Z rune-supervise: started etcd (pid 9)',
      '2026-01-01 10:00:00.123456 I | etcdmain: etcd Version: 3.4.23',
      '2026-01-01 10:00:00.200000 C | etcdmain: listen tcp 0.0.0.0:2379: bind: address already in use',
      '2026-01-01T10:00:00Z rune-supervise: etcd (pid 9) exited with status 1',
      '2026-01-01T10:00:00Z rune-supervise: restarting etcd in 4 s',
      '',
    ].join('\n');
    expect(logTail(log)).toEqual([
      'I | etcdmain: etcd Version: 3.4.23',
      'C | etcdmain: listen tcp 0.0.0.0:2379: bind: address already in use',
    ]);
    const state = { name: 'etcd', state: 'running', restarts: 3, exitCode: 1 };
    expect(serviceDetail('etcd', 'is restarting', state, log)).toBe(
      'service etcd is restarting (3 restarts, last exit 1): I | etcdmain: etcd Version: 3.4.23 | ' +
        'C | etcdmain: listen tcp 0.0.0.0:2379: bind: address already in use',
    );
    const zap = [
      '{"level":"warn","ts":"2026-01-01T10:00:00.913Z","caller":"etcdmain/etcd.go:176","msg":"failed to start etcd","error":"listen tcp 0.0.0.0:2379: bind: address already in use"}',
      '{"level":"fatal","ts":"2026-01-01T10:00:00.913Z","msg":"discovery failed","error":"listen tcp 0.0.0.0:2379: bind: address already in use","stacktrace":"go.etcd.io/etcd/etcdmain.startEtcdOrProxyV2"}',
      '{"not":"a log entry"}',
    ].join('\n');
    expect(logTail(zap, 3)).toEqual([
      'warn failed to start etcd: listen tcp 0.0.0.0:2379: bind: address already in use',
      'fatal discovery failed: listen tcp 0.0.0.0:2379: bind: address already in use',
      '{"not":"a log entry"}',
    ]);
    expect(serviceDetail('etcd', 'is stopped', { name: 'etcd', state: 'stopped' }, '')).toBe(
      'service etcd is stopped',
    );
  });
});

describe('a verdict on the unit', () => {
  const unit = started({ ping: { spec: PING }, etcd: { spec: SERVICE } });

  it('a first failure sets the status and makes update-status due', () => {
    const judged = applyVerdicts(
      unit,
      { ping: { ok: false, detail: 'connection refused' }, etcd: { ok: true } },
      'active',
    );
    expect(judged.trigger).toBe(true);
    expect(judged.local.requeued).toBe(true);
    expect(judged.local.checks?.['ping']).toEqual({
      spec: PING,
      failing: 'connection refused',
      failedRuns: 1,
    });
    expect(judged.status).toEqual({
      kind: 'maintenance',
      message: 'health check ping failed: connection refused',
    });
  });

  it('a service failing with a new restart count updates the status without another update-status', () => {
    const failing = started({
      etcd: { spec: SERVICE, failing: 'service etcd is restarting (1 restart)', failedRuns: 4 },
    });
    const judged = applyVerdicts(
      failing,
      { etcd: { ok: false, detail: 'service etcd is restarting (2 restarts)' } },
      'maintenance',
    );
    expect(judged.trigger).toBe(false);
    expect(judged.local.requeued).toBeUndefined();
    expect(judged.status?.message).toBe(
      'health check etcd failed: service etcd is restarting (2 restarts)',
    );
    const same = applyVerdicts(
      judged.local,
      { etcd: { ok: false, detail: 'service etcd is restarting (2 restarts)' } },
      'maintenance',
    );
    expect(same.trigger).toBe(false);
    expect(same.status).toBeUndefined();
    expect(same.local.checks?.['etcd']?.failedRuns).toBe(6);
  });

  it('a check that goes on failing asks for a reconcile again, less and less often', () => {
    let local: LocalState = started({ etcd: { spec: SERVICE } });
    const asked: number[] = [];
    for (let run = 1; run <= 100; run++) {
      const judged = applyVerdicts(
        { ...local, requeued: false },
        { etcd: { ok: false, detail: 'service etcd is stopped' } },
        'maintenance',
      );
      if (judged.trigger) asked.push(run);
      local = judged.local;
    }
    expect(asked).toEqual([1, 2, 4, 8, 16, 32, 64, 96]);
  });

  it('a command check failing with something new makes update-status due again', () => {
    const failing = started({ ping: { spec: PING, failing: 'refused' } });
    const judged = applyVerdicts(failing, { ping: { ok: false, detail: 'timed out' } }, 'active');
    expect(judged.trigger).toBe(true);
    expect(judged.local.requeued).toBe(true);
    expect(judged.status?.message).toBe('health check ping failed: timed out');
  });

  it('a pass after a failure leaves the status to the charm, and makes update-status due', () => {
    const failing = started({ ping: { spec: PING, failing: 'refused' } });
    const judged = applyVerdicts(failing, { ping: { ok: true } }, 'maintenance');
    expect(judged).toEqual({
      local: { ...failing, checks: { ping: { spec: PING } }, requeued: true },
      trigger: true,
    });
  });

  it('never hides a blocked unit, and ignores a check removed meanwhile', () => {
    const judged = applyVerdicts(unit, { ping: { ok: false, detail: 'refused' } }, 'blocked');
    expect(judged.status).toBeUndefined();
    expect(judged.trigger).toBe(true);
    const gone = applyVerdicts(unit, { old: { ok: false, detail: 'refused' } }, 'active');
    expect(gone).toEqual({ local: unit, trigger: false });
  });
});
