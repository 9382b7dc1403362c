// actions.yaml (Juju's format) → ActionSpec per action, each action's params as one JSON Schema
// that ajv has compiled once to prove it usable. Pure: takes text.
import { Ajv, type ErrorObject } from 'ajv';
import { type Diagnostic, diagnostic, hasErrors, sortDiagnostics } from '../yaml/diagnostic.js';
import { type LEntry, type LNode, toPlain } from '../yaml/located.js';
import {
  formatPath,
  makeAjv,
  nodeAt,
  schemaDiagnostics,
  suggestion,
  typedSteps,
} from '../yaml/schema-diagnostics.js';
import { parseOneDocument } from './one-document.js';
import type { ActionSpec, JsonSchema } from './types.js';

/** Juju's rule for action names: lowercase words joined by hyphens. */
const ACTION_NAME = /^[a-z](?:[a-z-]*[a-z])?$/;
const JSON_TYPES = 'string, number, integer, boolean, object, array or null';

const actionsSchema = {
  type: 'object',
  expect: 'a map of actions',
  additionalProperties: {
    type: ['object', 'null'],
    expect: 'a map with description, params, required and additionalProperties',
    additionalProperties: false,
    properties: {
      description: { type: 'string', expect: 'a description' },
      params: {
        type: ['object', 'null'],
        expect: 'a map of parameter schemas',
        additionalProperties: { type: 'object', expect: 'a JSON Schema map' },
      },
      required: {
        type: 'array',
        expect: 'a list of parameter names',
        items: { type: 'string', expect: 'a parameter name' },
      },
      additionalProperties: { type: 'boolean', expect: 'true or false' },
      // Newer Juju keys about how actions run; Rune runs one action at a time per unit.
      parallel: { type: 'boolean', expect: 'true or false' },
      'execution-group': { type: 'string', expect: 'a group name' },
    },
  },
};

const validateShape = makeAjv().compile(actionsSchema);
/** Params are the charm author's own JSON Schema: any draft-07 keyword is theirs to use. */
const paramsAjv = new Ajv({ allErrors: true, strict: false });

export function parseActions(
  file: string,
  text: string,
): { actions?: Record<string, ActionSpec>; diagnostics: Diagnostic[] } {
  const parsed = parseOneDocument(file, text);
  const out = parsed.diagnostics;
  if (hasErrors(out)) return { diagnostics: sortDiagnostics(out) };
  const root = parsed.root;
  if (root && !validateShape(toPlain(root))) {
    out.push(...schemaDiagnostics(root, validateShape.errors ?? []));
  }
  const actions: Record<string, ActionSpec> = {};
  for (const entry of root?.kind === 'map' ? root.entries.values() : []) {
    const action = readAction(entry, out);
    if (action) actions[entry.key] = action;
  }
  if (hasErrors(out)) return { diagnostics: sortDiagnostics(out) };
  return { actions, diagnostics: sortDiagnostics(out) };
}

function readAction(entry: LEntry, out: Diagnostic[]): ActionSpec | undefined {
  const name = entry.key;
  if (!ACTION_NAME.test(name)) {
    const rule = 'use lowercase letters and hyphens, starting and ending with a letter';
    out.push(
      diagnostic('error', entry.keyLoc, name, `invalid action name "${name}": ${rule}`, name),
    );
  } else if (name.startsWith('juju-')) {
    const why = 'names starting "juju-" belong to Juju';
    out.push(
      diagnostic('error', entry.keyLoc, name, `action name "${name}" is reserved: ${why}`, name),
    );
  }
  const body = entry.value;
  if (body.kind === 'scalar' && body.value === null) {
    return { name, description: '', params: paramsSchema({}, [], true) };
  }
  if (body.kind !== 'map') return undefined;
  const plain = toPlain(body) as Record<string, unknown>;
  const params = plain.params ?? {};
  const required = plain.required ?? [];
  const additional = plain.additionalProperties ?? true;
  const description = plain.description ?? '';
  if (
    !isMap(params) ||
    !Object.values(params).every(isMap) ||
    !isStringList(required) ||
    typeof additional !== 'boolean' ||
    typeof description !== 'string'
  ) {
    return undefined; // ajv has said what is wrong
  }
  const paramNames = Object.keys(params);
  const requiredNode = body.entries.get('required')?.value;
  let ok = true;
  required.forEach((param, index) => {
    if (paramNames.includes(param)) return;
    ok = false;
    const at = requiredNode?.kind === 'seq' ? requiredNode.items[index] : undefined;
    const hint = suggestion(param, paramNames);
    out.push(
      diagnostic(
        'error',
        at?.loc ?? body.loc,
        `${name}.required[${index}]`,
        `"${param}" is not among ${name}'s params${hint}`,
        param,
      ),
    );
  });
  const schema = paramsSchema(params, required, additional);
  if (!checkSchema(name, body, schema, out) || !ok) return undefined;
  return { name, description, params: schema };
}

const isMap = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isStringList = (v: unknown): v is string[] =>
  Array.isArray(v) && v.every((item) => typeof item === 'string');

function paramsSchema(
  properties: Record<string, unknown>,
  required: string[],
  additionalProperties: boolean,
): JsonSchema {
  const schema: JsonSchema = { type: 'object', properties, additionalProperties };
  if (required.length > 0) schema.required = required;
  return schema;
}

/** Meta-schema findings, mapped from the compiled schema back to where the author wrote them. */
function checkSchema(action: string, body: LNode, schema: JsonSchema, out: Diagnostic[]): boolean {
  if (!paramsAjv.validateSchema(schema)) {
    const byPath = new Map<string, ErrorObject>();
    for (const error of paramsAjv.errors ?? []) {
      if (!byPath.has(error.instancePath)) byPath.set(error.instancePath, error);
    }
    for (const [pointer, error] of byPath) {
      const steps = typedSteps(body, schemaSteps(pointer));
      const node = nodeAt(body, steps);
      const value = node ? toPlain(node) : undefined;
      const message =
        steps[steps.length - 1] === 'type'
          ? `unknown JSON Schema type ${JSON.stringify(value)}; use ${JSON_TYPES}`
          : `invalid JSON Schema: ${error.message ?? 'rejected'}`;
      out.push(
        diagnostic('error', (node ?? body).loc, formatPath([action, ...steps]), message, action),
      );
    }
    return false;
  }
  try {
    paramsAjv.compile(schema);
    // Compiled only to prove it compiles; callers compile their own, so keep no cache entry.
    paramsAjv.removeSchema(schema);
    return true;
  } catch (e) {
    const at = body.kind === 'map' ? (body.entries.get('params')?.keyLoc ?? body.loc) : body.loc;
    const reason = e instanceof Error ? e.message : String(e);
    out.push(
      diagnostic('error', at, `${action}.params`, `invalid parameter schema: ${reason}`, action),
    );
    return false;
  }
}

/** `/properties/target/type` in the compiled schema is `params.target.type` in the file. */
function schemaSteps(pointer: string): string[] {
  const raw = pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (raw[0] === 'properties') return ['params', ...raw.slice(1)];
  return raw;
}
