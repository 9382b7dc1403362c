// What a hook (or action) run reads and writes in the store (DESIGN §6–7): the context input
// built from the model — config with defaults, relations with the bags in scope, leader
// settings, the machine — and the commit of a successful outcome in one transaction.
import { readFileSync } from 'node:fs';
import type {
  ActionHook,
  HookContextInput,
  HookOutcome,
  RelationState,
} from '../../core/charm/context-types.js';
import type { Hook } from '../../core/charm/hooks.js';
import type { CharmModule } from '../../core/charm/sdk.js';
import type { Charm } from '../../core/charm/types.js';
import { schemaValidateWrite } from '../../core/interfaces/registry.js';
import { redact } from '../../core/model/redact.js';
import type { ConfigValues } from '../../core/model/types.js';
import type { ApplicationRecord, JsonValue, Store, UnitRecord } from '../../core/store/types.js';
import type { AgentState } from './lifecycle.js';
import { unitRelations } from './remote-state.js';
import type { UnitRuntimeDeps } from './runtime.js';
import type { LocalState } from './state.js';

/** Config with the charm's defaults under what the operator set. */
export function effectiveConfig(charm: Charm, config: ConfigValues): ConfigValues {
  const out: ConfigValues = {};
  for (const option of Object.values(charm.config.options)) {
    if (option.default !== undefined) out[option.name] = option.default;
  }
  return { ...out, ...config };
}

export function relationStates(
  store: Store,
  unit: UnitRecord,
  hook: Hook | ActionHook,
): RelationState[] {
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

export function commit(
  store: Store,
  unit: UnitRecord,
  outcome: HookOutcome,
  /** Resolver state to record; an action leaves it as it is. */
  local: LocalState | undefined,
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
  if (local) {
    store.setUnitRuntime(unit.name, {
      localState: local,
      charmState: state,
      retries: 0,
      retryAt: undefined,
      resolved: undefined,
    });
  } else store.setUnitRuntime(unit.name, { charmState: state });
  // A status set again unchanged keeps its `since`, as Juju's does: it says how long the
  // workload has been in that state, not when a hook last ran.
  const was = unit.workloadStatus;
  const changed =
    outcome.status !== undefined &&
    (was?.current !== outcome.status.kind || was.message !== outcome.status.message);
  store.setUnitStatus(unit.name, {
    agentStatus: { current: agent, message: '', since: now },
    ...(outcome.status && changed
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

/** Juju's goal-state for one application: its alive units, by unit number. */
export function goalUnits(store: Store, application: string): string[] {
  const number = (name: string) => Number(name.slice(name.indexOf('/') + 1));
  return store
    .unitIndex()
    .filter((u) => u.application === application && u.life === 'alive')
    .map((u) => u.name)
    .sort((a, b) => number(a) - number(b));
}

export async function prepare(
  unit: UnitRecord,
  app: ApplicationRecord,
  hook: Hook | ActionHook,
  isLeader: boolean,
  charmState: Record<string, JsonValue>,
  deps: UnitRuntimeDeps,
): Promise<{ module: CharmModule; input: HookContextInput }> {
  const { charm, module } = await deps.loadCharm(app);
  const input: HookContextInput = {
    meta: charm.meta,
    hook,
    unit: unit.name,
    config: effectiveConfig(charm, app.config),
    isLeader,
    leaderSettings: deps.store.leaderSettings(unit.application),
    privateAddress: deps.address(unit.machine),
    goalUnits: goalUnits(deps.store, unit.application),
    relations: relationStates(deps.store, unit, hook),
    state: charmState,
    machine: await deps.machine(unit.machine),
    redact,
    // Data a hook writes is checked against its interface's schema (DESIGN §7): a violation
    // fails the hook with the relation, owner and key named, and nothing is committed.
    validateWrite: schemaValidateWrite(
      (relation) => `${unit.application}:${relation.endpoint} - ${relation.remoteApp}`,
    ),
    resource: (name) => fetchResource(deps, unit, charm, name),
  };
  return { module, input };
}

/** Where the machine keeps an application's attached files. */
export const resourcePath = (app: string, name: string, filename: string): string =>
  `/var/lib/rune/resources/${app}/${name}/${filename}`;

/** Puts the attached file on the unit's machine unless the same bytes are already there. */
async function fetchResource(
  deps: UnitRuntimeDeps,
  unit: UnitRecord,
  charm: Charm,
  name: string,
): Promise<string | undefined> {
  const record = deps.store.resources(unit.application).find((r) => r.name === name);
  if (!record) return undefined;
  const path = resourcePath(unit.application, name, charm.meta.resources[name]?.filename ?? name);
  const machine = await deps.machine(unit.machine);
  const have = await machine.run(`sha256sum '${path}' 2>/dev/null || true`);
  if (have.stdout.toString().startsWith(record.sha256)) return path;
  await machine.writeFile(path, readFileSync(record.file), { mode: 0o755 });
  return path;
}
