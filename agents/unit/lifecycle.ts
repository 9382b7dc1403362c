// A unit agent's lifecycle as an xstate machine (DESIGN §6): three parallel regions — the unit's
// life (alive → dying → dead), its agent status (allocating → executing ⇄ idle), and its hook
// queue (running, or stopped by a failed hook until a retry or `rune resolve`). The runtime
// feeds it one event per thing it does and writes the status it lands in; an event the current
// state does not accept is a bug in the runtime, refused rather than papered over. Pure: the
// state comes from the store each time (level-triggered), transitions are xstate's `transition`.
import { and, not, or, setup, stateIn, transition } from 'xstate';
import { RuneError } from '../../core/model/errors.js';
import type { Life } from '../../core/model/status.js';

export type LifecycleEvent =
  | { type: 'HOOK_STARTED'; hook: string; retry: boolean }
  | { type: 'HOOK_COMMITTED' }
  | { type: 'HOOK_FAILED' }
  /** `rune resolve --no-retry`: the failed hook is skipped, the queue runs again. */
  | { type: 'HOOK_SKIPPED' }
  /** An operator's action runs between hooks, even while a failed hook waits (as in Juju). */
  | { type: 'ACTION_STARTED'; action: string }
  | { type: 'ACTION_FINISHED' }
  | { type: 'DYING' }
  /** `remove` ran: the unit leaves the model. */
  | { type: 'REMOVED' };

export const unitLifecycle = setup({
  types: { events: {} as LifecycleEvent },
  guards: {
    isRetry: ({ event }) => event.type === 'HOOK_STARTED' && event.retry,
    // A hook runs while the unit is not dead, and when the queue runs or this is the retry
    // of the hook that stopped it.
    mayRun: and([not(stateIn('#dead')), or([stateIn('#running'), 'isRetry'])]),
    queueStopped: stateIn('#stopped'),
    notDead: not(stateIn('#dead')),
  },
}).createMachine({
  // Regions see each other through these guards: `can()` on a parallel machine is true when any
  // region takes the event, so every region that must agree says so here.
  id: 'unit',
  type: 'parallel',
  states: {
    life: {
      initial: 'alive',
      states: {
        alive: { on: { DYING: 'dying', REMOVED: 'dead' } },
        dying: { on: { REMOVED: 'dead' } },
        dead: { id: 'dead', type: 'final' },
      },
    },
    agent: {
      initial: 'allocating',
      states: {
        allocating: {
          on: {
            HOOK_STARTED: { target: 'executing', guard: 'mayRun' },
            ACTION_STARTED: { target: 'executing', guard: 'notDead' },
          },
        },
        // Re-entered when the controller died mid-hook: the hook runs again (at least once).
        executing: {
          on: {
            HOOK_STARTED: { target: 'executing', guard: 'mayRun' },
            ACTION_STARTED: { target: 'executing', guard: 'notDead' },
            HOOK_COMMITTED: 'idle',
            HOOK_FAILED: 'idle',
            ACTION_FINISHED: 'idle',
          },
        },
        idle: {
          on: {
            HOOK_STARTED: { target: 'executing', guard: 'mayRun' },
            ACTION_STARTED: { target: 'executing', guard: 'notDead' },
            HOOK_SKIPPED: { target: 'idle', guard: 'queueStopped' },
          },
        },
      },
    },
    queue: {
      initial: 'running',
      states: {
        running: { id: 'running', on: { HOOK_FAILED: 'stopped' } },
        stopped: {
          id: 'stopped',
          on: {
            HOOK_STARTED: { target: 'running', guard: 'isRetry' },
            HOOK_SKIPPED: 'running',
          },
        },
      },
    },
  },
});

export type AgentState = 'allocating' | 'executing' | 'idle';
export interface LifecycleState {
  life: Life;
  agent: AgentState;
  queue: 'running' | 'stopped';
}

export class LifecycleError extends RuneError {
  readonly kind = 'internal';

  constructor(
    readonly unit: string,
    readonly state: LifecycleState,
    readonly event: LifecycleEvent['type'],
  ) {
    super(
      `unit ${unit}: ${event} is not possible while ${state.life}, ${state.agent}, queue ` +
        `${state.queue}; this is a bug in Rune's unit agent, please report it`,
    );
  }
}

const lifeOf = (life: Life): 'alive' | 'dying' | 'dead' =>
  life === 'alive' ? 'alive' : life === 'dying' ? 'dying' : 'dead';

/**
 * Transitions already worked out, by state and event: the machine has 18 states and its guards
 * read only the state and a hook's `retry`, and xstate resolving a state costs ~0.5 ms, paid
 * twice per hook on the controller's one thread while a deploy's hooks run.
 */
const transitions = new Map<string, LifecycleState | undefined>();

/** The state after `event`, or a LifecycleError when the state does not accept it. */
export function nextLifecycle(
  unit: string,
  state: LifecycleState,
  event: LifecycleEvent,
): LifecycleState {
  const life = lifeOf(state.life);
  const retry = event.type === 'HOOK_STARTED' && event.retry;
  const key = `${life} ${state.agent} ${state.queue} ${event.type} ${retry}`;
  if (!transitions.has(key)) {
    const from = unitLifecycle.resolveState({
      value: { life, agent: state.agent, queue: state.queue },
    });
    const to = from.can(event) ? transition(unitLifecycle, from, event)[0].value : undefined;
    transitions.set(key, to && { life: to.life, agent: to.agent, queue: to.queue });
  }
  const next = transitions.get(key);
  if (next === undefined) throw new LifecycleError(unit, state, event.type);
  return { ...next };
}

/** The lifecycle state the store records for a unit: its life, its agent status, and whether a
 * failed hook waits (a retry already in flight means the queue runs again). */
export function lifecycleOf(
  unit: { life: Life; agentStatus: { current: string } },
  local: { failed?: unknown; inFlight?: unknown },
): LifecycleState {
  const agent = unit.agentStatus.current;
  return {
    life: unit.life,
    agent: agent === 'allocating' || agent === 'executing' ? agent : 'idle',
    queue: local.failed !== undefined && local.inFlight === undefined ? 'stopped' : 'running',
  };
}
