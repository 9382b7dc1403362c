// One step of a unit agent (DESIGN §6): read state, ask the resolver, run at most one hook under
// the machine lock, and commit its outcome — bags, status, charm state and resolver state — in
// one store transaction; a failed hook commits only the error. The agent status each step
// writes is where the unit's lifecycle machine (lifecycle.ts) lands. I/O arrives injected.
import { hookName, type Hook } from '../../core/charm/hooks.js';
import type {
  CharmMachine,
  HookContextInput,
  HookOutcome,
  RelationState,
} from '../../core/charm/context-types.js';
import { runHook, type CharmModule } from '../../core/charm/sdk.js';
import type { Charm } from '../../core/charm/types.js';
import { assertDatabag } from '../../core/interfaces/registry.js';
import { redact } from '../../core/model/redact.js';
import type { ConfigValues } from '../../core/model/types.js';
import type { ApplicationRecord, JsonValue, Store, UnitRecord } from '../../core/store/types.js';
import { type AgentState, lifecycleOf, nextLifecycle } from './lifecycle.js';
import { readRemoteState, unitRelations } from './remote-state.js';
import { applyHook, failHook, nextOp, startHook } from './resolver.js';
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

/** Config with the charm's defaults under what the operator set. */
export function effectiveConfig(charm: Charm, config: ConfigValues): ConfigValues {
  const out: ConfigValues = {};
  for (const option of Object.values(charm.config.options)) {
    if (option.default !== undefined) out[option.name] = option.default;
  }
  return { ...out, ...config };
}

function relationStates(store: Store, unit: UnitRecord, hook: Hook): RelationState[] {
  return unitRelations(store, unit).map((view) => {
    const id = view.relation.id;
    const inScope = new Set(view.units);
    // A departing unit's data stays readable in its -departed hook (as in Juju).
    if ('remoteUnit' in hook && hook.relationId === id && hook.remoteUnit)
      inScope.add(hook.remoteUnit);
    const bags = store.databags(id);
    const remoteUnits: Record<string, Record<string, string>> = {};
    for (const u of inScope) remoteUnits[u] = bags[u] ?? {};
    return {
      id,
      endpoint: view.mine.name,
      remoteApp: view.other.application,
      local: bags[unit.name] ?? {},
      app: bags[unit.application] ?? {},
      remoteUnits,
      remoteAppData: bags[view.other.application] ?? {},
    };
  });
}

const storeWrites = (writes: Record<string, string | null>): Record<string, string> =>
  Object.fromEntries(Object.entries(writes).map(([k, v]) => [k, v ?? '']));

function commit(
  store: Store,
  unit: UnitRecord,
  outcome: HookOutcome,
  local: LocalState,
  charmState: Record<string, JsonValue>,
  now: string,
  agent: AgentState,
): boolean {
  for (const rel of outcome.relations) {
    if (Object.keys(rel.unit).length > 0)
      store.writeDatabag(rel.relationId, unit.name, storeWrites(rel.unit));
    if (Object.keys(rel.app).length > 0)
      store.writeDatabag(rel.relationId, unit.application, storeWrites(rel.app));
  }
  const state = { ...charmState, ...(outcome.state.set as Record<string, JsonValue>) };
  for (const key of outcome.state.deleted) delete state[key];
  store.setUnitRuntime(unit.name, {
    localState: local,
    charmState: state,
    retries: 0,
    retryAt: undefined,
    resolved: undefined,
  });
  store.setUnitStatus(unit.name, {
    agentStatus: { current: agent, message: '', since: now },
    ...(outcome.status
      ? {
          workloadStatus: {
            current: outcome.status.kind,
            message: outcome.status.message,
            since: now,
          },
        }
      : {}),
  });
  // Only a leader's hook can hold writes here (the context refuses a follower's); the lease
  // outlives any hook, so it still leads now.
  return (
    Object.keys(outcome.leaderSettings).length > 0 &&
    store.writeLeaderSettings(unit.application, outcome.leaderSettings)
  );
}

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
  return (op.kind === 'run-hook' && op.hook.kind !== 'update-status') || op.kind === 'skip-hook';
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
    case 'wait-retry':
      return op.kind;
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

async function prepare(
  unit: UnitRecord,
  app: ApplicationRecord,
  hook: Hook,
  remote: RemoteState,
  charmState: Record<string, JsonValue>,
  deps: UnitRuntimeDeps,
): Promise<{ module: CharmModule; input: HookContextInput }> {
  const { charm, module } = await deps.loadCharm(app);
  const input: HookContextInput = {
    meta: charm.meta,
    hook,
    unit: unit.name,
    config: effectiveConfig(charm, app.config),
    isLeader: remote.isLeader,
    leaderSettings: deps.store.leaderSettings(unit.application),
    privateAddress: deps.address(unit.machine),
    relations: relationStates(deps.store, unit, hook),
    state: charmState,
    machine: await deps.machine(unit.machine),
    redact,
    // Data a hook writes is checked against its interface's schema (DESIGN §7): a violation
    // fails the hook with the relation, owner and key named, and nothing is committed.
    validateWrite: (relation, owner, bag) =>
      assertDatabag({
        interface: relation.interface,
        role: relation.role,
        scope: owner.includes('/') ? 'unit' : 'app',
        bag,
        relation: `${unit.application}:${relation.endpoint} - ${relation.remoteApp}`,
        owner,
        when: 'write',
      }),
  };
  return { module, input };
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
    const result = await prepare(unit, app, hook, remote, charmState, deps).then(
      ({ module, input }) => runHook(module, input),
      (error: unknown) => ({ ok: false as const, error, logs: [] }),
    );
    if (result.ok) {
      const leaderSettings = store.transaction(() => {
        const changed = commit(
          store,
          unit,
          result.outcome,
          applyHook(started, hook, remote),
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
