// Placement directives (`new`, `N`, `lxd:N`, `app`, `app/N`, `lxd:app/N`) and where each unit
// of a bundle goes, with Juju's rules for units beyond the directives. Pure.
import { isApplicationName, isMachineId } from '../model/names.js';
import type { UnitPlacement, UnitTarget } from './types.js';

const CONTAINER_TYPES = ['lxd', 'kvm'];

export type DirectiveTarget =
  | { kind: 'new' }
  | { kind: 'machine'; machine: string }
  | { kind: 'application'; application: string; unit?: number };

export interface Directive {
  text: string;
  container?: string;
  target: DirectiveTarget;
}

export function parseDirective(text: string): Directive | { error: string } {
  const colon = text.indexOf(':');
  const container = colon >= 0 ? text.slice(0, colon) : undefined;
  const rest = colon >= 0 ? text.slice(colon + 1) : text;
  if (container !== undefined && !CONTAINER_TYPES.includes(container)) {
    return { error: `unknown container type "${container}" in "${text}"; use lxd or kvm` };
  }
  const withContainer = (target: DirectiveTarget): Directive =>
    container === undefined ? { text, target } : { text, container, target };
  if (rest === 'new') return withContainer({ kind: 'new' });
  if (/^\d+$/.test(rest)) {
    if (!isMachineId(rest)) {
      return { error: `invalid machine id "${rest}" in "${text}": no leading zeros` };
    }
    return withContainer({ kind: 'machine', machine: rest });
  }
  const slash = rest.indexOf('/');
  const app = slash >= 0 ? rest.slice(0, slash) : rest;
  const unit = slash >= 0 ? rest.slice(slash + 1) : undefined;
  if (isApplicationName(app) && (unit === undefined || isMachineId(unit))) {
    return withContainer(
      unit === undefined
        ? { kind: 'application', application: app }
        : { kind: 'application', application: app, unit: Number(unit) },
    );
  }
  return {
    error: `invalid placement "${text}": expected new, a machine id, app or app/N, optionally after lxd:`,
  };
}

export interface PlacementInput {
  name: string;
  numUnits: number;
  subordinate: boolean;
  /** Parsed directives in `to:` order; an unparseable one is left out by the caller. */
  directives: { index: number; directive: Directive }[];
  /** How many directives `to:` held, parseable or not. */
  written: number;
}

export interface PlacementProblem {
  application: string;
  /** Index in `to:` of the directive at fault; undefined = the `to:` field as a whole. */
  index?: number;
  message: string;
  severity: 'error' | 'warning';
}

export interface PlacementResult {
  placements: Map<string, UnitPlacement[]>;
  usedMachines: Set<string>;
  problems: PlacementProblem[];
}

export function resolvePlacements(
  apps: readonly PlacementInput[],
  declaredMachines: ReadonlySet<string>,
  containers: boolean,
): PlacementResult {
  const byName = new Map(apps.map((a) => [a.name, a]));
  const placements = new Map<string, UnitPlacement[]>();
  const usedMachines = new Set<string>();
  const problems: PlacementProblem[] = [];
  const edges = new Map<string, Set<string>>();

  for (const app of apps) {
    const problem = (message: string, index?: number, severity: 'error' | 'warning' = 'error') =>
      problems.push(
        index === undefined
          ? { application: app.name, message, severity }
          : { application: app.name, index, message, severity },
      );
    if (app.written > app.numUnits && !app.subordinate) {
      problem(
        `${app.written} placement directives for ${app.numUnits} unit(s); remove ${app.written - app.numUnits}`,
      );
    }
    for (const { index, directive } of app.directives) {
      const t = directive.target;
      if (t.kind === 'machine') {
        usedMachines.add(t.machine);
        if (!declaredMachines.has(t.machine)) {
          problem(
            `placement "${directive.text}" refers to machine ${t.machine}, which is not declared under machines`,
            index,
          );
        }
      } else if (t.kind === 'application') {
        const target = byName.get(t.application);
        if (!target) {
          problem(
            `placement "${directive.text}" refers to application "${t.application}", which is not in this bundle`,
            index,
          );
        } else if (target.subordinate) {
          problem(
            `placement "${directive.text}" refers to subordinate application ${t.application}, which has no units of its own`,
            index,
          );
        } else {
          if (!edges.has(app.name)) edges.set(app.name, new Set());
          edges.get(app.name)?.add(t.application);
          if (t.unit !== undefined && t.unit >= target.numUnits) {
            problem(
              `placement "${directive.text}" refers to unit ${t.unit}, but ${t.application} has ${target.numUnits} unit(s)`,
              index,
            );
          }
        }
      }
      if (directive.container !== undefined && !containers) {
        const host =
          t.kind === 'machine'
            ? `machine ${t.machine}`
            : t.kind === 'new'
              ? 'a new machine'
              : `the machine of ${t.application}${t.unit === undefined ? '' : `/${t.unit}`}`;
        problem(
          `placement "${directive.text}": this provider has no ${directive.container} containers; the unit goes on ${host} itself`,
          index,
          'warning',
        );
      }
    }
    if (!app.subordinate) placements.set(app.name, unitPlacements(app, byName, problem));
  }
  for (const cycle of findCycles(edges)) {
    problems.push({
      application: cycle[0] ?? '',
      message: `placement cycle: ${cycle.join(' → ')}`,
      severity: 'error',
    });
  }
  return { placements, usedMachines, problems };
}

/** One placement per unit; past the last directive Juju repeats an `app` directive, else `new`. */
function unitPlacements(
  app: PlacementInput,
  byName: ReadonlyMap<string, PlacementInput>,
  problem: (message: string, index?: number) => void,
): UnitPlacement[] {
  const out: UnitPlacement[] = [];
  const last = app.directives[app.directives.length - 1];
  const repeat =
    last?.directive.target.kind === 'application' &&
    last.directive.target.unit === undefined &&
    last.index === app.written - 1
      ? last
      : undefined;
  const byIndex = new Map(app.directives.map((d) => [d.index, d]));
  for (let i = 0; i < app.numUnits; i++) {
    const written = i < app.written ? byIndex.get(i) : repeat;
    if (!written) {
      out.push({ target: { kind: 'new' } });
      continue;
    }
    const { directive } = written;
    const t = directive.target;
    let target: UnitTarget;
    if (t.kind === 'new') target = { kind: 'new' };
    else if (t.kind === 'machine') target = { kind: 'machine', machine: t.machine };
    else {
      const index = t.unit ?? i;
      const targetApp = byName.get(t.application);
      if (
        t.unit === undefined &&
        targetApp &&
        !targetApp.subordinate &&
        index >= targetApp.numUnits
      ) {
        problem(
          `placement "${directive.text}" puts ${app.name} unit ${i} beside ${t.application}/${index}, but ${t.application} has ${targetApp.numUnits} unit(s)`,
          written.index,
        );
      }
      target = { kind: 'unit', application: t.application, index };
    }
    const placement: UnitPlacement = { target, directive: directive.text };
    if (directive.container !== undefined) placement.container = directive.container;
    out.push(placement);
  }
  return out;
}

/** Cycles in "placed beside" edges, each once, starting from its smallest name. */
function findCycles(edges: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
  const cycles: string[][] = [];
  const seen = new Set<string>();
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of [...(edges.get(node) ?? [])].sort()) {
      if (state.get(next) === 'open') {
        const cycle = stack.slice(stack.indexOf(next));
        const start = cycle.indexOf([...cycle].sort()[0] ?? next);
        const rotated = [...cycle.slice(start), ...cycle.slice(0, start)];
        const key = rotated.join(' ');
        if (!seen.has(key)) {
          seen.add(key);
          cycles.push([...rotated, rotated[0] ?? next]);
        }
      } else if (!state.has(next)) {
        visit(next);
      }
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of [...edges.keys()].sort()) if (!state.has(node)) visit(node);
  return cycles;
}
