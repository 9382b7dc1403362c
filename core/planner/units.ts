// The addUnit changes of a plan: which units each application still needs, and the machine each
// one lands on, following `new`, bundle machines and "beside unit N of app" (DESIGN §8).
import type { BundleApplication, UnitPlacement } from '../bundle/types.js';
import type { ModelSnapshot } from '../model/types.js';
import type { PlanBuilder } from './builder.js';
import type { AddUnitArgs, ChangeOf } from './change.js';
import { PlanConsistencyError, PlanInputError } from './errors.js';
import type { ExistingUnit } from './machines.js';
import { own } from '../model/own.js';

/** A unit this plan adds: bundle index `index` of `app`, to be named `unit`. */
export interface UnitSlot {
  app: BundleApplication;
  index: number;
  unit: string;
  placement: UnitPlacement;
}

export interface UnitContext {
  existingUnits: ReadonlyMap<string, readonly ExistingUnit[]>;
  /** Bundle machine → the existing model machine it was inferred to be. */
  mapping: ReadonlyMap<string, string>;
  /** Bundle machine → the addMachine change that creates it in this plan. */
  addedMachines: ReadonlyMap<string, ChangeOf<'addMachine'>>;
  /** Application → its deploy change in this plan. */
  deployIds: ReadonlyMap<string, string>;
}

/** Where a unit lands; `requires` is the change that makes that machine or the unit beside. */
interface Site {
  machine: string;
  existing: boolean;
  newMachine: boolean;
  requires?: string;
}

/**
 * Units past the ones each application already has, in application then index order. Existing
 * units beyond numUnits stay: deploy never removes (as Juju). Subordinates get no units of their
 * own; their units follow their principals' once related.
 */
export function unitSlots(
  applications: readonly BundleApplication[],
  model: ModelSnapshot,
  existingUnits: ReadonlyMap<string, readonly ExistingUnit[]>,
): UnitSlot[] {
  const slots: UnitSlot[] = [];
  for (const app of applications) {
    if (app.subordinate) continue;
    const existing = existingUnits.get(app.name)?.length ?? 0;
    const next = own(model.applications, app.name)?.nextUnitNumber ?? 0;
    for (let index = existing; index < app.numUnits; index++) {
      const placement = app.placements[index];
      if (!placement) throw new PlanInputError(app.name, `unit ${index} has no placement`);
      slots.push({ app, index, unit: `${app.name}/${next + index - existing}`, placement });
    }
  }
  return slots;
}

/** Declared machines a unit of this plan is placed on directly and that no existing unit maps. */
export function neededMachines(
  slots: readonly UnitSlot[],
  mapping: ReadonlyMap<string, string>,
): Set<string> {
  const needed = new Set<string>();
  for (const { placement } of slots) {
    const target = placement.target;
    if (target.kind === 'machine' && !mapping.has(target.machine)) needed.add(target.machine);
  }
  return needed;
}

/**
 * Creates one addUnit per slot, in slot order. A unit may sit beside a unit created later (an
 * application later in name order), so ids and fresh machine ids are handed out first, in
 * creation order, and "beside" chains are resolved after; the topological sort then puts each
 * unit after the unit it joins.
 */
export function addUnits(builder: PlanBuilder, slots: readonly UnitSlot[], ctx: UnitContext): void {
  const ids = slots.map((_, k) => builder.peekId('addUnit', k));
  const slotOf = new Map<string, number>();
  slots.forEach((slot, k) => slotOf.set(`${slot.app.name}/${slot.index}`, k));

  const sites: (Site | undefined)[] = slots.map((slot) => {
    const target = slot.placement.target;
    if (target.kind === 'new') {
      return { machine: builder.allocateMachine(), existing: false, newMachine: true };
    }
    if (target.kind === 'unit') return undefined;
    const mapped = ctx.mapping.get(target.machine);
    if (mapped !== undefined) return { machine: mapped, existing: true, newMachine: false };
    const added = ctx.addedMachines.get(target.machine);
    if (!added) {
      throw new PlanInputError(slot.app.name, `machine ${target.machine} is not declared`);
    }
    return { machine: added.args.machine, existing: false, newMachine: false, requires: added.id };
  });

  const visiting = new Uint8Array(slots.length);
  const resolve = (start: number): void => {
    const chain: number[] = [];
    let k = start;
    // Walk "beside" links until a unit whose machine is known; chains cross distinct apps.
    while (sites[k] === undefined) {
      if (visiting[k]) throw new PlanConsistencyError(ids[start] ?? '', 'placement cycle');
      visiting[k] = 1;
      const slot = slots[k] as UnitSlot;
      const target = slot.placement.target;
      if (target.kind !== 'unit') throw new PlanConsistencyError(ids[k] ?? '', 'no machine');
      const beside = ctx.existingUnits.get(target.application)?.[target.index];
      if (beside) {
        sites[k] = { machine: beside.machine, existing: true, newMachine: false };
        break;
      }
      const next = slotOf.get(`${target.application}/${target.index}`);
      if (next === undefined) {
        throw new PlanInputError(slot.app.name, `no unit ${target.index} of ${target.application}`);
      }
      chain.push(k);
      k = next;
    }
    for (let i = chain.length - 1; i >= 0; i--) {
      const self = chain[i] as number;
      const next = i + 1 < chain.length ? (chain[i + 1] as number) : k;
      const site = sites[next] as Site;
      sites[self] = {
        machine: site.machine,
        existing: site.existing,
        newMachine: false,
        requires: ids[next] as string,
      };
    }
  };
  for (let k = 0; k < slots.length; k++) if (sites[k] === undefined) resolve(k);

  slots.forEach((slot, k) => {
    const site = sites[k] as Site;
    const requires: string[] = [];
    const deploy = ctx.deployIds.get(slot.app.name);
    if (deploy !== undefined) requires.push(deploy);
    if (site.requires !== undefined) requires.push(site.requires);
    const args: AddUnitArgs = {
      application: slot.app.name,
      unit: slot.unit,
      machine: site.machine,
      newMachine: site.newMachine,
      existingMachine: site.existing,
    };
    if (site.newMachine) args.constraints = slot.app.constraints;
    if (slot.placement.container !== undefined) args.container = slot.placement.container;
    if (slot.placement.directive !== undefined) args.directive = slot.placement.directive;
    builder.add('addUnit', requires, args);
  });
}
