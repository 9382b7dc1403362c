// Collect-status: a hook adds statuses as it finds things out and leaves the most severe
// (blocked > maintenance > waiting > active; the first among equals); set starts over.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  Harness,
  HookFinishedError,
  type StatusKind,
  createHookContext,
  defineCharm,
} from '../../../core/charm/index.js';
import { mostSevere } from '../../../core/charm/status.js';
import { input } from './sdk-helpers.js';

const s = (kind: StatusKind, message: string = kind) => ({ kind, message });

describe('mostSevere', () => {
  it.each([
    [['active', 'waiting'], 'waiting'],
    [['waiting', 'maintenance'], 'maintenance'],
    [['maintenance', 'blocked'], 'blocked'],
    [['blocked', 'active', 'waiting', 'maintenance'], 'blocked'],
    [['active', 'maintenance', 'waiting'], 'maintenance'],
  ] as [StatusKind[], StatusKind][])('of %j is %s, whatever the order', (kinds, worst) => {
    expect(mostSevere(kinds.map((k) => s(k)))?.kind).toBe(worst);
    expect(mostSevere([...kinds].reverse().map((k) => s(k)))?.kind).toBe(worst);
  });

  it('keeps the first added among equally severe ones', () => {
    const first = s('waiting', 'Waiting for etcd');
    expect(mostSevere([s('active'), first, s('waiting', 'Waiting for certificates')])).toBe(first);
  });

  it('is undefined when nothing was added', () => {
    expect(mostSevere([])).toBeUndefined();
  });
});

describe('ctx.status', () => {
  function outcomeOf(
    hook: (status: ReturnType<typeof createHookContext>['ctx']['status']) => void,
  ) {
    const { ctx, finish } = createHookContext(input());
    hook(ctx.status);
    return finish().status;
  }

  it('leaves the most severe status added, not the last', () => {
    const left = outcomeOf((status) => {
      status.add('blocked', 'Missing relation to certificate authority.');
      status.add('waiting', 'Waiting for etcd');
      status.add('active', 'Running');
    });
    expect(left).toEqual(s('blocked', 'Missing relation to certificate authority.'));
  });

  it('lets set replace everything before it: a lone set is the last one set', () => {
    expect(
      outcomeOf((status) => {
        status.set('maintenance', 'Installing');
        status.set('active', 'Running');
      }),
    ).toEqual(s('active', 'Running'));
    expect(
      outcomeOf((status) => {
        status.add('blocked', 'bad config');
        status.set('active', 'Running');
      }),
    ).toEqual(s('active', 'Running'));
  });

  it('weighs statuses added after a set against it', () => {
    expect(
      outcomeOf((status) => {
        status.set('active', 'Running');
        status.add('waiting', 'Waiting for a peer');
      }),
    ).toEqual(s('waiting', 'Waiting for a peer'));
    expect(
      outcomeOf((status) => {
        status.set('waiting', 'Waiting for etcd');
        status.add('waiting', 'Waiting for a peer');
      }),
    ).toEqual(s('waiting', 'Waiting for etcd'));
  });

  it('leaves no status when the hook adds and sets none', () => {
    expect(outcomeOf(() => undefined)).toBeUndefined();
  });

  it('redacts added messages, and refuses an add after the hook returned', () => {
    const redact = (text: string) => text.replace(/secret-\w+/g, '[redacted]');
    const { ctx, finish } = createHookContext(input({ redact }));
    ctx.status.add('blocked', 'token secret-abc refused');
    expect(finish().status).toEqual(s('blocked', 'token [redacted] refused'));
    expect(() => ctx.status.add('active', 'late')).toThrow(HookFinishedError);
  });
});

describe('the harness', () => {
  const dir = fileURLToPath(new URL('../../fixtures/charms/sdk/counter', import.meta.url));
  const charm = defineCharm({
    reconcile: (ctx) => {
      if (ctx.config['port'] === 80) ctx.status.add('blocked', 'port 80 needs root');
      if (ctx.relations('cluster').length === 0) ctx.status.add('waiting', 'no peers');
      if (ctx.hookName !== 'update-status') ctx.status.add('active', 'counting');
    },
    actions: { report: () => undefined },
  });
  const harness = Harness.load(dir, charm);

  it('shows the status the hook left as the unit status, the previous one when it left none', async () => {
    const blocked = await harness.run(
      { unit: 'counter/0', config: { port: 80 } },
      'config-changed',
    );
    expect(blocked.state.status).toEqual(s('blocked', 'port 80 needs root'));
    const fixed = await harness.run({ ...blocked.state, config: {} }, 'config-changed');
    expect(fixed.state.status).toEqual(s('waiting', 'no peers'));
    expect(fixed.outcome?.status).toEqual(s('waiting', 'no peers'));
    const peered = await harness.run(
      {
        ...fixed.state,
        relations: [{ id: 1, endpoint: 'cluster', remoteApp: 'counter', remoteUnits: {} }],
      },
      'update-status',
    );
    expect(peered.outcome?.status).toBeUndefined();
    expect(peered.state.status).toEqual(s('waiting', 'no peers'));
  });
});
