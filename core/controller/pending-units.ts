// What `--wait` waits for: units with a hook due (`due`, the unit agents' answer), units still
// waiting for a machine, units a running rollout has yet to move, and whether a deploy is still
// being applied (a resumed one adds units no status has shown yet).
import type { Store } from '../store/types.js';
import { unitsToRoll } from './rollouts.js';

export function pendingUnits(
  store: Store,
  due: (unit: string) => boolean,
): { units: string[]; deploying: boolean } {
  const machines = new Set(store.machines().map((m) => m.id));
  const rolling = unitsToRoll(store);
  const units = store
    .units()
    .filter((u) => !machines.has(u.machine) || rolling.has(u.name) || due(u.name))
    .map((u) => u.name);
  return { units, deploying: store.unfinishedDeploys().length > 0 };
}
