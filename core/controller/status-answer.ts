// `GET /v1/status`: the model's status as `rune status` shows it, narrowed on the controller to
// the patterns asked for (status-filter.ts), so a one-unit status of a large model builds,
// probes and sends only what it shows. The unit rows are read once per model change.
import type { MachineStatusView, StatusResponse } from './api.js';
import { lostMachines, modelStatus, type StatusScope } from './model-status.js';
import { classify, filterStatus } from './status-filter.js';
import type { Store, UnitRecord } from '../store/types.js';

export interface StatusSources {
  model: StatusResponse['model'];
  store: Store;
  /** The event bus's generation: it moves on every store write (observed-store.ts). */
  generation: number;
  /** The machines' views (only those in `only`, if given); with `probe`, a round trip first. */
  machines(probe: boolean, only?: ReadonlySet<string>): Promise<Record<string, MachineStatusView>>;
}

/** The last unit rows read, by store, and the generation they were read at: 10,000 rows take
 * ~90 ms to read, and a settled model's status is asked for far more often than it changes. */
const unitRows = new WeakMap<Store, { generation: number; units: readonly UnitRecord[] }>();

function units(sources: StatusSources): readonly UnitRecord[] {
  const cached = unitRows.get(sources.store);
  if (cached?.generation === sources.generation) return cached.units;
  const read = Object.freeze(sources.store.units().map((u) => Object.freeze(u)));
  unitRows.set(sources.store, { generation: sources.generation, units: read });
  return read;
}

export async function answerStatus(
  sources: StatusSources,
  probe: boolean,
  patterns: readonly string[],
): Promise<StatusResponse> {
  const { model, store } = sources;
  const rows = units(sources);
  const build = (machines: Record<string, MachineStatusView>, scope?: StatusScope) => {
    const addresses = new Map(Object.entries(machines).map(([id, m]) => [id, m['dns-name']]));
    const reads = { units: rows, addresses };
    return { model, machines, ...modelStatus(store, lostMachines(machines), scope, reads) };
  };
  if (patterns.length === 0) return build(await sources.machines(probe));
  const { scope, machines: shown } = statusScope(patterns, rows);
  // The scope holds at least what the filter keeps (and the machines it shows, which are all
  // that are read and probed); the filter itself decides, as in the CLI.
  return filterStatus(build(await sources.machines(probe, shown), scope), patterns);
}

/**
 * What a filtered status needs built, from the unit records alone: the principal units the
 * patterns match by name or machine, those carrying a matched subordinate, every unit of a named
 * application; their applications and their subordinates' applications; and their machines.
 */
export function statusScope(
  patterns: readonly string[],
  units: readonly UnitRecord[],
): { scope: StatusScope; machines: Set<string> } {
  const p = classify(patterns);
  const subordinatesOf = new Map<string, UnitRecord[]>();
  for (const u of units) {
    if (u.principal === undefined) continue;
    const subs = subordinatesOf.get(u.principal);
    if (subs) subs.push(u);
    else subordinatesOf.set(u.principal, [u]);
  }
  const applications = new Set(p.applications);
  const machines = new Set(p.machines);
  const wanted = new Set<string>();
  for (const u of units) {
    if (u.principal !== undefined) continue;
    const subs = subordinatesOf.get(u.name) ?? [];
    const matched =
      p.applications.has(u.application) ||
      p.units.has(u.name) ||
      p.machines.has(u.machine) ||
      subs.some((s) => p.units.has(s.name) || p.applications.has(s.application));
    if (!matched) continue;
    wanted.add(u.name);
    applications.add(u.application);
    machines.add(u.machine);
    for (const s of subs) applications.add(s.application);
  }
  return { scope: { applications, unit: (u) => wanted.has(u.name) }, machines };
}
