// Bundle validation (DESIGN §8): every error and warning, located and sorted, and when there is
// no error the resolved bundle the planner reads. Pure: charms arrive already resolved.
import { dirname } from 'node:path';
import type { Charm } from '../charm/types.js';
import { validateConfigValues } from '../charm/config.js';
import { applicationNameProblem, isMachineId, quotedName } from '../model/names.js';
import type { ConfigValues } from '../model/types.js';
import { type Diagnostic, diagnostic, hasErrors, sortDiagnostics } from '../yaml/diagnostic.js';
import { type LEntry, type LMap, type LNode, toPlain } from '../yaml/located.js';
import { checkConstraints } from './constraints.js';
import { parseDirective, type PlacementInput, resolvePlacements } from './placement.js';
import { type RelationApp, type RelationInput, resolveRelations } from './relations.js';
import {
  checkIgnoredFields,
  checkShape,
  MAX_UNITS_PER_APPLICATION,
  MAX_UNITS_PER_BUNDLE,
} from './schema.js';
import type { BundleApplication, BundleMachine, ResolvedBundle } from './types.js';

export type CharmResolution = { charm: Charm } | { error: string };

/** A charm as an application names it; `file` is where it is written (paths resolve from there). */
export interface CharmRef {
  application: string;
  ref: string;
  file: string;
}

export const charmKey = (ref: CharmRef): string => `${ref.file}\u0000${ref.ref}`;

export interface ValidateOptions {
  /** Whether the provider can make lxd/kvm containers; if not, `lxd:N` warns and uses N itself. */
  containers: boolean;
}

export interface ValidationResult {
  bundle?: ResolvedBundle;
  diagnostics: Diagnostic[];
}

const entriesOf = (node: LNode | undefined): LEntry[] =>
  node?.kind === 'map' ? [...node.entries.values()] : [];
const field = (node: LNode | undefined, key: string): LEntry | undefined =>
  node?.kind === 'map' ? node.entries.get(key) : undefined;
const stringOf = (node: LNode | undefined): string | undefined =>
  node?.kind === 'scalar' && typeof node.value === 'string' ? node.value : undefined;

/** The charms the applications name, to be resolved (with I/O) before validateBundle. */
export function charmRefs(root: LMap): CharmRef[] {
  return entriesOf(field(root, 'applications')?.value).flatMap((app) => {
    const charm = field(app.value, 'charm')?.value;
    const ref = stringOf(charm);
    return ref && charm ? [{ application: app.key, ref, file: charm.loc.file }] : [];
  });
}

/** Resolves each distinct charm once; `resolve` gets the folder of the file that names it. */
export function resolveCharms(
  root: LMap,
  resolve: (ref: string, baseDir: string) => CharmResolution,
): Map<string, CharmResolution> {
  const charms = new Map<string, CharmResolution>();
  for (const ref of charmRefs(root)) {
    const key = charmKey(ref);
    if (!charms.has(key)) charms.set(key, resolve(ref.ref, dirname(ref.file)));
  }
  return charms;
}

export function validateBundle(
  root: LMap,
  charms: ReadonlyMap<string, CharmResolution>,
  options: ValidateOptions,
): ValidationResult {
  const out: Diagnostic[] = [...checkShape(root), ...checkIgnoredFields(root)];
  const apps = new Map<string, BundleApplication>();
  const relationApps = new Map<string, RelationApp>();
  const placementInputs: PlacementInput[] = [];
  const toEntries = new Map<string, LEntry>();
  // A placement that could not be read may be the one meant for a declared machine: then
  // "machine N is unused" would only repeat that error in other words.
  let placementUnreadable = false;
  let totalUnits = 0;
  const appsEntry = field(root, 'applications');
  if (entriesOf(appsEntry?.value).length === 0) {
    const at = appsEntry?.keyLoc ?? root.loc;
    out.push(diagnostic('error', at, 'applications', 'a bundle needs at least one application'));
  }

  for (const entry of entriesOf(appsEntry?.value)) {
    const name = entry.key;
    const path = `applications.${name}`;
    const nameProblem = applicationNameProblem(name);
    if (nameProblem) {
      out.push(
        diagnostic(
          'error',
          entry.keyLoc,
          path,
          `invalid application name ${quotedName(name)}: ${nameProblem}`,
          name,
        ),
      );
    }
    const body = entry.value;
    if (body.kind !== 'map') {
      if (body.kind === 'scalar' && body.value === null) {
        out.push(
          diagnostic(
            'error',
            entry.keyLoc,
            path,
            'empty application: give at least its charm',
            name,
          ),
        );
      }
      continue;
    }
    const charmNode = field(body, 'charm')?.value;
    const ref = stringOf(charmNode);
    if (!ref || !charmNode) continue;
    const resolution = charms.get(charmKey({ application: name, ref, file: charmNode.loc.file }));
    if (!resolution || 'error' in resolution) {
      const message = resolution?.error ?? `charm "${ref}" was not resolved`;
      out.push(diagnostic('error', charmNode.loc, `${path}.charm`, message, ref));
      continue;
    }
    const { charm } = resolution;
    const subordinate = charm.meta.subordinate;
    const unitsEntry = field(body, 'num_units');
    const units = unitsEntry?.value.kind === 'scalar' ? unitsEntry.value.value : 0;
    const numUnits =
      typeof units === 'number' &&
      Number.isInteger(units) &&
      units >= 0 &&
      units <= MAX_UNITS_PER_APPLICATION
        ? units
        : 0;
    totalUnits += numUnits;
    if (subordinate && numUnits > 0 && unitsEntry) {
      out.push(
        diagnostic(
          'error',
          unitsEntry.value.loc,
          `${path}.num_units`,
          `${name} is a subordinate charm: its units follow its principals, so num_units must be 0 or absent`,
          name,
        ),
      );
    }
    const options = checkOptions(charm, field(body, 'options'), path, out);
    const constraints = checkConstraintsField(
      field(body, 'constraints'),
      `${path}.constraints`,
      out,
    );
    const expose = field(body, 'expose')?.value;
    const toEntry = field(body, 'to');
    const directives: PlacementInput['directives'] = [];
    let written = 0;
    if (toEntry && toEntry.value.kind !== 'seq') placementUnreadable = true;
    if (toEntry?.value.kind === 'seq') {
      toEntries.set(name, toEntry);
      written = toEntry.value.items.length;
      if (subordinate && written > 0) {
        out.push(
          diagnostic(
            'error',
            toEntry.keyLoc,
            `${path}.to`,
            `${name} is a subordinate charm: it goes where its principals are and cannot be placed`,
            name,
          ),
        );
      }
      toEntry.value.items.forEach((item, index) => {
        if (
          item.kind !== 'scalar' ||
          (typeof item.value !== 'string' && typeof item.value !== 'number')
        ) {
          placementUnreadable = true;
          return;
        }
        const parsed = parseDirective(String(item.value));
        if ('error' in parsed) {
          placementUnreadable = true;
          out.push(
            diagnostic('error', item.loc, `${path}.to[${index}]`, parsed.error, String(item.value)),
          );
        } else directives.push({ index, directive: parsed });
      });
    }
    placementInputs.push({ name, numUnits, subordinate, directives, written });
    relationApps.set(name, {
      charm: charm.meta.name,
      subordinate,
      endpoints: charm.meta.endpoints,
    });
    apps.set(name, {
      name,
      charm: charm.meta.name,
      charmRef: ref,
      subordinate,
      numUnits,
      placements: [],
      options,
      constraints,
      expose: expose?.kind === 'scalar' && expose.value === true,
    });
  }

  if (totalUnits > MAX_UNITS_PER_BUNDLE) {
    const at = appsEntry?.keyLoc ?? root.loc;
    out.push(
      diagnostic(
        'error',
        at,
        'applications',
        `the bundle asks for ${totalUnits} units; the limit is ${MAX_UNITS_PER_BUNDLE}`,
      ),
    );
    // Placing that many units is the cost the limit exists to avoid.
    return { diagnostics: sortDiagnostics(out) };
  }

  const machines = checkMachines(field(root, 'machines'), out);
  const placed = resolvePlacements(
    placementInputs,
    new Set(machines.map((m) => m.id)),
    options.containers,
  );
  for (const p of placed.problems) {
    const to = toEntries.get(p.application);
    const item =
      p.index === undefined
        ? undefined
        : to?.value.kind === 'seq'
          ? to.value.items[p.index]
          : undefined;
    const at =
      item?.loc ?? to?.keyLoc ?? field(appsEntry?.value, p.application)?.keyLoc ?? root.loc;
    const path = `applications.${p.application}.to${p.index === undefined ? '' : `[${p.index}]`}`;
    out.push(diagnostic(p.severity, at, path, p.message, p.application));
  }
  for (const [name, list] of placed.placements) {
    const app = apps.get(name);
    if (app) app.placements = list;
  }
  const machinesEntry = field(root, 'machines');
  for (const m of machines) {
    if (placementUnreadable || placed.usedMachines.has(m.id)) continue;
    const at = field(machinesEntry?.value, m.id)?.keyLoc ?? root.loc;
    out.push(
      diagnostic(
        'error',
        at,
        `machines.${m.id}`,
        `machine ${m.id} is declared but no placement uses it`,
        m.id,
      ),
    );
  }

  const declared = new Set(entriesOf(appsEntry?.value).map((e) => e.key));
  const relations = checkRelations(field(root, 'relations'), declared, relationApps, out);
  for (const app of apps.values()) {
    if (!app.subordinate) continue;
    const joined = relations.some(
      (r) =>
        r.endpoints.some((e) => e.application === app.name) &&
        r.endpoints.some(
          (e) => e.application !== app.name && !apps.get(e.application)?.subordinate,
        ),
    );
    if (!joined) {
      const at = field(appsEntry?.value, app.name)?.keyLoc ?? root.loc;
      out.push(
        diagnostic(
          'warning',
          at,
          `applications.${app.name}`,
          `${app.name} is subordinate but no relation joins it to a principal, so it will have no units`,
          app.name,
        ),
      );
    }
  }

  const diagnostics = sortDiagnostics(out);
  if (hasErrors(diagnostics)) return { diagnostics };
  const bundle: ResolvedBundle = {
    applications: [...apps.values()].sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    ),
    machines,
    relations,
  };
  return { bundle, diagnostics };
}

function checkOptions(
  charm: Charm,
  entry: LEntry | undefined,
  path: string,
  out: Diagnostic[],
): ConfigValues {
  if (entry?.value.kind !== 'map') return {};
  const values = toPlain(entry.value) as Record<string, unknown>;
  const result = validateConfigValues(charm.meta.name, charm.config, values, 'exact');
  for (const problem of result.problems) {
    const option = entry.value.entries.get(problem.option);
    const unknown = !Object.hasOwn(charm.config.options, problem.option);
    const at = (unknown ? option?.keyLoc : option?.value.loc) ?? entry.keyLoc;
    out.push(
      diagnostic('error', at, `${path}.options.${problem.option}`, problem.message, problem.option),
    );
  }
  return result.values;
}

function checkConstraintsField(entry: LEntry | undefined, path: string, out: Diagnostic[]): string {
  const value = stringOf(entry?.value);
  if (value === undefined || !entry) return '';
  for (const problem of checkConstraints(value)) {
    out.push(diagnostic('error', entry.value.loc, path, problem.message, problem.key));
  }
  return value.trim().split(/\s+/).filter(Boolean).join(' ');
}

function checkMachines(entry: LEntry | undefined, out: Diagnostic[]): BundleMachine[] {
  const machines: BundleMachine[] = [];
  for (const m of entriesOf(entry?.value)) {
    const path = `machines.${m.key}`;
    if (!isMachineId(m.key)) {
      out.push(
        diagnostic(
          'error',
          m.keyLoc,
          path,
          `invalid machine id "${m.key}": must be a non-negative integer without leading zeros`,
          m.key,
        ),
      );
      continue;
    }
    const constraints = checkConstraintsField(
      field(m.value, 'constraints'),
      `${path}.constraints`,
      out,
    );
    machines.push({ id: m.key, constraints });
  }
  return machines.sort((a, b) => Number(a.id) - Number(b.id));
}

function checkRelations(
  entry: LEntry | undefined,
  declared: ReadonlySet<string>,
  relationApps: ReadonlyMap<string, RelationApp>,
  out: Diagnostic[],
): ResolvedBundle['relations'] {
  if (entry?.value.kind !== 'seq') return [];
  const items = entry.value.items;
  const inputs: RelationInput[] = [];
  items.forEach((item, index) => {
    if (item.kind !== 'seq') return;
    if (item.items.length !== 2) {
      out.push(
        diagnostic(
          'error',
          item.loc,
          `relations[${index}]`,
          `a relation needs exactly 2 endpoints, got ${item.items.length}`,
        ),
      );
      return;
    }
    const ends = item.items.map(stringOf);
    if (ends[0] === undefined || ends[1] === undefined) return;
    // An application that is in the bundle but whose charm failed already has its error.
    const unresolved = ends.some((end) => {
      const app = (end ?? '').split(':')[0] ?? '';
      return !relationApps.has(app) && declared.has(app);
    });
    if (!unresolved) inputs.push({ index, ends: [ends[0], ends[1]] });
  });
  const { relations, problems } = resolveRelations(inputs, relationApps);
  for (const p of problems) {
    const item = items[p.index];
    const end = p.end !== undefined && item?.kind === 'seq' ? item.items[p.end] : undefined;
    const at = end?.loc ?? item?.loc ?? entry.keyLoc;
    const path = `relations[${p.index}]${p.end === undefined ? '' : `[${p.end}]`}`;
    out.push(diagnostic('error', at, path, p.message));
  }
  return relations;
}
