// Test helpers: resolved bundles built by hand (no parser, no charms) and plan checks shared by
// the planner's example and property tests.
import type {
  BundleApplication,
  BundleRelation,
  ResolvedBundle,
  UnitPlacement,
} from '../../../core/bundle/types.js';
import type { ConfigValues, ModelSnapshot } from '../../../core/model/types.js';
import type { Change } from '../../../core/planner/index.js';

/** A placement from a directive as a bundle writes it: `new`, `0`, `lxd:0`, `etcd/1`. */
export function at(directive: string): UnitPlacement {
  const colon = directive.indexOf(':');
  const container = colon >= 0 ? directive.slice(0, colon) : undefined;
  const rest = directive.slice(colon + 1);
  const base = container === undefined ? { directive } : { directive, container };
  if (rest === 'new') return { target: { kind: 'new' }, ...base };
  if (/^\d+$/.test(rest)) return { target: { kind: 'machine', machine: rest }, ...base };
  const [application = '', index = '0'] = rest.split('/');
  return { target: { kind: 'unit', application, index: Number(index) }, ...base };
}

export interface AppSpec {
  charm?: string;
  units?: number;
  to?: string[];
  subordinate?: boolean;
  options?: ConfigValues;
  constraints?: string;
  expose?: boolean;
}

/** An application whose units past `to` go to new machines without a directive. */
export function app(name: string, spec: AppSpec = {}): BundleApplication {
  const numUnits = spec.subordinate ? 0 : (spec.units ?? 1);
  const placements: UnitPlacement[] = [];
  for (let i = 0; i < numUnits; i++) {
    const directive = spec.to?.[i];
    placements.push(directive === undefined ? { target: { kind: 'new' } } : at(directive));
  }
  const charm = spec.charm ?? name;
  return {
    name,
    charm,
    charmRef: `cs:~containers/${charm}`,
    subordinate: spec.subordinate ?? false,
    numUnits,
    placements,
    options: spec.options ?? {},
    constraints: spec.constraints ?? '',
    expose: spec.expose ?? false,
  };
}

/** `rel('etcd:certificates', 'easyrsa:client')`; interface and roles do not matter to plans. */
export function rel(a: string, b: string): BundleRelation {
  const end = (text: string, role: 'provider' | 'requirer') => {
    const [application = '', name = ''] = text.split(':');
    return { application, name, interface: name, role };
  };
  return { endpoints: [end(a, 'requirer'), end(b, 'provider')] };
}

export function bundle(
  applications: BundleApplication[],
  machines: Record<string, string> = {},
  relations: BundleRelation[] = [],
): ResolvedBundle {
  return {
    applications: [...applications].sort((a, b) => (a.name < b.name ? -1 : 1)),
    machines: Object.entries(machines)
      .map(([id, constraints]) => ({ id, constraints }))
      .sort((a, b) => Number(a.id) - Number(b.id)),
    relations,
  };
}

/** Charmed Kubernetes 1.21's kubernetes-core, as bundles/kubernetes-core.yaml resolves. */
export function kubernetesCore(): ResolvedBundle {
  return bundle(
    [
      app('easyrsa', { to: ['lxd:0'] }),
      app('etcd', { to: ['0'] }),
      app('flannel', { subordinate: true }),
      app('kubernetes-master', { to: ['0'], expose: true, options: { channel: '1.21/stable' } }),
      app('kubernetes-worker', { to: ['1'], expose: true, options: { channel: '1.21/stable' } }),
    ],
    { '0': 'cores=2 mem=4G root-disk=16G', '1': 'cores=4 mem=4G root-disk=16G' },
    [
      rel('kubernetes-master:kube-api-endpoint', 'kubernetes-worker:kube-api-endpoint'),
      rel('kubernetes-master:kube-control', 'kubernetes-worker:kube-control'),
      rel('kubernetes-master:certificates', 'easyrsa:client'),
      rel('kubernetes-master:etcd', 'etcd:db'),
      rel('kubernetes-worker:certificates', 'easyrsa:client'),
      rel('etcd:certificates', 'easyrsa:client'),
      rel('flannel:etcd', 'etcd:db'),
      rel('flannel:cni', 'kubernetes-master:cni'),
      rel('flannel:cni', 'kubernetes-worker:cni'),
    ],
  );
}

/** A model snapshot from terse parts; units as `name: machine`. */
export function model(parts: {
  applications?: Record<string, Partial<ModelSnapshot['applications'][string]>>;
  units?: Record<string, string>;
  machines?: string[];
  relations?: [string, string][];
  nextMachineId?: number;
}): ModelSnapshot {
  const machines = parts.machines ?? [];
  const units = Object.entries(parts.units ?? {});
  const applications: ModelSnapshot['applications'] = {};
  for (const [name, a] of Object.entries(parts.applications ?? {})) {
    const numbers = units
      .filter(([u]) => u.startsWith(`${name}/`))
      .map(([u]) => Number(u.split('/')[1]));
    applications[name] = {
      name,
      charm: name,
      config: {},
      constraints: '',
      exposed: false,
      nextUnitNumber: numbers.length === 0 ? 0 : Math.max(...numbers) + 1,
      ...a,
    };
  }
  const split = (e: string) => {
    const [application = '', name = ''] = e.split(':');
    return { application, name };
  };
  return {
    applications,
    units: Object.fromEntries(
      units.map(([name, machine]) => [
        name,
        { name, application: name.split('/')[0] ?? '', machine },
      ]),
    ),
    machines: Object.fromEntries(machines.map((id) => [id, { id }])),
    relations: (parts.relations ?? []).map(([a, b]) => ({ endpoints: [split(a), split(b)] })),
    nextMachineId:
      parts.nextMachineId ?? (machines.length === 0 ? 0 : Math.max(...machines.map(Number)) + 1),
  };
}

export function lines(changes: readonly Change[]): string[] {
  return changes.map((c) => c.describe());
}

/** `id <- requires` per change, a compact way to assert the dependency graph. */
export function graph(changes: readonly Change[]): string[] {
  return changes.map((c) => `${c.id} <- ${c.requires.join(' ')}`.trimEnd());
}

/** Problems with a plan's shape: ids unique and `${kind}-${n}` with n = 0..len-1, and every
 * requirement listed earlier. Empty when the plan is well formed. */
export function shapeProblems(changes: readonly Change[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  const numbers = new Set<number>();
  for (const change of changes) {
    const match = /^([a-zA-Z]+)-(\d+)$/.exec(change.id);
    if (!match || match[1] !== change.kind) problems.push(`bad id ${change.id}`);
    else numbers.add(Number(match[2]));
    for (const id of change.requires) {
      if (!seen.has(id)) problems.push(`${change.id} requires ${id}, not listed before it`);
    }
    if (seen.has(change.id)) problems.push(`duplicate ${change.id}`);
    seen.add(change.id);
  }
  for (let n = 0; n < changes.length; n++) if (!numbers.has(n)) problems.push(`no change #${n}`);
  return problems;
}

/** The same data with every object's keys (and the bundle's sorted arrays) in reverse order. */
export function reversedKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v: unknown) => reversedKeys(v)) as T;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).reverse();
    return Object.fromEntries(entries.map(([k, v]) => [k, reversedKeys(v)])) as T;
  }
  return value;
}
