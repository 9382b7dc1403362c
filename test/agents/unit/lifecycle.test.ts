// The unit agent's lifecycle machine (xstate): the statuses a user sees follow it, and the
// transitions Rune must never make are refused.
import { describe, expect, it } from 'vitest';
import {
  LifecycleError,
  type LifecycleState,
  lifecycleOf,
  nextLifecycle,
} from '../../../agents/unit/lifecycle.js';

const fresh: LifecycleState = { life: 'alive', agent: 'allocating', queue: 'running' };
const start = (retry = false) => ({ type: 'HOOK_STARTED', hook: 'install', retry }) as const;

describe('unit lifecycle', () => {
  it('goes allocating → executing → idle as hooks run and commit', () => {
    const executing = nextLifecycle('db/0', fresh, start());
    expect(executing).toEqual({ life: 'alive', agent: 'executing', queue: 'running' });
    expect(nextLifecycle('db/0', executing, { type: 'HOOK_COMMITTED' })).toEqual({
      life: 'alive',
      agent: 'idle',
      queue: 'running',
    });
  });

  it('stops the queue on a failed hook until the retry or a skip', () => {
    const failed = nextLifecycle('db/0', nextLifecycle('db/0', fresh, start()), {
      type: 'HOOK_FAILED',
    });
    expect(failed).toEqual({ life: 'alive', agent: 'idle', queue: 'stopped' });
    expect(() => nextLifecycle('db/0', failed, start())).toThrow(LifecycleError);
    expect(() => nextLifecycle('db/0', failed, start())).toThrow(
      'unit db/0: HOOK_STARTED is not possible while alive, idle, queue stopped',
    );
    expect(nextLifecycle('db/0', failed, start(true)).queue).toBe('running');
    expect(nextLifecycle('db/0', failed, { type: 'HOOK_SKIPPED' }).queue).toBe('running');
  });

  it('re-runs an in-flight hook after a crash, and never commits what did not start', () => {
    const executing: LifecycleState = { life: 'alive', agent: 'executing', queue: 'running' };
    expect(nextLifecycle('db/0', executing, start()).agent).toBe('executing');
    expect(() => nextLifecycle('db/0', fresh, { type: 'HOOK_COMMITTED' })).toThrow(LifecycleError);
  });

  it('ends with removal, after which nothing runs', () => {
    const dying = nextLifecycle('db/0', { ...fresh, agent: 'idle' }, { type: 'DYING' });
    expect(dying.life).toBe('dying');
    const dead = nextLifecycle('db/0', dying, { type: 'REMOVED' });
    expect(dead.life).toBe('dead');
    expect(() => nextLifecycle('db/0', dead, start())).toThrow(LifecycleError);
  });

  it('reads the state from what the store records', () => {
    const unit = { life: 'dying' as const, agentStatus: { current: 'executing' } };
    expect(lifecycleOf(unit, { failed: { kind: 'install' } })).toEqual({
      life: 'dying',
      agent: 'executing',
      queue: 'stopped',
    });
    // A retry in flight: the queue runs again.
    expect(lifecycleOf(unit, { failed: {}, inFlight: {} }).queue).toBe('running');
  });
});
