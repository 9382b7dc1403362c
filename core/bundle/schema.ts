// The bundle's shape as a JSON Schema (ajv), and ajv's findings turned into located diagnostics.
// Keys Juju accepts but Rune ignores are listed here too, each with the reason the user is told.
import { type Diagnostic, diagnostic } from '../yaml/diagnostic.js';
import { type LNode, toPlain } from '../yaml/located.js';
import { makeAjv, schemaDiagnostics } from '../yaml/schema-diagnostics.js';

/** Accepted with a warning: Juju bundles carry these, Rune has nothing to do with them. */
const IGNORED: Record<string, string> = {
  channel: 'Rune deploys the charm from charms/, which has no channels',
  revision: 'Rune deploys the charm from charms/, which has no revisions',
  bindings: 'Rune has no network spaces to bind endpoints to',
  resources: 'resources are not taken from bundles',
  trust: 'Rune has no cloud credentials to grant',
  storage: 'Rune has no storage providers',
  series: "units run on their machine's own base",
  base: "units run on their machine's own base",
  'default-base': "units run on their machine's own base",
  annotations: 'annotations are not kept',
  tags: 'tags are not kept',
};

const str = (expect: string) => ({ type: 'string', expect });
const map = (expect: string) => ({ type: 'object', expect });

const ignoredAppFields = {
  channel: str('a channel name'),
  revision: { type: 'integer', expect: 'an integer revision' },
  bindings: map('a map of endpoint bindings'),
  resources: map('a map of resources'),
  trust: { type: 'boolean', expect: 'true or false' },
  storage: map('a map of storage directives'),
  series: str('a series name'),
  base: str('a base like ubuntu@22.04'),
  annotations: map('a map of annotations'),
};

/**
 * Most units one application may ask for. Juju sets no bound; Rune does so that a typo
 * (`num_units: 30000000`) is an error instead of a planner that runs out of memory.
 */
export const MAX_UNITS_PER_APPLICATION = 10_000;
/** Most units in one bundle, for the same reason: ten times the largest bundle we benchmark. */
export const MAX_UNITS_PER_BUNDLE = 100_000;

const application = {
  type: ['object', 'null'],
  expect: 'a map of application fields',
  additionalProperties: false,
  required: ['charm'],
  properties: {
    charm: { type: 'string', minLength: 1, expect: 'a charm name, URL or path' },
    num_units: {
      type: 'integer',
      minimum: 0,
      maximum: MAX_UNITS_PER_APPLICATION,
      expect: `a non-negative integer up to ${MAX_UNITS_PER_APPLICATION}`,
    },
    to: {
      type: 'array',
      expect: 'a list of placement directives',
      items: { type: ['string', 'integer'], expect: 'a placement directive' },
    },
    options: {
      type: 'object',
      expect: 'a map of option values',
      additionalProperties: { type: ['string', 'number', 'boolean', 'null'], expect: 'a value' },
    },
    constraints: str('a constraints string like "cores=2 mem=4G"'),
    expose: { type: 'boolean', expect: 'true or false' },
    ...ignoredAppFields,
  },
};

const machine = {
  type: ['object', 'null'],
  expect: 'a map of machine fields',
  additionalProperties: false,
  properties: {
    constraints: str('a constraints string like "cores=2 mem=4G"'),
    series: str('a series name'),
    base: str('a base like ubuntu@22.04'),
    annotations: map('a map of annotations'),
  },
};

const bundleSchema = {
  type: 'object',
  expect: 'a map of bundle fields',
  additionalProperties: false,
  properties: {
    applications: {
      type: 'object',
      expect: 'a map of applications',
      additionalProperties: application,
    },
    services: {
      type: 'object',
      expect: 'a map of applications',
      additionalProperties: application,
    },
    machines: { type: 'object', expect: 'a map of machines', additionalProperties: machine },
    relations: {
      type: 'array',
      expect: 'a list of relations',
      items: {
        type: 'array',
        expect: 'a list of two endpoints',
        items: { type: 'string', expect: 'an endpoint like "app:endpoint"' },
      },
    },
    name: str('a bundle name'),
    description: str('a description'),
    series: str('a series name'),
    base: str('a base like ubuntu@22.04'),
    'default-base': str('a base like ubuntu@22.04'),
    tags: { type: 'array', expect: 'a list of tags', items: str('a tag') },
  },
};

const validateShape = makeAjv().compile(bundleSchema);

/** Structure and types of a merged bundle: every violation, located. */
export function checkShape(root: LNode): Diagnostic[] {
  if (validateShape(toPlain(root))) return [];
  return schemaDiagnostics(root, validateShape.errors ?? []);
}

/** Warnings for fields Rune accepts but ignores, wherever they appear. */
export function checkIgnoredFields(root: LNode): Diagnostic[] {
  const out: Diagnostic[] = [];
  const warn = (map: LNode | undefined, prefix: string, fields: readonly string[]) => {
    if (map?.kind !== 'map') return;
    for (const field of fields) {
      const entry = map.entries.get(field);
      const reason = IGNORED[field];
      if (!entry || !reason) continue;
      const path = prefix === '' ? field : `${prefix}.${field}`;
      out.push(diagnostic('warning', entry.keyLoc, path, `accepted but ignored: ${reason}`, field));
    }
  };
  if (root.kind !== 'map') return out;
  warn(root, '', ['series', 'base', 'default-base', 'tags']);
  for (const section of ['applications', 'services'] as const) {
    const apps = root.entries.get(section)?.value;
    if (apps?.kind !== 'map') continue;
    for (const [name, entry] of apps.entries) {
      warn(entry.value, `${section}.${name}`, Object.keys(ignoredAppFields));
    }
  }
  const machines = root.entries.get('machines')?.value;
  if (machines?.kind === 'map') {
    for (const [id, entry] of machines.entries) {
      warn(entry.value, `machines.${id}`, ['series', 'base', 'annotations']);
    }
  }
  return out;
}
