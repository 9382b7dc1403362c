// `GET /v1/status`: the model's status as `rune status` shows it, narrowed on the controller to
// the patterns asked for (status-filter.ts), so a one-unit status of a large model builds,
// probes and sends only what it shows. The store's rows are read once per model change.
import type { MachineStatusView, StatusResponse } from './api.js';
import { lostMachines, modelStatus, type StatusScope } from './model-status.js';
import { classify, filterStatus } from './status-filter.js';
import type { MachineRecord, Store, UnitRecord } from '../store/types.js';
import { deepFreeze } from '../model/deep-freeze.js';

export interface StatusSources {
  model: StatusResponse['model'];
  store: Store;
  /** The event bus's generation: it moves on every store write (observed-store.ts) and on
   * every change of a machine's health, so a probe that finds something new moves it too. */
  generation(): number;
  /** These machines' views; with `probe`, a round trip on each first. */
  machines(
    probe: boolean,
    records: readonly MachineRecord[],
  ): Promise<Record<string, MachineStatusView>>;
}

/** The last unit rows read, by store, and the generation they were read at: at 10,000 units
 * the list takes 70–90 ms to read, and a settled model's status is asked for far more often
 * than it changes. Frozen: every status shares them. (The store keeps its machine list itself:
 * SqliteStore.machines.) */
const lastUnits = new WeakMap<Store, { generation: number; rows: readonly UnitRecord[] }>();

/** The last whole-model answer, by store: given again while neither the model nor anything
 * probed nor the model's own note (the resurrector's brake) has changed. Building it takes
 * ~85 ms at 10,000 units; a settled model's status is asked for far more often. Frozen: every
 * caller shares it, and its renderings are cached against it (status-text.ts). */
const lastAnswer = new WeakMap<
  Store,
  { generation: number; model: string; answer: StatusResponse }
>();

function unitRows(sources: StatusSources): readonly UnitRecord[] {
  const generation = sources.generation();
  const last = lastUnits.get(sources.store);
  if (last?.generation === generation) return last.rows;
  const rows = Object.freeze(sources.store.units().map((r) => Object.freeze(r)));
  lastUnits.set(sources.store, { generation, rows });
  return rows;
}

export async function answerStatus(
  sources: StatusSources,
  probe: boolean,
  patterns: readonly string[],
): Promise<StatusResponse> {
  const { model, store } = sources;
  const units = unitRows(sources);
  const build = (machines: Record<string, MachineStatusView>, scope?: StatusScope) => {
    const addresses = new Map(Object.entries(machines).map(([id, m]) => [id, m['dns-name']]));
    const reads = { units, addresses };
    return { model, machines, ...modelStatus(store, lostMachines(machines), scope, reads) };
  };
  if (patterns.length === 0) {
    const machines = await sources.machines(probe, store.machines());
    // Read after the probes: one that found a machine changed has moved it.
    const generation = sources.generation();
    const modelKey = JSON.stringify(model);
    const last = lastAnswer.get(store);
    if (last?.generation === generation && last.model === modelKey) return last.answer;
    const answer = deepFreeze(build(machines));
    lastAnswer.set(store, { generation, model: modelKey, answer });
    return answer;
  }
  const { scope, machines: shown } = statusScope(patterns, units);
  // Only the machines the answer shows are probed. The scope holds at least what the filter
  // keeps; the filter itself decides.
  const records = store.machines().filter((r) => shown.has(r.id));
  return filterStatus(build(await sources.machines(probe, records), scope), patterns);
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
