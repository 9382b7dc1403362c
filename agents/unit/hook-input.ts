// The context a hook or action receives, built from one snapshot (DESIGN §6–7): config with the
// charm's defaults under what the operator set, the relations with the bags in scope, leader
// settings and goal-state. Pure: the machine and the resource fetcher arrive as arguments.
import type {
  ActionHook,
  CharmMachine,
  HookContextInput,
  RelationState,
} from '../../core/charm/context-types.js';
import type { Hook } from '../../core/charm/hooks.js';
import type { Charm } from '../../core/charm/types.js';
import { schemaValidateWrite } from '../../core/interfaces/registry.js';
import { redact } from '../../core/model/redact.js';
import type { ConfigValues } from '../../core/model/types.js';
import type { HookData, Snapshot } from './snapshot.js';

/** Config with the charm's defaults under what the operator set. */
export function effectiveConfig(charm: Charm, config: ConfigValues): ConfigValues {
  const out: ConfigValues = {};
  for (const option of Object.values(charm.config.options)) {
    if (option.default !== undefined) out[option.name] = option.default;
  }
  return { ...out, ...config };
}

export function relationStates(
  snapshot: Pick<Snapshot, 'unit' | 'views'>,
  data: HookData,
  hook: Hook | ActionHook,
): RelationState[] {
  const { unit } = snapshot;
  return snapshot.views.map((view) => {
    const id = view.relation.id;
    const inScope = new Set(view.units);
    // A departing unit's data stays readable in its -departed hook (as in Juju).
    if ('remoteUnit' in hook && hook.relationId === id && hook.remoteUnit)
      inScope.add(hook.remoteUnit);
    const bags = data.bags.get(id) ?? {};
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

export interface HookSurroundings {
  charm: Charm;
  machine: CharmMachine;
  /** The unit's address, pre-set as `private-address`. */
  privateAddress: string;
  resource: (name: string) => Promise<string | undefined>;
}

/** The input of `hook` (or an action) as the snapshot saw the model. */
export function hookInput(
  snapshot: Snapshot,
  data: HookData,
  hook: Hook | ActionHook,
  around: HookSurroundings,
): HookContextInput {
  const { unit, app, remote } = snapshot;
  return {
    meta: around.charm.meta,
    hook,
    unit: unit.name,
    config: effectiveConfig(around.charm, app.config),
    isLeader: remote.isLeader,
    leaderSettings: data.leaderSettings,
    privateAddress: around.privateAddress,
    goalUnits: data.goalUnits,
    relations: relationStates(snapshot, data, hook),
    state: snapshot.charmState,
    machine: around.machine,
    redact,
    // Data a hook writes is checked against its interface's schema (DESIGN §7): a violation
    // fails the hook with the relation, owner and key named, and nothing is committed.
    validateWrite: schemaValidateWrite(
      (relation) => `${unit.application}:${relation.endpoint} - ${relation.remoteApp}`,
    ),
    resource: around.resource,
    ...(snapshot.local.checks === undefined ? {} : { checks: snapshot.local.checks }),
  };
}
