// ctx.checks (DESIGN §11): what a health check spec may say, declarations committed with the
// hook as net changes, and a failing check's status kept over what a hook says until it passes.
import { describe, expect, it } from 'vitest';
import {
  HealthCheckSpecError,
  HookFinishedError,
  checkSpecIssues,
  checkTimeoutMs,
  createHookContext,
  defineCharm,
  failingStatus,
  runHook,
} from '../../../core/charm/index.js';
import type { DeclaredCheck, HookOutcome } from '../../../core/charm/index.js';
import { input } from './sdk-helpers.js';

const PING = { command: 'curl -fsS http://127.0.0.1/health', everyMs: 10_000 };
const SERVICE = { service: 'web', everyMs: 10_000 };

async function outcomeOf(
  body: Parameters<typeof defineCharm>[0]['reconcile'],
  checks?: Record<string, DeclaredCheck>,
): Promise<HookOutcome> {
  const result = await runHook(defineCharm({ reconcile: body }), input(checks ? { checks } : {}));
  if (!result.ok) throw result.error as Error;
  return result.outcome;
}

describe('health check specs', () => {
  it('takes a command or a service with an interval, and defaults a timeout within it', () => {
    expect(checkSpecIssues('ping', PING)).toEqual([]);
    expect(checkSpecIssues('web', SERVICE)).toEqual([]);
    expect(checkTimeoutMs(PING)).toBe(5_000);
    expect(checkTimeoutMs({ command: 'true', everyMs: 2_000 })).toBe(2_000);
    expect(checkTimeoutMs({ ...PING, timeoutMs: 800 })).toBe(800);
  });

  it('says every problem at once', () => {
    expect(checkSpecIssues('Bad Name', { command: '', everyMs: 10, timeoutMs: 50 })).toEqual([
      'name: must match [a-z0-9][a-z0-9-]* (at most 64 characters)',
      'everyMs: must be a whole number of milliseconds from 1000 to 86400000, got 10',
      'command: must be a non-empty shell command without NUL bytes',
      'timeoutMs: must be a whole number of milliseconds from 100 to everyMs, got 50',
    ]);
    const both = { ...PING, service: 'web' } as unknown as typeof PING;
    expect(checkSpecIssues('ping', both)).toEqual([
      'give either command (a shell command) or service (a service name), not both',
    ]);
    expect(checkSpecIssues('ping', { ...PING, timeoutMs: 20_000 })).toHaveLength(1);
  });

  it('refuses a bad spec when the hook declares it, naming the unit and the check', () => {
    const { ctx } = createHookContext(input());
    expect(() => ctx.checks.set('ping', { command: 'true', everyMs: 100 })).toThrow(
      new HealthCheckSpecError('web/0', 'ping', [
        'everyMs: must be a whole number of milliseconds from 1000 to 86400000, got 100',
      ]),
    );
  });
});

describe('ctx.checks', () => {
  it('commits what a hook declares or removes as net changes', async () => {
    const before = { old: { spec: PING }, kept: { spec: SERVICE } };
    const outcome = await outcomeOf((ctx) => {
      ctx.checks.set('ping', PING);
      ctx.checks.set('kept', { ...SERVICE });
      ctx.checks.remove('old');
      ctx.checks.remove('never-declared');
    }, before);
    expect(outcome.checks).toEqual({ set: { ping: PING }, removed: ['old'] });
  });

  it('leaves no change when a hook declares the same checks again', async () => {
    const outcome = await outcomeOf(
      (ctx) => {
        ctx.checks.set('ping', { everyMs: 10_000, command: PING.command });
      },
      { ping: { spec: PING, failing: 'connection refused' } },
    );
    expect(outcome.checks).toBeUndefined();
  });

  it('tells the hook which checks fail', async () => {
    let seen: Readonly<Record<string, string>> = {};
    await outcomeOf(
      (ctx) => {
        seen = ctx.checks.failing();
      },
      { ping: { spec: PING, failing: 'connection refused' }, web: { spec: SERVICE } },
    );
    expect(seen).toEqual({ ping: 'connection refused' });
  });

  it('refuses a declaration after the hook finished', () => {
    const run = createHookContext(input());
    run.finish();
    expect(() => run.ctx.checks.set('ping', PING)).toThrow(HookFinishedError);
  });
});

describe('a failing check in the status a hook leaves', () => {
  const failing = {
    ping: { spec: PING, failing: 'curl: (7) Failed to connect' },
    web: { spec: SERVICE, failing: 'service web is stopped (2 restarts, last exit 1)' },
  };

  it('stands over active until the check passes, the service check first', async () => {
    const outcome = await outcomeOf((ctx) => ctx.status.set('active', 'Serving'), failing);
    expect(outcome.status).toEqual({
      kind: 'maintenance',
      message:
        'health check web failed: service web is stopped (2 restarts, last exit 1) (also failing: ping)',
    });
  });

  it('gives way to blocked, and to nothing: a hook that says nothing leaves the status', async () => {
    const blocked = await outcomeOf((ctx) => ctx.status.set('blocked', 'Bad config'), failing);
    expect(blocked.status).toEqual({ kind: 'blocked', message: 'Bad config' });
    expect((await outcomeOf(() => undefined, failing)).status).toBeUndefined();
  });

  it('is gone once the hook removes or changes the check', async () => {
    const outcome = await outcomeOf((ctx) => {
      ctx.checks.remove('web');
      ctx.checks.set('ping', { ...PING, everyMs: 5_000 });
      ctx.status.set('active', 'Serving');
    }, failing);
    expect(outcome.status).toEqual({ kind: 'active', message: 'Serving' });
  });

  it('says nothing when no check fails', () => {
    expect(failingStatus({ ping: { spec: PING } })).toBeUndefined();
    expect(failingStatus(undefined)).toBeUndefined();
  });
});
