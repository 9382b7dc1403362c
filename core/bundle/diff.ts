// `rune diff-bundle` (issue 14): what a bundle has that the live model lacks and the other way
// round, in the shape of Juju's diff-bundle (`missing: model`, `{bundle: x, model: y}` pairs,
// relation additions on each side), sorted. Pure: both sides arrive as data.
import type { ConfigValue, ConfigValues } from '../model/types.js';
import { bundleYaml, modelLayout, type ModelView, relationPairs } from './export.js';
import type { ResolvedBundle } from './types.js';
import { own } from '../model/own.js';

/** One side of the comparison: what a bundle says, or what an export of the model would say. */
export interface BundleShape {
  applications: Record<string, ShapeApplication>;
  /** Bundle machine id → constraints. */
  machines: Record<string, string>;
  /** Sorted `[app:endpoint, app:endpoint]` pairs. */
  relations: [string, string][];
}

export interface ShapeApplication {
  /** The charm's name, compared as the planner compares charms. */
  charm: string;
  subordinate: boolean;
  numUnits: number;
  /** Values other than the charm's default; secrets already left out. */
  options: ConfigValues;
  defaults: ConfigValues;
  constraints: string;
  expose: boolean;
}

export interface Difference<T> {
  bundle: T;
  model: T;
}

export interface ApplicationDiff {
  missing?: 'bundle' | 'model';
  charm?: Difference<string>;
  num_units?: Difference<number>;
  /** `null`: unset, with no default. */
  options?: Record<string, Difference<ConfigValue | null>>;
  constraints?: Difference<string>;
  expose?: Difference<boolean>;
}

export interface BundleDiff {
  applications?: Record<string, ApplicationDiff>;
  machines?: Record<string, { missing?: 'bundle' | 'model'; constraints?: Difference<string> }>;
  relations?: { 'bundle-additions'?: [string, string][]; 'model-additions'?: [string, string][] };
}

export function modelShape(view: ModelView): BundleShape {
  const layout = modelLayout(view);
  const applications: Record<string, ShapeApplication> = {};
  for (const app of view.applications) {
    applications[app.name] = {
      charm: app.charmName,
      subordinate: app.subordinate,
      numUnits: app.subordinate ? 0 : (layout.placements.get(app.name)?.length ?? 0),
      options: app.options,
      defaults: app.defaults,
      constraints: app.constraints,
      expose: app.exposed,
    };
  }
  return {
    applications,
    machines: Object.fromEntries(layout.machines),
    relations: relationPairs(view.relations),
  };
}

/**
 * A resolved bundle as a shape. `defaults` gives each application's charm defaults; `secret`
 * says which options to leave out, so a diff never prints a secret from either side.
 */
export function resolvedShape(
  bundle: ResolvedBundle,
  defaults: (application: string) => ConfigValues,
  secret: (name: string, value: ConfigValue) => boolean,
): BundleShape {
  const applications: Record<string, ShapeApplication> = {};
  for (const app of bundle.applications) {
    const own = defaults(app.name);
    const options: ConfigValues = {};
    for (const [key, value] of Object.entries(app.options)) {
      if (own[key] !== value && !secret(key, value)) options[key] = value;
    }
    applications[app.name] = {
      charm: app.charm,
      subordinate: app.subordinate,
      numUnits: app.subordinate ? 0 : app.numUnits,
      options,
      defaults: own,
      constraints: app.constraints,
      expose: app.expose,
    };
  }
  const machines = Object.fromEntries(bundle.machines.map((m) => [m.id, m.constraints]));
  const relations = relationPairs(bundle.relations.map((r) => ({ endpoints: r.endpoints })));
  return { applications, machines, relations };
}

export function diffShapes(bundle: BundleShape, model: BundleShape): BundleDiff {
  const diff: BundleDiff = {};
  const applications: Record<string, ApplicationDiff> = {};
  for (const name of union(bundle.applications, model.applications)) {
    const b = own(bundle.applications, name);
    const m = own(model.applications, name);
    const found = b && m ? applicationDiff(b, m) : { missing: b ? 'model' : 'bundle' };
    if (Object.keys(found).length > 0) applications[name] = found as ApplicationDiff;
  }
  if (Object.keys(applications).length > 0) diff.applications = applications;

  const machines: NonNullable<BundleDiff['machines']> = {};
  // A bundle without `machines:` puts every unit on a new machine; num_units says how many, so
  // the model's machines are compared only with a bundle that declares its own.
  const declared = Object.keys(bundle.machines).length > 0;
  const ids = declared ? union(bundle.machines, model.machines) : [];
  for (const id of ids.sort((x, y) => Number(x) - Number(y))) {
    const b = bundle.machines[id];
    const m = model.machines[id];
    if (b === undefined || m === undefined)
      machines[id] = { missing: b === undefined ? 'bundle' : 'model' };
    else if (b !== m) machines[id] = { constraints: { bundle: b, model: m } };
  }
  if (Object.keys(machines).length > 0) diff.machines = machines;

  const key = (pair: [string, string]) => pair.join(' ');
  const inModel = new Set(model.relations.map(key));
  const inBundle = new Set(bundle.relations.map(key));
  const bundleOnly = bundle.relations.filter((r) => !inModel.has(key(r)));
  const modelOnly = model.relations.filter((r) => !inBundle.has(key(r)));
  if (bundleOnly.length > 0 || modelOnly.length > 0) {
    diff.relations = {};
    if (bundleOnly.length > 0) diff.relations['bundle-additions'] = bundleOnly;
    if (modelOnly.length > 0) diff.relations['model-additions'] = modelOnly;
  }
  return diff;
}

function applicationDiff(b: ShapeApplication, m: ShapeApplication): ApplicationDiff {
  const out: ApplicationDiff = {};
  if (b.charm !== m.charm) out.charm = { bundle: b.charm, model: m.charm };
  if (!b.subordinate && !m.subordinate && b.numUnits !== m.numUnits) {
    out.num_units = { bundle: b.numUnits, model: m.numUnits };
  }
  const options: Record<string, Difference<ConfigValue | null>> = {};
  for (const key of union(b.options, m.options)) {
    const bv = own(b.options, key) ?? own(b.defaults, key) ?? null;
    const mv = own(m.options, key) ?? own(m.defaults, key) ?? null;
    if (bv !== mv) options[key] = { bundle: bv, model: mv };
  }
  if (Object.keys(options).length > 0) out.options = options;
  if (b.constraints !== m.constraints) {
    out.constraints = { bundle: b.constraints, model: m.constraints };
  }
  if (b.expose !== m.expose) out.expose = { bundle: b.expose, model: m.expose };
  return out;
}

/** The diff as YAML; "" when the bundle and the model agree (then diff-bundle prints nothing). */
export function formatBundleDiff(diff: BundleDiff): string {
  return Object.keys(diff).length === 0 ? '' : bundleYaml(diff);
}

function union(a: object, b: object): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].sort((x, y) =>
    x < y ? -1 : x > y ? 1 : 0,
  );
}
