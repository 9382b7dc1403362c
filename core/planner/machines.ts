// What the planner reads of the model's units, indexed once, and the mapping from a bundle's
// placeholder machine ids to the model machines its existing units already stand on.
import type { BundleApplication } from '../bundle/types.js';
import type { ModelSnapshot } from '../model/types.js';

export interface ExistingUnit {
  name: string;
  number: number;
  machine: string;
}

/** Each application's alive units, sorted by unit number (the order bundle indices follow). */
export function indexUnits(model: ModelSnapshot): Map<string, ExistingUnit[]> {
  const byApp = new Map<string, ExistingUnit[]>();
  for (const unit of Object.values(model.units)) {
    const number = Number(unit.name.slice(unit.name.lastIndexOf('/') + 1));
    let list = byApp.get(unit.application);
    if (!list) byApp.set(unit.application, (list = []));
    list.push({ name: unit.name, number, machine: unit.machine });
  }
  for (const list of byApp.values()) list.sort((a, b) => a.number - b.number);
  return byApp;
}

/**
 * Bundle machine → model machine, inferred as Juju does from where units already run: the k-th
 * existing unit of an application (by number) stands for its k-th placement, so a placement on
 * bundle machine M says M is that unit's machine. The first such unit (application name order,
 * then unit order) decides; placements beside another unit say nothing about machines.
 */
export function mapBundleMachines(
  applications: readonly BundleApplication[],
  existingUnits: ReadonlyMap<string, readonly ExistingUnit[]>,
): Map<string, string> {
  const mapping = new Map<string, string>();
  for (const app of applications) {
    const units = existingUnits.get(app.name);
    if (!units) continue;
    const matched = Math.min(units.length, app.placements.length);
    for (let i = 0; i < matched; i++) {
      const target = app.placements[i]?.target;
      const unit = units[i];
      if (target?.kind === 'machine' && unit && !mapping.has(target.machine)) {
        mapping.set(target.machine, unit.machine);
      }
    }
  }
  return mapping;
}
