// `rune status FILTER...`: narrows a StatusResponse to the named applications, units and
// machines, as Juju's status patterns do (no wildcards yet). The controller applies it to answer
// only what was asked; the CLI's formatting applies it again, a no-op on an answer filtered
// already. Pure: a response in, a response out.
import type {
  ApplicationStatusView,
  RelationStatusView,
  StatusResponse,
  UnitStatusView,
} from './api.js';

/** `0` or `0/lxd/1` is a machine; `etcd/0` a unit; anything else an application. */
const MACHINE = /^\d+(\/[a-z]+\/\d+)*$/;

export interface Patterns {
  applications: Set<string>;
  units: Set<string>;
  machines: Set<string>;
}

export function classify(patterns: readonly string[]): Patterns {
  const p: Patterns = { applications: new Set(), units: new Set(), machines: new Set() };
  for (const pattern of patterns) {
    if (MACHINE.test(pattern)) p.machines.add(pattern);
    else if (pattern.includes('/')) p.units.add(pattern);
    else p.applications.add(pattern);
  }
  return p;
}

/**
 * Only what the patterns match (a union): a named application with all its units; a named unit
 * with its subordinates; every unit on a named machine; and the machines those units are on.
 * A principal unit is kept without a match of its own when it carries a matched subordinate,
 * because subordinates are only shown under their principal (DESIGN §10). Integrations are kept
 * when either end's application was matched. No patterns: the response unchanged.
 */
export function filterStatus(status: StatusResponse, patterns: readonly string[]): StatusResponse {
  if (patterns.length === 0) return status;
  const p = classify(patterns);
  const all = status.applications ?? {};
  const matched = new Set<string>();
  const apps: Record<string, ApplicationStatusView> = {};
  const machines = new Set([...p.machines].filter((id) => Object.hasOwn(status.machines, id)));

  for (const [name, app] of Object.entries(all)) {
    if (p.applications.has(name)) {
      matched.add(name);
      apps[name] = app;
      continue;
    }
    const units: Record<string, UnitStatusView> = {};
    for (const [unitName, unit] of Object.entries(app.units ?? {})) {
      if (p.units.has(unitName) || (unit.machine !== undefined && p.machines.has(unit.machine))) {
        matched.add(name);
        for (const sub of Object.keys(unit.subordinates ?? {})) matched.add(unitApplication(sub));
        units[unitName] = unit;
        continue;
      }
      const subordinates = Object.entries(unit.subordinates ?? {}).filter(
        ([sub]) => p.units.has(sub) || p.applications.has(unitApplication(sub)),
      );
      if (subordinates.length === 0) continue;
      for (const [sub] of subordinates) matched.add(unitApplication(sub));
      units[unitName] = { ...unit, subordinates: Object.fromEntries(subordinates) };
    }
    if (Object.keys(units).length > 0) apps[name] = { ...app, units };
  }

  // A subordinate application has no units of its own: it is shown when its units are.
  for (const app of Object.values(apps)) {
    for (const unit of Object.values(app.units ?? {})) {
      if (unit.machine !== undefined) machines.add(unit.machine);
      for (const sub of Object.keys(unit.subordinates ?? {})) {
        const subApp = all[unitApplication(sub)];
        if (subApp && !(unitApplication(sub) in apps)) apps[unitApplication(sub)] = subApp;
      }
    }
  }

  const filtered: StatusResponse = {
    model: status.model,
    machines: Object.fromEntries(
      Object.entries(status.machines).filter(([id]) => machines.has(id)),
    ),
  };
  if (status.applications) filtered.applications = apps;
  if (status.relations) {
    const touches = (r: RelationStatusView) =>
      matched.has(endpointApplication(r.provider)) || matched.has(endpointApplication(r.requirer));
    filtered.relations = status.relations.filter(touches);
  }
  return filtered;
}

/** `etcd` for `etcd/0`. */
function unitApplication(unit: string): string {
  return unit.split('/')[0] ?? unit;
}

/** `etcd` for `etcd:cluster`. */
export function endpointApplication(endpoint: string): string {
  return endpoint.split(':')[0] ?? endpoint;
}
