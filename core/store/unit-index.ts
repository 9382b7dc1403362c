// Lookups over the store's unit index (Store.unitIndex): the index is one shared frozen array
// until the units change, so a grouping of it is built once per array, not once per question.
// Asking "which units are on machine M" of every machine by filtering the index was quadratic:
// 10,000 machines answering their first probe after a restart took ~8 s of the controller's CPU.
import type { UnitIndexEntry } from './types.js';

const byMachine = new WeakMap<readonly UnitIndexEntry[], Map<string, UnitIndexEntry[]>>();

/** The units on machine `id` (principals and subordinates), in the index's order. */
export function unitsOnMachine(
  index: readonly UnitIndexEntry[],
  id: string,
): readonly UnitIndexEntry[] {
  let groups = byMachine.get(index);
  if (groups === undefined) {
    groups = new Map();
    for (const u of index) {
      const list = groups.get(u.machine);
      if (list) list.push(u);
      else groups.set(u.machine, [u]);
    }
    // Only a frozen index is shared and unchanging; another is grouped afresh each time.
    if (Object.isFrozen(index)) byMachine.set(index, groups);
  }
  return groups.get(id) ?? [];
}
