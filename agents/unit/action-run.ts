// An operator's action on a unit (DESIGN §7, `rune run`): it runs between hooks under the
// machine lock, sees the same context a hook does, and commits its bags, state and status like
// one; its results and outcome go to the action record. A failing action fails only itself —
// the unit is not put in error, as in Juju.
import { runHook } from '../../core/charm/sdk.js';
import { redact } from '../../core/model/redact.js';
import type {
  ActionRecord,
  ApplicationRecord,
  JsonValue,
  UnitRecord,
} from '../../core/store/types.js';
import { commit, prepare } from './hook-io.js';
import { lifecycleOf, nextLifecycle } from './lifecycle.js';
import type { UnitRuntimeDeps } from './runtime.js';
import type { LocalState } from './state.js';

export async function runAction(
  unit: UnitRecord,
  app: ApplicationRecord,
  action: ActionRecord,
  local: LocalState,
  isLeader: boolean,
  charmState: Record<string, JsonValue>,
  deps: UnitRuntimeDeps,
): Promise<void> {
  const { store } = deps;
  const iso = () => new Date(deps.now()).toISOString();
  const hookName = `${action.name}-action`;
  const release = await deps.lock.acquire(unit.machine);
  try {
    const executing = nextLifecycle(unit.name, lifecycleOf(unit, local), {
      type: 'ACTION_STARTED',
      action: action.name,
    });
    store.transaction(() => {
      store.startAction(action.id, iso());
      store.setUnitStatus(unit.name, {
        agentStatus: {
          current: executing.agent,
          message: `running action ${action.name}`,
          since: iso(),
        },
      });
    });
    deps.onHook?.({ unit: unit.name, hook: hookName, phase: 'start' });
    const hook = { kind: 'action' as const, action: action.name };
    const result = await prepare(unit, app, hook, isLeader, charmState, deps).then(
      ({ module, input }) =>
        runHook(module, { ...input, action: { name: action.name, params: action.params } }),
      (error: unknown) => ({ ok: false as const, error, logs: [] }),
    );
    const idle = nextLifecycle(unit.name, executing, { type: 'ACTION_FINISHED' }).agent;
    if (result.ok) {
      const outcome = result.outcome;
      const failed = outcome.action?.failed;
      const leaderSettings = store.transaction(() => {
        const changed = commit(store, unit, outcome, undefined, charmState, iso(), idle);
        store.finishAction(
          action.id,
          failed === undefined ? 'completed' : 'failed',
          outcome.action?.results ?? {},
          failed ?? '',
          iso(),
        );
        return changed;
      });
      deps.onHook?.({
        unit: unit.name,
        hook: hookName,
        phase: 'end',
        outcome: failed === undefined ? 'ok' : 'error',
      });
      deps.onCommit?.(
        unit.name,
        outcome.relations.map((r) => r.relationId),
        leaderSettings,
      );
      return;
    }
    const message = redact(
      result.error instanceof Error ? result.error.message : String(result.error),
    );
    store.transaction(() => {
      store.finishAction(action.id, 'failed', {}, message, iso());
      store.setUnitStatus(unit.name, { agentStatus: { current: idle, message: '', since: iso() } });
    });
    deps.onHook?.({ unit: unit.name, hook: hookName, phase: 'end', outcome: 'error' });
  } finally {
    release();
  }
}
