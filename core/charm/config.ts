// config.yaml → CharmConfig and its JSON Schema; option values checked against it with ajv,
// exactly (bundles: YAML already typed) or coercing (CLI `key=value` strings). Pure.
import type { ValidateFunction } from 'ajv';
import type { ConfigValue, ConfigValues } from '../model/types.js';
import { isOptionName } from '../model/names.js';
import { type Diagnostic, diagnostic, hasErrors, sortDiagnostics } from '../yaml/diagnostic.js';
import { type LNode, toPlain } from '../yaml/located.js';
import {
  describeValue,
  makeAjv,
  schemaDiagnostics,
  suggestion,
} from '../yaml/schema-diagnostics.js';
import { parseOneDocument } from './one-document.js';
import type { CharmConfig, ConfigOption, JsonSchema, OptionType } from './types.js';
import { own } from '../model/own.js';

const OPTION_TYPES: readonly OptionType[] = ['string', 'int', 'float', 'boolean'];
const JSON_TYPE = {
  string: 'string',
  int: 'integer',
  float: 'number',
  boolean: 'boolean',
} as const;
type JsonType = (typeof JSON_TYPE)[OptionType];
const ARTICLE: Record<JsonType, string> = {
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'a boolean',
};

const configSchema = {
  type: 'object',
  expect: 'a map with "options"',
  additionalProperties: false,
  properties: {
    options: {
      type: ['object', 'null'],
      expect: 'a map of options',
      additionalProperties: {
        type: 'object',
        expect: 'a map with type, default and description',
        additionalProperties: false,
        properties: {
          type: { type: 'string', expect: 'string, int, float or boolean' },
          default: { type: ['string', 'number', 'boolean', 'null'], expect: 'a plain value' },
          description: { type: 'string', expect: 'a description' },
        },
      },
    },
  },
};

const exactAjv = makeAjv();
const coerceAjv = makeAjv({ coerceTypes: true });
const validateShape = exactAjv.compile(configSchema);
/** One validator per option type, for defaults (checked before any CharmConfig exists). */
const validateDefault = Object.fromEntries(
  OPTION_TYPES.map((t) => [t, exactAjv.compile({ type: JSON_TYPE[t] })]),
) as Record<OptionType, ValidateFunction>;

/** `string "abc"`, `number 1.5`, `null`: the value and the type it arrived as. */
function describeTyped(value: unknown): string {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    return `${typeof value} ${describeValue(value)}`;
  }
  return describeValue(value);
}

const mustBe = (type: JsonType, got: string): string => `must be ${ARTICLE[type]}, got ${got}`;

/** The JSON Schema of a charm's options: one property each, no others allowed. */
export function compileConfigSchema(options: Record<string, ConfigOption>): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const [name, option] of Object.entries(options)) {
    const property: JsonSchema = { type: JSON_TYPE[option.type] };
    if (option.default !== undefined) property.default = option.default;
    if (option.description !== '') property.description = option.description;
    properties[name] = property;
  }
  return { type: 'object', additionalProperties: false, properties };
}

export function parseConfig(
  file: string,
  text: string,
): { config?: CharmConfig; diagnostics: Diagnostic[] } {
  const parsed = parseOneDocument(file, text);
  const out = parsed.diagnostics;
  if (hasErrors(out)) return { diagnostics: sortDiagnostics(out) };
  const root = parsed.root;
  const options: Record<string, ConfigOption> = {};
  if (root && !validateShape(toPlain(root))) {
    out.push(...schemaDiagnostics(root, validateShape.errors ?? []));
  }
  const section = root?.kind === 'map' ? root.entries.get('options')?.value : undefined;
  for (const entry of section?.kind === 'map' ? section.entries.values() : []) {
    const path = `options.${entry.key}`;
    if (!isOptionName(entry.key)) {
      const rule = 'use letters, digits, ".", "-" and "_", starting with a letter';
      out.push(
        diagnostic(
          'error',
          entry.keyLoc,
          path,
          `invalid option name "${entry.key}": ${rule}`,
          entry.key,
        ),
      );
    }
    const option = readOption(entry.key, entry.value, path, out);
    if (option) options[entry.key] = option;
  }
  if (hasErrors(out)) return { diagnostics: sortDiagnostics(out) };
  return {
    config: { options, schema: compileConfigSchema(options) },
    diagnostics: sortDiagnostics(out),
  };
}

/** One option as written; undefined when its shape is wrong (ajv has said why). */
function readOption(
  name: string,
  node: LNode,
  path: string,
  out: Diagnostic[],
): ConfigOption | undefined {
  if (node.kind !== 'map') return undefined;
  const field = (key: string) => node.entries.get(key)?.value;
  const typeNode = field('type');
  // Juju takes an option without a type as a string option.
  const type = typeNode ? toPlain(typeNode) : 'string';
  if (typeof type !== 'string') return undefined;
  if (!OPTION_TYPES.includes(type as OptionType)) {
    out.push(
      diagnostic(
        'error',
        typeNode?.loc ?? node.loc,
        `${path}.type`,
        `unknown type ${JSON.stringify(type)}; use string, int, float or boolean`,
        type,
      ),
    );
    return undefined;
  }
  const optionType = type as OptionType;
  const description = field('description') ? toPlain(field('description') as LNode) : '';
  const option: ConfigOption = {
    name,
    type: optionType,
    description: typeof description === 'string' ? description : '',
  };
  const defaultNode = field('default');
  const value = defaultNode ? toPlain(defaultNode) : null;
  // A null default (or none) means the option is unset until the operator sets it.
  if (defaultNode && defaultNode.kind !== 'scalar') return undefined;
  if (defaultNode && value !== null) {
    if (!validateDefault[optionType](value)) {
      const message = mustBe(JSON_TYPE[optionType], describeTyped(value));
      out.push(diagnostic('error', defaultNode.loc, `${path}.default`, message, name));
      return undefined;
    }
    option.default = value as ConfigValue;
  }
  return option;
}

/** Every option that has a default, at that default. */
export function defaultConfig(config: CharmConfig): ConfigValues {
  const values: ConfigValues = {};
  for (const [name, option] of Object.entries(config.options)) {
    if (option.default !== undefined) values[name] = option.default;
  }
  return values;
}

export type ConfigMode = 'exact' | 'coerce';

export interface ConfigProblem {
  option: string;
  message: string;
}

const compiled = new WeakMap<CharmConfig, Partial<Record<ConfigMode, ValidateFunction>>>();

function validatorFor(config: CharmConfig, mode: ConfigMode): ValidateFunction {
  const cached = compiled.get(config) ?? {};
  const found = cached[mode];
  if (found) return found;
  const made = (mode === 'exact' ? exactAjv : coerceAjv).compile(config.schema);
  compiled.set(config, { ...cached, [mode]: made });
  return made;
}

/**
 * Checks values set by an operator. Returns the values that passed (converted in 'coerce'
 * mode) and one problem per option that did not, in the order the values were given.
 */
export function validateConfigValues(
  charmName: string,
  config: CharmConfig,
  values: Record<string, unknown>,
  mode: ConfigMode,
): { values: ConfigValues; problems: ConfigProblem[] } {
  const known = Object.keys(config.options);
  const problems = new Map<string, string>();
  const candidate: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(values)) {
    const option = own(config.options, name);
    if (!option) {
      const hint = suggestion(name, known);
      problems.set(name, `unknown option "${name}" for charm ${charmName}${hint}`);
    } else if (value === null || value === undefined) {
      // ajv would coerce null to 0, "" or false; an operator's null is never a value.
      problems.set(name, mustBe(JSON_TYPE[option.type], 'null'));
    } else {
      candidate[name] = value;
    }
  }
  const validate = validatorFor(config, mode);
  if (!validate(candidate)) {
    for (const error of validate.errors ?? []) {
      const name = error.instancePath.slice(1).replace(/~1/g, '/').replace(/~0/g, '~');
      const option = own(config.options, name);
      if (!option || problems.has(name)) continue;
      const given = values[name];
      const got =
        mode === 'coerce' && typeof given === 'string'
          ? describeValue(given)
          : describeTyped(given);
      problems.set(name, mustBe(JSON_TYPE[option.type], got));
    }
  }
  const passed: ConfigValues = {};
  for (const name of Object.keys(values)) {
    if (!problems.has(name) && Object.hasOwn(candidate, name))
      passed[name] = candidate[name] as ConfigValue;
  }
  const ordered = Object.keys(values)
    .filter((name) => problems.has(name))
    .map((option) => ({ option, message: problems.get(option) ?? '' }));
  return { values: passed, problems: ordered };
}
