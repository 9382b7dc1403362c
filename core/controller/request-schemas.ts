// The API's requests as JSON Schemas (issue 15 item 9): one per route, for the JSON body of a
// POST or the query (and path id) of a GET or DELETE. Data only; request-check.ts compiles them
// once and turns a failure into a 400 that names the field. `expect` is what an error quotes.
import { MAX_NAME_LENGTH, NAME_PATTERNS } from '../model/names.js';
import { STATUS_LOG_TYPES } from './status-log-view.js';
import { STATUS_FORMATS } from './status-text.js';

type Schema = Record<string, unknown>;

const text = (expect: string): Schema => ({ type: 'string', expect });
const nonEmpty = (expect: string): Schema => ({ type: 'string', minLength: 1, expect });
const flag = (expect = 'true or false'): Schema => ({ type: 'boolean', expect });
const absolutePath = (expect = 'an absolute path'): Schema => ({
  type: 'string',
  pattern: '^/',
  expect,
});
const application: Schema = {
  type: 'string',
  pattern: NAME_PATTERNS.application,
  maxLength: MAX_NAME_LENGTH,
  expect: `an application name (lowercase letters, digits and hyphens, at most ${MAX_NAME_LENGTH})`,
};
const unit: Schema = {
  type: 'string',
  pattern: NAME_PATTERNS.unit,
  maxLength: MAX_NAME_LENGTH + 11,
  expect: 'a unit name like etcd/0',
};
const machine: Schema = { type: 'string', pattern: NAME_PATTERNS.machine, expect: 'a machine id' };
const stringMap = (expect: string): Schema => ({
  type: 'object',
  expect,
  additionalProperties: text('a string'),
});

/** A map with exactly these fields; `optional` lists those that may be left out. */
function fields(
  expect: string,
  properties: Record<string, Schema>,
  optional: readonly string[] = [],
): Schema {
  return {
    type: 'object',
    expect,
    additionalProperties: false,
    required: Object.keys(properties).filter((k) => !optional.includes(k)),
    properties,
  };
}

/** The rollout flags as typed; their values are checked by rolloutPolicy (rollout-policy.ts). */
const policy = fields(
  'a map of rollout flags (canaries, maxInFlight, watch)',
  { canaries: text('text'), maxInFlight: text('text'), watch: text('text') },
  ['canaries', 'maxInFlight', 'watch'],
);

const bundleFiles = {
  bundle: absolutePath('an absolute path to a bundle file'),
  overlays: {
    type: 'array',
    expect: 'a list of absolute paths',
    items: absolutePath('an absolute path to an overlay file'),
  },
};

const twoEnds = fields('a map with a and b', {
  a: nonEmpty('an application or application:endpoint'),
  b: nonEmpty('an application or application:endpoint'),
});

/** JSON bodies, by route. */
export const BODY_SCHEMAS = {
  'POST /v1/machines': fields(
    'a map with count and constraints',
    {
      target: { type: 'string', pattern: '^ssh:', expect: 'ssh:[user@]host[:port]' },
      privateKeyFile: absolutePath('an absolute path to a private key file'),
      count: { type: 'integer', minimum: 1, expect: 'a whole number from 1' },
      constraints: text('a constraints string like "cores=2 mem=4G"'),
    },
    ['target', 'privateKeyFile'],
  ),
  'POST /v1/exec': fields('a map with machine and command', {
    machine,
    command: nonEmpty('a shell command'),
  }),
  'POST /v1/deploy': fields(
    'a map with bundle and overlays',
    { ...bundleFiles, existingMachines: flag() },
    ['existingMachines'],
  ),
  'POST /v1/diff-bundle': fields('a map with bundle and overlays', bundleFiles),
  'POST /v1/export-bundle': fields(
    'a map (relativeTo optional)',
    { relativeTo: absolutePath('an absolute folder') },
    ['relativeTo'],
  ),
  'POST /v1/units': fields(
    'a map with application and count',
    {
      application,
      count: { type: 'integer', minimum: 1, expect: 'a whole number from 1' },
      to: machine,
    },
    ['to'],
  ),
  'POST /v1/relations': twoEnds,
  'POST /v1/remove-relation': twoEnds,
  'POST /v1/refresh': fields(
    'a map with application',
    {
      application,
      policy,
      path: absolutePath('an absolute folder holding the charm'),
      revision: { type: 'integer', minimum: 1, expect: 'a revision number from 1' },
    },
    ['policy', 'path', 'revision'],
  ),
  'POST /v1/resolve': fields('a map with unit and retry', { unit, retry: flag() }),
  'POST /v1/actions': fields('a map with target, action and params', {
    target: nonEmpty('a unit like etcd/0 or APP/leader'),
    action: nonEmpty('an action name'),
    params: stringMap('a map of parameter names to text values'),
  }),
  'POST /v1/resources': fields(
    'a map with application and files',
    {
      application,
      files: {
        type: 'object',
        expect: 'a map of resource names to absolute paths',
        additionalProperties: absolutePath(),
      },
      policy,
    },
    ['policy'],
  ),
  'POST /v1/remove-units': fields('a map with units and force', {
    units: {
      type: 'array',
      minItems: 1,
      expect: 'a list of unit names',
      items: unit,
    },
    force: flag(),
  }),
  'POST /v1/remove-application': fields('a map with application and force', {
    application,
    force: flag(),
  }),
  'POST /v1/config': fields(
    'a map with application, values and reset',
    {
      application,
      values: stringMap('a map of option names to text values'),
      reset: { type: 'array', expect: 'a list of option names', items: nonEmpty('an option name') },
      policy,
    },
    ['policy'],
  ),
  'POST /v1/rollout': fields('a map with application and action', {
    application,
    action: { type: 'string', enum: ['resume', 'abort'], expect: '"resume" or "abort"' },
  }),
  'POST /v1/rollout-policy': fields('a map with application, policy and reset', {
    application,
    policy,
    reset: flag(),
  }),
  'POST /v1/rollback': fields(
    'a map with application',
    {
      application,
      to: { type: 'integer', minimum: 0, expect: 'a model revision number' },
      policy,
    },
    ['to', 'policy'],
  ),
  'POST /v1/sim': fields('a map with action and machines', {
    action: { type: 'string', enum: ['lose', 'heal'], expect: '"lose" or "heal"' },
    machines: { type: 'array', minItems: 1, expect: 'a list of machine ids', items: machine },
  }),
  'POST /v1/model-config': stringMap('a map of setting names to text values'),
  'POST /v1/shutdown': fields('a map (destroy optional)', { destroy: flag() }, ['destroy']),
} as const satisfies Record<string, Schema>;

/** Query parameters (and the path's `:id`, as `id`), by route; all are text on the wire. */
const query = (properties: Record<string, Schema>, optional: readonly string[] = []): Schema => ({
  ...fields('query parameters', properties, optional),
  expect: 'query parameters',
});
const digits = (expect: string): Schema => ({ type: 'string', pattern: '^[0-9]+$', expect });
const bool: Schema = { type: 'string', enum: ['true', 'false'], expect: 'true or false' };
// Status patterns as typed (names hold no commas); an unknown name matches nothing.
const statusFilter: Schema = {
  type: 'string',
  pattern: '^[^,]+(,[^,]+)*$',
  maxLength: 8000,
  expect: 'application, unit or machine names, comma-separated',
};

export const QUERY_SCHEMAS = {
  'GET /v1/ping': query({}),
  'GET /v1/status': query(
    {
      probe: bool,
      filter: statusFilter,
    },
    ['probe', 'filter'],
  ),
  'GET /v1/status-text': query(
    {
      format: { type: 'string', enum: STATUS_FORMATS, expect: STATUS_FORMATS.join(', ') },
      relations: bool,
      probe: bool,
      filter: statusFilter,
    },
    ['relations', 'probe', 'filter'],
  ),
  'DELETE /v1/machines/:id': query({ id: machine, force: bool }, ['force']),
  'GET /v1/machines/:id/ssh': query({ id: machine }),
  'GET /v1/actions/:id': query({ id: digits('an action id') }),
  'GET /v1/config': query({ application }),
  'GET /v1/rollouts': query({}),
  'GET /v1/rollout-policy': query({ application }),
  'GET /v1/history': query({ application }, ['application']),
  'GET /v1/status-log': query(
    {
      entity: {
        type: 'string',
        pattern: `${NAME_PATTERNS.unit}|${NAME_PATTERNS.machine}|${NAME_PATTERNS.application}`,
        maxLength: MAX_NAME_LENGTH + 11,
        expect: 'a unit like etcd/0, a machine id, an application name or model',
      },
      type: { type: 'string', enum: STATUS_LOG_TYPES, expect: STATUS_LOG_TYPES.join(', ') },
      limit: { type: 'string', pattern: '^[1-9][0-9]{0,8}$', expect: 'a whole number from 1' },
    },
    ['type', 'limit'],
  ),
  'GET /v1/model-config': query({}),
  'GET /v1/pending': query({}),
  'GET /v1/changes': query(
    {
      after: { type: 'string', pattern: '^(-1|[0-9]+)$', expect: 'a generation (-1 for now)' },
      timeoutMs: digits('a number of milliseconds'),
    },
    ['after', 'timeoutMs'],
  ),
  'GET /v1/hooks': query({ after: digits('a hook log position') }, ['after']),
  'GET /v1/metrics': query({}),
  'GET /metrics': query({}),
} as const satisfies Record<string, Schema>;

export type BodyRoute = keyof typeof BODY_SCHEMAS;
export type QueryRoute = keyof typeof QUERY_SCHEMAS;
