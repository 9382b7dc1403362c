// applyPlan: the model snapshot after a plan's changes, as the controller would leave it. Pure:
// the input is never mutated. Tests use it for idempotence; the sim provider will build on it.
import { type ModelSnapshot, relationKey } from '../model/types.js';
import type { ChangeData } from './change.js';
import { PlanConsistencyError } from './errors.js';

type SnapshotApplication = ModelSnapshot['applications'][string];

/**
 * Applies `changes` in list order. A change that does not fit (deploying an application that
 * exists, a unit on a missing machine, a change listed before one it requires) throws, so a
 * wrong plan fails loudly instead of producing a plausible model.
 */
export function applyPlan(model: ModelSnapshot, changes: readonly ChangeData[]): ModelSnapshot {
  const applications = { ...model.applications };
  const units = { ...model.units };
  const machines = { ...model.machines };
  const relations = [...model.relations];
  const relationKeys = new Set(relations.map((r) => relationKey(r.endpoints)));
  let nextMachineId = model.nextMachineId;

  // Requirements outside this list were applied earlier (a resumed journal); inside it, earlier.
  const listed = new Set(changes.map((c) => c.id));
  const applied = new Set<string>();

  const app = (change: ChangeData, name: string): SnapshotApplication => {
    const found = Object.hasOwn(applications, name) ? applications[name] : undefined;
    if (!found) throw new PlanConsistencyError(change.id, `no application ${name}`);
    return found;
  };
  const addMachine = (change: ChangeData, id: string) => {
    if (Object.hasOwn(machines, id)) {
      throw new PlanConsistencyError(change.id, `machine ${id} exists`);
    }
    machines[id] = { id };
    nextMachineId = Math.max(nextMachineId, Number(id) + 1);
  };

  for (const change of changes) {
    for (const id of change.requires) {
      if (listed.has(id) && !applied.has(id)) {
        throw new PlanConsistencyError(change.id, `comes before ${id}, which it requires`);
      }
    }
    switch (change.kind) {
      case 'deploy': {
        const { application, charm, options, constraints } = change.args;
        if (Object.hasOwn(applications, application)) {
          throw new PlanConsistencyError(change.id, `application ${application} exists`);
        }
        applications[application] = {
          name: application,
          charm,
          config: { ...options },
          constraints,
          exposed: false,
          nextUnitNumber: 0,
        };
        break;
      }
      case 'refresh': {
        const current = app(change, change.args.application);
        applications[current.name] = { ...current, charm: change.args.charm };
        break;
      }
      case 'setConfig': {
        const current = app(change, change.args.application);
        const config = { ...current.config, ...change.args.options };
        applications[current.name] = { ...current, config };
        break;
      }
      case 'setConstraints': {
        const current = app(change, change.args.application);
        applications[current.name] = { ...current, constraints: change.args.constraints };
        break;
      }
      case 'expose': {
        const current = app(change, change.args.application);
        applications[current.name] = { ...current, exposed: true };
        break;
      }
      case 'addMachine':
        addMachine(change, change.args.machine);
        break;
      case 'addUnit': {
        const { application, unit, machine, newMachine } = change.args;
        const current = app(change, application);
        if (Object.hasOwn(units, unit)) throw new PlanConsistencyError(change.id, `${unit} exists`);
        if (newMachine) addMachine(change, machine);
        else if (!Object.hasOwn(machines, machine)) {
          throw new PlanConsistencyError(change.id, `no machine ${machine}`);
        }
        units[unit] = { name: unit, application, machine };
        const number = Number(unit.slice(unit.lastIndexOf('/') + 1));
        const nextUnitNumber = Math.max(current.nextUnitNumber, number + 1);
        applications[application] = { ...current, nextUnitNumber };
        break;
      }
      case 'addRelation': {
        const endpoints = change.args.endpoints.map((e) => ({
          application: app(change, e.application).name,
          name: e.name,
        }));
        const key = relationKey(endpoints);
        if (relationKeys.has(key)) throw new PlanConsistencyError(change.id, `${key} exists`);
        relationKeys.add(key);
        relations.push({ endpoints });
        break;
      }
    }
    applied.add(change.id);
  }
  return { applications, units, machines, relations, nextMachineId };
}
