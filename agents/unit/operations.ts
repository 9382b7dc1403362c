// The unit agent's operations (DESIGN §6, after juju's uniter): run-hook, skip-hook (`rune
// resolve --no-retry`) and run-action, each as prepare → execute → commit over one snapshot.
// Prepare records that the operation started (before any side effect, so an in-flight hook is
// re-run after a crash) and builds its context; commit writes the whole outcome and is called
// by the executor inside its one commit transaction. No locking or notifying here: executor.ts.
import type { ActionHook, CharmMachine } from '../../core/charm/context-types.js';
import { hookName, type Hook } from '../../core/charm/hooks.js';
import { runHook, type HookResult, type LoadedCharm } from '../../core/charm/sdk.js';
import { redact } from '../../core/model/redact.js';
import type { BagChange } from '../../core/model/types.js';
import type { ActionRecord, ApplicationRecord, Store } from '../../core/store/types.js';
import { hookInput } from './hook-input.js';
import type { AgentState, LifecycleEvent } from './lifecycle.js';
import { writeOutcome } from './outcome.js';
import { seeOwnAppData } from './relation-resolver.js';
import { declareChecks } from './health-verdict.js';
import { fetchResource } from './resources.js';
import { applyHook, failHook, requeue, startHook } from './resolver.js';
import { hookData, type HookData, type Snapshot } from './snapshot.js';
import { own } from '../../core/model/own.js';

/** What an operation needs from the controller. */
export interface OperationDeps {
  store: Store;
  loadCharm(app: ApplicationRecord): Promise<LoadedCharm>;
  machine(machineId: string): Promise<CharmMachine>;
  /** The unit's address (its machine's), pre-set as `private-address`. */
  address(machineId: string): string;
  now(): number;
  /** Delay before an automatic retry of a failed hook (DESIGN §6: 5 s doubling to 5 min). */
  retryDelayMs(retries: number): number;
}

/** What a commit changed, for the executor to tell others. */
export interface Committed {
  outcome: 'ok' | 'error';
  /** Relations whose bags it changed, and who sees each change. */
  relations: BagChange[];
  leaderSettings: boolean;
}

export interface Operation {
  /** As debug-log names it: the hook's name, `<action>-action`. */
  readonly name: string;
  /** The lifecycle event it starts with (checked by the executor before anything runs). */
  readonly start: LifecycleEvent;
  /** The lifecycle event once it ran, from its result; none for an operation that runs nothing. */
  end(result: HookResult): LifecycleEvent | undefined;
  /** Records the start (agent status `agent`) and builds the context; false: nothing to run. */
  prepare(agent: AgentState): Promise<(() => Promise<HookResult>) | false>;
  /** Writes the outcome; called inside the executor's one commit transaction. */
  commit(result: HookResult, agent: AgentState): Committed;
}

const iso = (deps: OperationDeps) => new Date(deps.now()).toISOString();

const errorText = (error: unknown): string =>
  redact(error instanceof Error ? error.message : String(error));

/** Loading the charm's code or reaching its machine can fail too: that is the operation failing,
 * with the same error state and retries, never a unit silently stuck. */
async function contextOf(
  snapshot: Snapshot,
  data: HookData,
  hook: Hook | ActionHook,
  deps: OperationDeps,
): Promise<
  (extra?: { action: { name: string; params: Record<string, unknown> } }) => Promise<HookResult>
> {
  try {
    const { charm, module } = await deps.loadCharm(snapshot.app);
    const machine = await deps.machine(snapshot.unit.machine);
    const input = hookInput(snapshot, data, hook, {
      charm,
      machine,
      privateAddress: deps.address(snapshot.unit.machine),
      resource: (name) =>
        fetchResource(deps, snapshot.unit, charm, name, own(snapshot.resources, name)),
    });
    return (extra) => runHook(module, { ...input, ...extra });
  } catch (error) {
    return () => Promise.resolve({ ok: false, error, logs: [] });
  }
}

export function runHookOperation(snapshot: Snapshot, hook: Hook, deps: OperationDeps): Operation {
  const { store } = deps;
  const { unit, local, remote } = snapshot;
  const name = hookName(hook);
  const started = startHook(local, hook);
  let logId = 0;
  return {
    name,
    start: { type: 'HOOK_STARTED', hook: name, retry: remote.resolved === 'retry' },
    end: (result) => ({ type: result.ok ? 'HOOK_COMMITTED' : 'HOOK_FAILED' }),
    async prepare(agent) {
      const at = iso(deps);
      logId = store.transaction(() => {
        store.setUnitRuntime(unit.name, { localState: started, resolved: undefined });
        store.setUnitStatus(unit.name, {
          agentStatus: { current: agent, message: `running ${name} hook`, since: at },
        });
        return store.hookStarted({
          unit: unit.name,
          hook: name,
          detail: { ...hook },
          startedAt: at,
        });
      });
      return contextOf(snapshot, hookData(snapshot), hook, deps);
    },
    commit(result, agent) {
      const at = iso(deps);
      if (!result.ok) {
        const retries = snapshot.retries + 1;
        store.setUnitRuntime(unit.name, {
          // The first failure's status is kept across retries: later ones replace an error.
          localState: {
            ...failHook(started, hook),
            workloadBeforeFailure: local.workloadBeforeFailure ?? unit.workloadStatus,
          },
          retries,
          retryAt: deps.now() + deps.retryDelayMs(retries),
          resolved: undefined,
        });
        store.setUnitStatus(unit.name, {
          workloadStatus: { current: 'error', message: `hook failed: "${name}"`, since: at },
          agentStatus: { current: agent, message: '', since: at },
        });
        store.hookEnded(logId, 'error', at, errorText(result.error), result.logs);
        return { outcome: 'error', relations: [], leaderSettings: false };
      }
      const { outcome } = result;
      const { workloadBeforeFailure: held, ...applied } = applyHook(started, hook, remote);
      const written = writeOutcome(store, { snapshot, outcome, agent, at });
      // A retry that succeeds without setting a status must not leave "retrying hook" behind.
      if (held && outcome.status === undefined)
        store.setUnitStatus(unit.name, { workloadStatus: held });
      const declared = declareChecks(applied, outcome.checks);
      store.setUnitRuntime(unit.name, {
        localState: seeOwnAppData(
          outcome.requeue === true ? requeue(declared) : declared,
          ownAppVersions(store, snapshot),
        ),
        charmState: written.charmState,
        retries: 0,
        retryAt: undefined,
        resolved: undefined,
      });
      store.hookEnded(logId, 'ok', at, '', outcome.logs);
      return {
        outcome: 'ok',
        relations: written.relations,
        leaderSettings: written.leaderSettings,
      };
    },
  };
}

/** The versions of the app bags this unit owns (a leader's peer relations), as committed. */
function ownAppVersions(store: Store, snapshot: Snapshot): Map<number, number> {
  const versions = new Map<number, number>();
  for (const rel of snapshot.remote.relations) {
    if (rel.ownAppData !== true) continue;
    versions.set(rel.id, store.databagVersions(rel.id)[snapshot.unit.application] ?? 0);
  }
  return versions;
}

/** `rune resolve --no-retry`: the failed hook counts as done without running. */
export function skipHookOperation(snapshot: Snapshot, hook: Hook, deps: OperationDeps): Operation {
  const { unit, local, remote } = snapshot;
  return {
    name: hookName(hook),
    start: { type: 'HOOK_SKIPPED' },
    end: () => undefined,
    prepare: () => Promise.resolve(false),
    commit(_result, agent) {
      const at = iso(deps);
      const { workloadBeforeFailure: held, ...next } = applyHook(local, hook, remote);
      deps.store.setUnitRuntime(unit.name, {
        localState: next,
        resolved: undefined,
        retryAt: undefined,
      });
      // The skip is done: "skipping hook" (rune resolve's word) gives way to what the charm had
      // said before the hook failed (unknown if that was never kept), and the agent is no longer
      // in error.
      deps.store.setUnitStatus(unit.name, {
        agentStatus: { current: agent, message: '', since: at },
        workloadStatus: held ?? { current: 'unknown', message: '', since: at },
      });
      return { outcome: 'ok', relations: [], leaderSettings: false };
    },
  };
}

/**
 * An operator's action (`rune run`): the same context a hook sees, its bags, state and status
 * committed like a hook's; its results go to the action record. A failing action fails only
 * itself — the unit is not put in error, as in Juju.
 */
export function runActionOperation(
  snapshot: Snapshot,
  action: ActionRecord,
  deps: OperationDeps,
): Operation {
  const { store } = deps;
  const { unit } = snapshot;
  const hook: ActionHook = { kind: 'action', action: action.name };
  return {
    name: `${action.name}-action`,
    start: { type: 'ACTION_STARTED', action: action.name },
    end: () => ({ type: 'ACTION_FINISHED' }),
    async prepare(agent) {
      const at = iso(deps);
      store.transaction(() => {
        store.startAction(action.id, at);
        store.setUnitStatus(unit.name, {
          agentStatus: { current: agent, message: `running action ${action.name}`, since: at },
        });
      });
      const run = await contextOf(snapshot, hookData(snapshot), hook, deps);
      return () => run({ action: { name: action.name, params: action.params } });
    },
    commit(result, agent) {
      const at = iso(deps);
      if (!result.ok) {
        store.finishAction(action.id, 'failed', {}, errorText(result.error), at);
        store.setUnitStatus(unit.name, { agentStatus: { current: agent, message: '', since: at } });
        return { outcome: 'error', relations: [], leaderSettings: false };
      }
      const { outcome } = result;
      const written = writeOutcome(store, { snapshot, outcome, agent, at });
      store.setUnitRuntime(unit.name, {
        charmState: written.charmState,
        ...(outcome.checks ? { localState: declareChecks(snapshot.local, outcome.checks) } : {}),
      });
      const failed = outcome.action?.failed;
      store.finishAction(
        action.id,
        failed === undefined ? 'completed' : 'failed',
        outcome.action?.results ?? {},
        failed ?? '',
        at,
      );
      return {
        outcome: failed === undefined ? 'ok' : 'error',
        relations: written.relations,
        leaderSettings: written.leaderSettings,
      };
    },
  };
}
