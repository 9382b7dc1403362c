// The StatusResponse rebuilt with Juju's key order and sorted maps, so `--format yaml|json`
// prints the same bytes for the same model. Pure; the data is unchanged, only its order.
import type {
  ApplicationStatusView,
  MachineStatusView,
  RelationStatusView,
  StatusResponse,
  StatusValue,
  UnitStatusView,
} from '../api.js';
import { compareUnitNames, naturalCompare } from './table.js';

/**
 * `keys` first, in that order, then any others in their original order, so a field the API
 * gains later still reaches the output. Absent (undefined) values are left out, as Juju omits
 * empty fields.
 */
function ordered<T extends object>(value: T, keys: readonly (keyof T & string)[]): T {
  const out: Record<string, unknown> = {};
  const source = value as Record<string, unknown>;
  for (const key of [...keys, ...Object.keys(source)]) {
    if (!Object.hasOwn(out, key) && source[key] !== undefined) out[key] = source[key];
  }
  return out as T;
}

function sortedMap<V, R>(
  map: Record<string, V>,
  compare: (a: string, b: string) => number,
  each: (value: V) => R,
): Record<string, R> {
  const keys = Object.keys(map).sort(compare);
  return Object.fromEntries(keys.map((k) => [k, each(map[k] as V)]));
}

const value = (v: StatusValue): StatusValue => ordered(v, ['current', 'message', 'since']);

// Juju's machineStatus field order, with Rune's agent-status where Juju has juju-status.
function machine(m: MachineStatusView): MachineStatusView {
  const out = ordered(m, [
    'agent-status',
    'dns-name',
    'instance-id',
    'machine-status',
    'base',
    'hardware',
    'constraints',
  ]);
  out['agent-status'] = value(m['agent-status']);
  out['machine-status'] = value(m['machine-status']);
  return out;
}

function unit(u: UnitStatusView): UnitStatusView {
  const out = ordered(u, [
    'workload-status',
    'agent-status',
    'leader',
    'machine',
    'public-address',
    'charm-rev',
    'certificate-warning',
    'subordinates',
  ]);
  out['workload-status'] = value(u['workload-status']);
  out['agent-status'] = value(u['agent-status']);
  if (u.subordinates) out.subordinates = sortedMap(u.subordinates, compareUnitNames, unit);
  return out;
}

// Juju's applicationStatus order: scale sits before exposed, subordinate-to before units.
function application(a: ApplicationStatusView): ApplicationStatusView {
  const out = ordered(a, [
    'charm',
    'charm-name',
    'charm-rev',
    'rollout',
    'scale',
    'exposed',
    'application-status',
    'relations',
    'subordinate-to',
    'units',
  ]);
  out['application-status'] = value(a['application-status']);
  out.relations = sortedMap(a.relations, naturalCompare, (apps) => [...apps].sort(naturalCompare));
  if (a.units) out.units = sortedMap(a.units, compareUnitNames, unit);
  return out;
}

/** Integrations as the tabular section lists them: by provider, then requirer. */
export function compareRelations(a: RelationStatusView, b: RelationStatusView): number {
  return naturalCompare(a.provider, b.provider) || naturalCompare(a.requirer, b.requirer);
}

export function orderedStatus(status: StatusResponse): StatusResponse {
  const out = ordered(status, ['model', 'machines', 'applications', 'relations']);
  out.model = ordered(status.model, ['name', 'controller', 'cloud', 'version']);
  out.machines = sortedMap(status.machines, naturalCompare, machine);
  if (status.applications)
    out.applications = sortedMap(status.applications, naturalCompare, application);
  if (status.relations) {
    const rows = [...status.relations].sort(compareRelations);
    out.relations = rows.map((r) =>
      ordered(r, ['id', 'provider', 'requirer', 'interface', 'type']),
    );
  }
  return out;
}
