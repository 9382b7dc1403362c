// Units on a controller without a provider (manual): a unit that needs a new machine takes a
// free one the operator added, whose facts satisfy its application's constraints; when none is
// free it waits, unplaced ("waiting for machine"), until `rune add-machine` brings one
// (DESIGN §8). Pure over the store.
import type { MachineFacts } from '../model/machine.js';
import type { Store } from '../store/types.js';

/** The machine of a unit that waits for one. */
export const UNPLACED = '';

const UNIT_BYTES: Record<string, number> = { M: 2 ** 20, G: 2 ** 30, T: 2 ** 40, P: 2 ** 50 };

/** Juju sizes: a number with an optional M/G/T/P suffix; plain numbers are MiB. */
function sizeBytes(value: string): number {
  const match = /^(\d+(?:\.\d+)?)([MGTP]?)$/.exec(value);
  if (!match) return Number.POSITIVE_INFINITY; // the bundle validator refuses these first
  return Number(match[1]) * (UNIT_BYTES[match[2] || 'M'] ?? 0);
}

/**
 * Whether a machine's facts meet the constraints it can be judged on (arch, cores, mem,
 * root-disk); the others describe how a cloud makes machines and say nothing about one that
 * exists, so they are ignored, as Juju does for manual machines. Unknown facts satisfy nothing.
 */
export function satisfies(facts: MachineFacts | undefined, constraints: string): boolean {
  for (const term of constraints.trim().split(/\s+/)) {
    const eq = term.indexOf('=');
    if (eq <= 0 || eq === term.length - 1) continue;
    const key = term.slice(0, eq);
    const value = term.slice(eq + 1);
    if (!['arch', 'cores', 'cpu-cores', 'mem', 'root-disk'].includes(key)) continue;
    if (!facts) return false;
    if (key === 'arch' && facts.arch !== value) return false;
    if ((key === 'cores' || key === 'cpu-cores') && facts.cores < Number(value)) return false;
    // 5% slack: the kernel keeps some memory, and 4G machines report a little under 4 GiB.
    if (key === 'mem' && facts.memoryBytes < sizeBytes(value) * 0.95) return false;
    if (key === 'root-disk' && facts.rootDiskBytes < sizeBytes(value)) return false;
  }
  return true;
}

/** The lowest-numbered alive machine with no unit on it (and not in `taken`) that satisfies
 * the constraints. */
export function freeMachine(
  store: Store,
  constraints: string,
  taken: ReadonlySet<string> = new Set(),
): string | undefined {
  const used = new Set(store.unitIndex().map((u) => u.machine));
  return store
    .machines()
    .filter((m) => m.life === 'alive' && !used.has(m.id) && !taken.has(m.id))
    .sort((a, b) => Number(a.id) - Number(b.id))
    .find((m) => satisfies(m.facts, constraints))?.id;
}

/** Puts waiting principal units (lowest first) and their subordinates on free machines;
 * the units placed. */
export function placeWaitingUnits(store: Store): string[] {
  const waiting = store
    .unitIndex()
    .filter((u) => u.machine === UNPLACED && u.principal === undefined && u.life === 'alive');
  const placed: string[] = [];
  for (const unit of waiting) {
    const constraints = store.application(unit.application)?.constraints ?? '';
    const machine = freeMachine(store, constraints);
    if (machine === undefined) continue;
    store.transaction(() => {
      store.setUnitMachine(unit.name, machine);
      for (const sub of store.unitIndex().filter((u) => u.principal === unit.name))
        store.setUnitMachine(sub.name, machine);
    });
    placed.push(unit.name);
  }
  return placed;
}
