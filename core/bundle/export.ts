// A live model written as a Juju-format bundle (`rune export-bundle`, issue 14): applications,
// the machines their units stand on, relations; sorted, so one model always gives one text.
// Pure: the controller gathers the model view, secrets already left out, before calling here.
import { Document, isSeq, visit } from 'yaml';
import type { ConfigValue, ConfigValues } from '../model/types.js';

export interface ModelViewApplication {
  name: string;
  /** The charm's name: what diff-bundle compares, as the planner does. */
  charmName: string;
  /** The charm as an exported bundle writes it: a charms/ name or a folder path. */
  charmRef: string;
  subordinate: boolean;
  /** Options set to something other than the charm's default (never a secret). */
  options: ConfigValues;
  /** The charm's defaults, so a diff can say what an option left unset amounts to. */
  defaults: ConfigValues;
  constraints: string;
  exposed: boolean;
}

/** What an export reads of the live model: alive entities only. */
export interface ModelView {
  applications: ModelViewApplication[];
  /** Principal units (subordinates follow them); machine "" while one waits for a machine. */
  units: { name: string; application: string; machine: string }[];
  machines: { id: string; constraints: string }[];
  /** Regular relations; peer relations come with the charm and are never written. */
  relations: { endpoints: readonly { application: string; name: string }[] }[];
}

export interface ExportedApplication {
  charm: string;
  num_units?: number;
  to?: string[];
  options?: ConfigValues;
  constraints?: string;
  expose?: true;
}

export interface ExportedBundle {
  applications: Record<string, ExportedApplication>;
  machines?: Record<string, { constraints?: string }>;
  relations?: [string, string][];
}

export interface ModelLayout {
  /** Bundle machine id ("0", "1"...) → constraints, in id order. */
  machines: Map<string, string>;
  /** Application → its units' placements (bundle machine ids, "new" for a unit without one). */
  placements: Map<string, string[]>;
}

/**
 * Model machines renumbered "0", "1"... in id order, keeping only those units stand on: ids are
 * never reused, so a model's own ids carry its history, and an export deployed afresh and
 * exported again must give the same text (issue 14's round trip).
 */
export function modelLayout(view: ModelView): ModelLayout {
  const used = new Set(view.units.map((u) => u.machine).filter((m) => m !== ''));
  const renumbered = new Map<string, string>();
  const machines = new Map<string, string>();
  for (const machine of [...view.machines].sort((a, b) => Number(a.id) - Number(b.id))) {
    if (!used.has(machine.id)) continue;
    const id = String(renumbered.size);
    renumbered.set(machine.id, id);
    machines.set(id, machine.constraints);
  }
  const placements = new Map<string, string[]>();
  for (const unit of [...view.units].sort((a, b) => unitNumber(a.name) - unitNumber(b.name))) {
    let list = placements.get(unit.application);
    if (!list) placements.set(unit.application, (list = []));
    list.push(renumbered.get(unit.machine) ?? 'new');
  }
  return { machines, placements };
}

export function exportBundle(view: ModelView): ExportedBundle {
  const layout = modelLayout(view);
  const applications: Record<string, ExportedApplication> = {};
  for (const app of [...view.applications].sort((a, b) => compare(a.name, b.name))) {
    const out: ExportedApplication = { charm: app.charmRef };
    if (!app.subordinate) {
      const to = layout.placements.get(app.name) ?? [];
      out.num_units = to.length;
      // A unit still waiting for a machine is placed `new`; with none placed, `to` says nothing.
      if (to.some((m) => m !== 'new')) out.to = to;
    }
    const keys = Object.keys(app.options).sort(compare);
    if (keys.length > 0) {
      out.options = Object.fromEntries(keys.map((k) => [k, app.options[k] as ConfigValue]));
    }
    if (app.constraints !== '') out.constraints = app.constraints;
    if (app.exposed) out.expose = true;
    applications[app.name] = out;
  }
  const bundle: ExportedBundle = { applications };
  if (layout.machines.size > 0) {
    bundle.machines = Object.fromEntries(
      [...layout.machines].map(([id, constraints]) => [id, constraints ? { constraints } : {}]),
    );
  }
  const relations = relationPairs(view.relations);
  if (relations.length > 0) bundle.relations = relations;
  return bundle;
}

/** Each relation as `[app:endpoint, app:endpoint]`, both ends and the list sorted. */
export function relationPairs(
  relations: readonly { endpoints: readonly { application: string; name: string }[] }[],
): [string, string][] {
  const pairs = new Map<string, [string, string]>();
  for (const relation of relations) {
    if (relation.endpoints.length !== 2) continue;
    const [a, b] = relation.endpoints.map((e) => `${e.application}:${e.name}`).sort(compare) as [
      string,
      string,
    ];
    pairs.set(`${a} ${b}`, [a, b]);
  }
  return [...pairs.keys()].sort(compare).map((k) => pairs.get(k) as [string, string]);
}

/** YAML text: block style, except a list inside a list (a relation pair) on one line, as the
 * shipped bundles write relations. */
export function bundleYaml(value: object): string {
  const doc = new Document(value);
  visit(doc, {
    Seq(_, node, path) {
      if (isSeq(path[path.length - 1])) node.flow = true;
    },
  });
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}

function unitNumber(name: string): number {
  return Number(name.slice(name.lastIndexOf('/') + 1));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
