// An action run's params checked against actions.yaml (DESIGN §7): the action must be declared,
// `k=v` words from the CLI become the types its schema asks for, and the schema's defaults fill
// the rest. Pure; the harness and the controller each turn a problem into their own error.
import { Ajv } from 'ajv';
import type { Charm, JsonSchema } from './types.js';
import { own, setOwn } from '../model/own.js';

const ajv = new Ajv({ allErrors: true, strict: false, useDefaults: true });

export type ActionParamsResult =
  | { ok: true; params: Record<string, unknown> }
  | { ok: false; problem: 'unknown-action' | 'params'; message: string };

/** `"3"` → 3 where the schema says integer or number, `"true"` → true for boolean; else text. */
export function coerceParams(
  schema: JsonSchema,
  words: Readonly<Record<string, string>>,
): Record<string, unknown> {
  const properties = (schema.properties ?? {}) as Record<string, { type?: unknown }>;
  const out: Record<string, unknown> = {};
  for (const [key, text] of Object.entries(words)) {
    const type = own(properties, key)?.type;
    const number = Number(text);
    if ((type === 'integer' || type === 'number') && text.trim() !== '' && !Number.isNaN(number))
      setOwn(out, key, number);
    else if (type === 'boolean' && (text === 'true' || text === 'false'))
      setOwn(out, key, text === 'true');
    else setOwn(out, key, text);
  }
  return out;
}

export function checkActionParams(
  charm: Charm,
  name: string,
  params: Record<string, unknown>,
): ActionParamsResult {
  const spec = own(charm.actions, name);
  if (!spec) {
    const known = Object.keys(charm.actions).sort().join(', ') || 'none';
    return {
      ok: false,
      problem: 'unknown-action',
      message: `action "${name}" is not in actions.yaml of ${charm.meta.name} (actions: ${known})`,
    };
  }
  const copy = structuredClone(params);
  const validate = ajv.compile(spec.params);
  if (validate(copy)) return { ok: true, params: copy };
  const list = (validate.errors ?? []).map((e) =>
    `${e.instancePath.replace(/^\//, '') || 'params'} ${e.message ?? ''}`.trim(),
  );
  return {
    ok: false,
    problem: 'params',
    message: `params of action "${name}" break its schema: ${list.join('; ')}`,
  };
}
