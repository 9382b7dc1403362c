// The bundle's shape as a JSON Schema (ajv), and ajv's findings turned into located diagnostics.
// Keys Juju accepts but Rune ignores are listed here too, each with the reason the user is told.
import { Ajv, type ErrorObject } from 'ajv';
import { closest, distance } from 'fastest-levenshtein';
import { type Diagnostic, diagnostic } from '../yaml/diagnostic.js';
import { keyLoc, locate, type LNode, toPlain } from '../yaml/located.js';
import { describeValue, formatPath } from './paths.js';

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

const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true });
ajv.addKeyword({ keyword: 'expect', schemaType: 'string' });
const validateShape = ajv.compile(bundleSchema);

type Step = string | number;

function stepsOf(instancePath: string): Step[] {
  if (instancePath === '') return [];
  return instancePath
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** ajv paths give array indexes as strings; the located tree knows which steps are indexes. */
function typedSteps(root: LNode, steps: string[] | Step[]): Step[] {
  const out: Step[] = [];
  let node: LNode | undefined = root;
  for (const step of steps) {
    if (node?.kind === 'seq') {
      out.push(Number(step));
      node = node.items[Number(step)];
    } else {
      out.push(String(step));
      node = node?.kind === 'map' ? node.entries.get(String(step))?.value : undefined;
    }
  }
  return out;
}

function toDiagnostic(root: LNode, error: ErrorObject): Diagnostic {
  const steps = typedSteps(root, stepsOf(error.instancePath));
  const at = locate(root, steps).loc;
  const path = formatPath(steps);
  const expect = (error.parentSchema as { expect?: string } | undefined)?.expect ?? 'valid';
  switch (error.keyword) {
    case 'additionalProperties': {
      const field = String((error.params as { additionalProperty: string }).additionalProperty);
      const container = locate(root, steps);
      const parent = container.found ? nodeAt(root, steps) : undefined;
      const allowed = Object.keys(
        (error.parentSchema as { properties?: object } | undefined)?.properties ?? {},
      );
      const near = allowed.length > 0 ? closest(field, allowed) : undefined;
      const hint = near && distance(field, near) <= 2 ? ` (did you mean "${near}"?)` : '';
      return diagnostic(
        'error',
        keyLoc(parent, field) ?? at,
        formatPath([...steps, field]),
        `unknown field "${field}"${hint}`,
        field,
      );
    }
    case 'required': {
      const field = String((error.params as { missingProperty: string }).missingProperty);
      const parentSteps = steps.slice(0, -1);
      const last = steps[steps.length - 1];
      const where = typeof last === 'string' ? (keyLoc(nodeAt(root, parentSteps), last) ?? at) : at;
      return diagnostic('error', where, path, `missing required field "${field}"`, field);
    }
    case 'minLength':
      return diagnostic('error', at, path, 'must not be empty');
    default:
      return diagnostic('error', at, path, `must be ${expect}, got ${describeValue(error.data)}`);
  }
}

function nodeAt(root: LNode, steps: Step[]): LNode | undefined {
  let node: LNode | undefined = root;
  for (const step of steps) {
    if (node?.kind === 'map') node = node.entries.get(String(step))?.value;
    else if (node?.kind === 'seq') node = node.items[Number(step)];
    else return undefined;
  }
  return node;
}

/** Structure and types of a merged bundle: every violation, located. */
export function checkShape(root: LNode): Diagnostic[] {
  if (validateShape(toPlain(root))) return [];
  return (validateShape.errors ?? []).map((e) => toDiagnostic(root, e));
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
