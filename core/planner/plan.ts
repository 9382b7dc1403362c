// plan(bundle, model): the changes that make a live model match a resolved bundle (DESIGN §8),
// as Juju's bundle deploy plans them. Pure and deterministic: same inputs, same list.
import type { BundleApplication, BundleMachine, ResolvedBundle } from '../bundle/types.js';
import { type ConfigValues, type ModelSnapshot, relationKey } from '../model/types.js';
import { PlanBuilder } from './builder.js';
import type { Change, ChangeOf } from './change.js';
import { indexUnits, mapBundleMachines } from './machines.js';
import { orderChanges } from './order.js';
import { addUnits, neededMachines, unitSlots } from './units.js';
import { own } from '../model/own.js';

export interface PlanOptions {
  /** The bundle's machine ids are the model's own (`rune deploy CHARM --to N`, as Juju's --to
   * places on existing machine N): a unit placed on one goes there, and no machine is made. The
   * caller has checked that they exist. */
  existingMachines?: boolean;
}

export function plan(
  bundle: ResolvedBundle,
  model: ModelSnapshot,
  options: PlanOptions = {},
): Change[] {
  const builder = new PlanBuilder(model.nextMachineId);
  // The validator sorts both already; sorting again (linear on sorted input) keeps the plan
  // independent of whoever built the bundle.
  const applications = [...bundle.applications].sort((a, b) => compare(a.name, b.name));
  const machines = [...bundle.machines].sort((a, b) => Number(a.id) - Number(b.id));

  const deployIds = new Map<string, string>();
  for (const app of applications) {
    const deployed = applicationChanges(builder, app, model);
    if (deployed !== undefined) deployIds.set(app.name, deployed);
  }

  const existingUnits = indexUnits(model);
  const mapping = mapBundleMachines(applications, existingUnits);
  if (options.existingMachines) for (const { id } of machines) mapping.set(id, id);
  const slots = unitSlots(applications, model, existingUnits);
  const addedMachines = addMachines(builder, machines, neededMachines(slots, mapping));

  const present = new Set(model.relations.map((r) => relationKey(r.endpoints)));
  for (const relation of bundle.relations) {
    const key = relationKey(relation.endpoints);
    if (present.has(key)) continue;
    present.add(key);
    const [a, b] = relation.endpoints;
    const requires = [deployIds.get(a.application), deployIds.get(b.application)].filter(
      (id, i, all): id is string => id !== undefined && all.indexOf(id) === i,
    );
    builder.add('addRelation', requires, {
      endpoints: [
        { application: a.application, name: a.name },
        { application: b.application, name: b.name },
      ],
    });
  }

  addUnits(builder, slots, { existingUnits, mapping, addedMachines, deployIds });
  return orderChanges(builder.changes);
}

/** deploy (+ expose), or refresh / setConfig / setConstraints / expose; returns the deploy id. */
function applicationChanges(
  builder: PlanBuilder,
  app: BundleApplication,
  model: ModelSnapshot,
): string | undefined {
  const current = own(model.applications, app.name);
  if (!current) {
    const deploy = builder.add('deploy', [], {
      application: app.name,
      charm: app.charm,
      options: sortedValues(app.options, Object.keys(app.options)),
      constraints: app.constraints,
    });
    if (app.expose) builder.add('expose', [deploy.id], { application: app.name });
    return deploy.id;
  }
  const refresh =
    current.charm === app.charm
      ? undefined
      : builder.add('refresh', [], { application: app.name, charm: app.charm });
  // Options of a new charm may exist only there, so they wait for the refresh.
  const afterRefresh = refresh ? [refresh.id] : [];
  const changed = Object.keys(app.options).filter(
    (k) => !Object.hasOwn(current.config, k) || current.config[k] !== app.options[k],
  );
  if (changed.length > 0) {
    builder.add('setConfig', afterRefresh, {
      application: app.name,
      options: sortedValues(app.options, changed),
    });
  }
  if (app.constraints !== '' && app.constraints !== current.constraints) {
    builder.add('setConstraints', [], { application: app.name, constraints: app.constraints });
  }
  if (app.expose && !current.exposed) builder.add('expose', [], { application: app.name });
  return undefined;
}

/** One addMachine per declared machine a new unit needs, in numeric order; the rest wait. */
function addMachines(
  builder: PlanBuilder,
  machines: readonly BundleMachine[],
  needed: ReadonlySet<string>,
): Map<string, ChangeOf<'addMachine'>> {
  const added = new Map<string, ChangeOf<'addMachine'>>();
  for (const machine of machines) {
    if (!needed.has(machine.id)) continue;
    const change = builder.add('addMachine', [], {
      machine: builder.allocateMachine(),
      bundleMachine: machine.id,
      constraints: machine.constraints,
    });
    added.set(machine.id, change);
  }
  return added;
}

/** A copy holding `keys` in sorted order, so the plan's JSON never depends on input key order. */
function sortedValues(values: ConfigValues, keys: string[]): ConfigValues {
  const out: ConfigValues = {};
  for (const key of [...keys].sort(compare)) out[key] = values[key] as ConfigValues[string];
  return out;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
