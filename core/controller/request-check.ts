// Every API request checked against its schema (request-schemas.ts) before the controller sees
// it: a body or query that fails is refused whole, with one line per field naming what was
// expected and what came ("units: must be a list of unit names, got a string"). Pure.
import type { ErrorObject, ValidateFunction } from 'ajv';
import { RuneError } from '../model/errors.js';
import { formatPath, makeAjv, type Step } from '../yaml/schema-diagnostics.js';
import type {
  ActionRequest,
  AddMachinesRequest,
  AddUnitsRequest,
  AttachRequest,
  DeployRequest,
  DiffBundleRequest,
  ExportBundleRequest,
  SimulateRequest,
} from './api.js';
import type { RefreshRequest } from './refresh.js';
import type { RollbackRequest } from './rollback.js';
import type { PolicyFlags } from './rollout-policy.js';
import type { SetRolloutPolicyRequest } from './rollout-settings.js';
import { BODY_SCHEMAS, type BodyRoute, QUERY_SCHEMAS, type QueryRoute } from './request-schemas.js';

/** A request the API refuses before the controller sees it; answered with HTTP 400. */
export class BadRequestError extends RuneError {
  readonly kind = 'user';
}

/** What each route's body is once its schema accepted it. */
export interface RequestBodies {
  'POST /v1/machines': AddMachinesRequest;
  'POST /v1/exec': { machine: string; command: string };
  'POST /v1/deploy': DeployRequest;
  'POST /v1/diff-bundle': DiffBundleRequest;
  'POST /v1/export-bundle': ExportBundleRequest;
  'POST /v1/units': AddUnitsRequest;
  'POST /v1/relations': { a: string; b: string };
  'POST /v1/remove-relation': { a: string; b: string };
  'POST /v1/refresh': RefreshRequest;
  'POST /v1/resolve': { unit: string; retry: boolean };
  'POST /v1/actions': ActionRequest;
  'POST /v1/resources': AttachRequest;
  'POST /v1/remove-units': { units: string[]; force: boolean };
  'POST /v1/remove-application': { application: string; force: boolean };
  'POST /v1/config': {
    application: string;
    values: Record<string, string>;
    reset: string[];
    policy?: PolicyFlags;
  };
  'POST /v1/rollout': { application: string; action: 'resume' | 'abort' };
  'POST /v1/rollout-policy': SetRolloutPolicyRequest;
  'POST /v1/rollback': RollbackRequest;
  'POST /v1/sim': SimulateRequest;
  'POST /v1/model-config': Record<string, string>;
  'POST /v1/shutdown': { destroy?: boolean };
}

// Compiled once, at load: a schema mistake fails the controller's start, not a request.
const ajv = makeAjv();
const compile = <K extends string>(schemas: Record<K, object>) =>
  new Map(
    Object.entries<object>(schemas).map(([route, schema]) => [route, ajv.compile(schema)]),
  ) as Map<K, ValidateFunction>;
const bodies = compile(BODY_SCHEMAS);
const queries = compile(QUERY_SCHEMAS);

/** The body as its route's type, or a BadRequestError naming every field at fault. */
export function checkBody<R extends BodyRoute>(route: R, body: unknown): RequestBodies[R] {
  check(route, 'request body', bodies.get(route), body);
  return body as RequestBodies[R];
}

/** The query (with the path's id as `id`) as text by name, checked the same way. */
export function checkQuery(route: QueryRoute, params: Record<string, string>) {
  check(route, 'request', queries.get(route), params);
  return params;
}

function check(route: string, what: string, validate: ValidateFunction | undefined, data: unknown) {
  if (!validate) throw new BadRequestError(`${route} has no request schema`);
  if (validate(data)) return;
  const problems = describeErrors(validate.errors ?? [], data);
  throw new BadRequestError(`invalid ${what} for ${route}: ${problems.join('; ')}`);
}

/** One line per field, the first finding at each (ajv may report one fault several ways). */
export function describeErrors(errors: readonly ErrorObject[], data: unknown): string[] {
  const byPath = new Map<string, string>();
  for (const error of errors) {
    const steps = stepsOf(data, error.instancePath);
    const parent = error.parentSchema as { expect?: string } | undefined;
    let path = formatPath(steps);
    let message: string;
    if (error.keyword === 'required' || error.keyword === 'additionalProperties') {
      const params = error.params as { missingProperty?: string; additionalProperty?: string };
      const field = String(params.missingProperty ?? params.additionalProperty);
      path = formatPath([...steps, field]);
      message = error.keyword === 'required' ? 'is missing' : 'is not a field of this request';
    } else {
      const got = error.keyword === 'type' ? kindOf(error.data) : shown(error.data);
      message = `must be ${parent?.expect ?? 'valid'}, got ${got}`;
    }
    const key = path === '' ? 'the body' : path;
    if (!byPath.has(key)) byPath.set(key, `${key}: ${message}`);
  }
  return [...byPath.values()];
}

/** ajv's JSON Pointer as steps, list indexes as numbers (read off the data itself). */
function stepsOf(data: unknown, pointer: string): Step[] {
  if (pointer === '') return [];
  const steps: Step[] = [];
  let node = data;
  for (const raw of pointer.slice(1).split('/')) {
    const step = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) {
      steps.push(Number(step));
      node = node[Number(step)] as unknown;
    } else {
      steps.push(step);
      node =
        typeof node === 'object' && node !== null && Object.hasOwn(node, step)
          ? (node as Record<string, unknown>)[step]
          : undefined;
    }
  }
  return steps;
}

/** The JSON kind a value arrived as: enough to see the mistake, never the value itself (it may
 * be a secret sent where it does not belong). */
function kindOf(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'number') return Number.isInteger(value) ? 'a whole number' : 'a number';
  if (typeof value === 'boolean') return 'true or false';
  return 'a map';
}

/** A value of the right kind but the wrong form: shown short, so the user sees which. */
function shown(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value !== 'string') return kindOf(value);
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value);
}
