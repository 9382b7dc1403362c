// One step of a unit agent (DESIGN §6): read state, ask the resolver, run at most one hook under
// the machine lock, and commit its outcome — bags, status, charm state and resolver state — in
// one store transaction; a failed hook commits only the error. The agent status each step
// writes is where the unit's lifecycle machine (lifecycle.ts) lands. I/O arrives injected.
import { hookName, type Hook } from '../../core/charm/hooks.js';
import type { CharmMachine } from '../../core/charm/context-types.js';
import { runHook, type CharmModule } from '../../core/charm/sdk.js';
import type { Charm } from '../../core/charm/types.js';
import { redact } from '../../core/model/redact.js';
import type { ApplicationRecord, JsonValue, Store, UnitRecord } from '../../core/store/types.js';
import { lifecycleOf, nextLifecycle } from './lifecycle.js';
import { runAction } from './action-run.js';
import { commit, prepare } from './hook-io.js';
import { readRemoteState } from './remote-state.js';
import { applyHook, failHook, nextOp, requeue, startHook } from './resolver.js';
import { initialLocalState, type LocalState, type RemoteState } from './state.js';

export interface LoadedCharm {
  charm: Charm;
  module: CharmModule;
}

export interface UnitRuntimeDeps {
  store: Store;
  loadCharm(app: ApplicationRecord): Promise<LoadedCharm>;
  machine(machineId: string): Promise<CharmMachine>;
  /** The unit's address (its machine's), pre-set as `private-address`. */
  address(machineId: string): string;
  /** One hook per machine (DESIGN §5), and in the controller a global bound too. */
  lock: { acquire(machineId: string, signal?: AbortSignal): Promise<() => void> };
  now(): number;
  updateStatusIntervalMs: number;
  /** Delay before an automatic retry of a failed hook (DESIGN §6: 5 s doubling to 5 min). */
  retryDelayMs(retries: number): number;
  /** After a hook's outcome is committed: the relations whose bags it changed, and whether it
   * changed the application's leader settings. */
  onCommit?(unit: string, relations: number[], leaderSettings: boolean): void;
  /** Hook start and end, for debug-log followers and the event bus. */
  onHook?(event: {
    unit: string;
    hook: string;
    phase: 'start' | 'end';
    outcome?: 'ok' | 'error';
  }): void;
}

export type StepResult = 'ran' | 'skipped' | 'idle' | 'wait-retry' | 'done' | 'missing';

export const defaultRetryDelay = (retries: number): number =>
  Math.min(5_000 * 2 ** Math.max(retries - 1, 0), 300_000);

/** Whether the unit has a hook due now (a wait on "all idle" must also wait for these). */
export function hasWorkDue(
  name: string,
  deps: Pick<UnitRuntimeDeps, 'store' | 'now' | 'updateStatusIntervalMs'>,
): boolean {
  const unit = deps.store.unit(name);
  if (!unit) return false;
  const runtime = deps.store.unitRuntime(name);
  const local = (runtime?.localState as LocalState | undefined) ?? initialLocalState();
  const remote = readRemoteState(deps.store, unit, deps.now(), deps.updateStatusIntervalMs);
  const op = nextOp(local, remote);
  // update-status is periodic upkeep, not work a deploy waits for.
  return (
    (op.kind === 'run-hook' && op.hook.kind !== 'update-status') ||
    op.kind === 'skip-hook' ||
    deps.store.nextAction(name) !== undefined
  );
}

/** Runs the unit's next operation, if any; what happened is the result. */
export async function stepUnit(name: string, deps: UnitRuntimeDeps): Promise<StepResult> {
  const { store } = deps;
  const unit = store.unit(name);
  const app = unit && store.application(unit.application);
  if (!unit || !app) return 'missing';
  const runtime = store.unitRuntime(name);
  const local = (runtime?.localState as LocalState | undefined) ?? initialLocalState();
  const remote: RemoteState = readRemoteState(store, unit, deps.now(), deps.updateStatusIntervalMs);
  const op = nextOp(local, remote);
  switch (op.kind) {
    case 'idle':
    case 'wait-retry': {
      // Actions run when no hook is due, even while a failed hook waits (as in Juju).
      const action = store.nextAction(name);
      if (!action) return op.kind;
      await runAction(unit, app, action, local, remote.isLeader, runtime?.charmState ?? {}, deps);
      return 'ran';
    }
    case 'done':
      // `remove` ran, the last hook ever (DESIGN §6): the unit leaves the model.
      nextLifecycle(name, lifecycleOf(unit, local), { type: 'REMOVED' });
      store.transaction(() => {
        if (store.leader(unit.application) === name) store.setLeader(unit.application, undefined);
        store.removeUnit(name);
      });
      return 'done';
    case 'skip-hook':
      nextLifecycle(name, lifecycleOf(unit, local), { type: 'HOOK_SKIPPED' });
      store.setUnitRuntime(name, {
        localState: applyHook(local, op.hook, remote),
        resolved: undefined,
        retryAt: undefined,
      });
      return 'skipped';
    case 'run-hook':
      await runOne(
        unit,
        app,
        op.hook,
        local,
        remote,
        runtime?.charmState ?? {},
        runtime?.retries ?? 0,
        deps,
      );
      return 'ran';
  }
}

async function runOne(
  unit: UnitRecord,
  app: ApplicationRecord,
  hook: Hook,
  local: LocalState,
  remote: RemoteState,
  charmState: Record<string, JsonValue>,
  retries: number,
  deps: UnitRuntimeDeps,
): Promise<void> {
  const { store } = deps;
  const name = hookName(hook);
  const iso = () => new Date(deps.now()).toISOString();
  const release = await deps.lock.acquire(unit.machine);
  try {
    const executing = nextLifecycle(unit.name, lifecycleOf(unit, local), {
      type: 'HOOK_STARTED',
      hook: name,
      retry: remote.resolved === 'retry',
    });
    const started = startHook(local, hook);
    const logId = store.transaction(() => {
      store.setUnitRuntime(unit.name, { localState: started, resolved: undefined });
      store.setUnitStatus(unit.name, {
        agentStatus: { current: executing.agent, message: `running ${name} hook`, since: iso() },
      });
      return store.hookStarted({
        unit: unit.name,
        hook: name,
        detail: { ...hook },
        startedAt: iso(),
      });
    });
    deps.onHook?.({ unit: unit.name, hook: name, phase: 'start' });
    // Loading the charm's code or reaching its machine can fail too: that is this hook failing,
    // with the same error state and retries, never a unit silently stuck.
    const result = await prepare(unit, app, hook, remote.isLeader, charmState, deps).then(
      ({ module, input }) => runHook(module, input),
      (error: unknown) => ({ ok: false as const, error, logs: [] }),
    );
    if (result.ok) {
      const leaderSettings = store.transaction(() => {
        const changed = commit(
          store,
          unit,
          result.outcome,
          result.outcome.requeue === true
            ? requeue(applyHook(started, hook, remote))
            : applyHook(started, hook, remote),
          charmState,
          iso(),
          nextLifecycle(unit.name, executing, { type: 'HOOK_COMMITTED' }).agent,
        );
        store.hookEnded(logId, 'ok', iso(), '', result.outcome.logs);
        return changed;
      });
      deps.onHook?.({ unit: unit.name, hook: name, phase: 'end', outcome: 'ok' });
      deps.onCommit?.(
        unit.name,
        result.outcome.relations.map((r) => r.relationId),
        leaderSettings,
      );
      return;
    }
    const message = redact(
      result.error instanceof Error ? result.error.message : String(result.error),
    );
    const failed = nextLifecycle(unit.name, executing, { type: 'HOOK_FAILED' });
    store.transaction(() => {
      store.setUnitRuntime(unit.name, {
        localState: failHook(started, hook),
        retries: retries + 1,
        retryAt: deps.now() + deps.retryDelayMs(retries + 1),
        resolved: undefined,
      });
      store.setUnitStatus(unit.name, {
        workloadStatus: { current: 'error', message: `hook failed: "${name}"`, since: iso() },
        agentStatus: { current: failed.agent, message: '', since: iso() },
      });
      store.hookEnded(logId, 'error', iso(), message, result.logs);
    });
    deps.onHook?.({ unit: unit.name, hook: name, phase: 'end', outcome: 'error' });
  } finally {
    release();
  }
}
