// `GET /v1/status`: the model's status as `rune status` shows it, narrowed on the controller to
// the patterns asked for (status-filter.ts), so a one-unit status of a large model builds,
// probes and sends only what it shows.
import type { MachineStatusView, StatusResponse } from './api.js';
import { lostMachines, modelStatus, type StatusScope } from './model-status.js';
import { classify, filterStatus } from './status-filter.js';
import type { Store, UnitRecord } from '../store/types.js';

export interface StatusSources {
  model: StatusResponse['model'];
  store: Store;
  /** Every machine's view; with `probe`, a round trip first on those in `probed` (all if absent). */
  machines(
    probe: boolean,
    probed?: ReadonlySet<string>,
  ): Promise<Record<string, MachineStatusView>>;
}

export async function answerStatus(
  sources: StatusSources,
  probe: boolean,
  patterns: readonly string[],
): Promise<StatusResponse> {
  const { model, store } = sources;
  if (patterns.length === 0) {
    const machines = await sources.machines(probe);
    return { model, machines, ...modelStatus(store, lostMachines(machines)) };
  }
  const { scope, machines: shown } = statusScope(patterns, store.units());
  const machines = await sources.machines(probe, shown);
  // The scope holds at least what the filter keeps; the filter itself decides, as in the CLI.
  const part = { model, machines, ...modelStatus(store, lostMachines(machines), scope) };
  return filterStatus(part, patterns);
}

/**
 * What a filtered status needs built, from the unit records alone: the principal units the
 * patterns match by name or machine, those carrying a matched subordinate, every unit of a named
 * application; their applications and their subordinates' applications; and their machines.
 */
export function statusScope(
  patterns: readonly string[],
  units: UnitRecord[],
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
  return { scope: { applications, unit: (u) => wanted.has(u.name), units }, machines };
}
