// parseConfig, compileConfigSchema, defaultConfig and validateConfigValues (both modes).
import { describe, expect, it } from 'vitest';
import {
  compileConfigSchema,
  defaultConfig,
  parseConfig,
  validateConfigValues,
} from '../../../core/charm/config.js';
import type { CharmConfig } from '../../../core/charm/types.js';
import { lines, yaml } from './helpers.js';

const FILE = 'config.yaml';
const problems = (text: string) => lines(parseConfig(FILE, text).diagnostics, FILE);

function configOf(text: string): CharmConfig {
  const { config, diagnostics } = parseConfig(FILE, text);
  expect(diagnostics).toEqual([]);
  if (!config) throw new Error('config did not parse');
  return config;
}

const ETCD = yaml(
  'options:',
  '  port:',
  '    type: int',
  '    default: 2379',
  '    description: Client port.',
  '  ratio:',
  '    type: float',
  '    default: 1',
  '  flag:',
  '    type: boolean',
  '    default: false',
  '  name:',
  '    type: string',
  '    default: etcd',
  '  token:',
  '    type: string',
);

describe('parseConfig', () => {
  it('reads options with their types, defaults and descriptions', () => {
    const config = configOf(ETCD);
    expect(config.options).toEqual({
      port: { name: 'port', type: 'int', default: 2379, description: 'Client port.' },
      ratio: { name: 'ratio', type: 'float', default: 1, description: '' },
      flag: { name: 'flag', type: 'boolean', default: false, description: '' },
      name: { name: 'name', type: 'string', default: 'etcd', description: '' },
      token: { name: 'token', type: 'string', description: '' },
    });
  });

  it('compiles the options to a closed JSON Schema carrying defaults and descriptions', () => {
    expect(configOf(ETCD).schema).toEqual({
      type: 'object',
      additionalProperties: false,
      properties: {
        port: { type: 'integer', default: 2379, description: 'Client port.' },
        ratio: { type: 'number', default: 1 },
        flag: { type: 'boolean', default: false },
        name: { type: 'string', default: 'etcd' },
        token: { type: 'string' },
      },
    });
    expect(compileConfigSchema({})).toEqual({
      type: 'object',
      additionalProperties: false,
      properties: {},
    });
  });

  it('gives empty options for an empty file, a comment-only file or empty options', () => {
    for (const text of ['', '# nothing here\n', 'options:\n', 'options: {}\n']) {
      expect(configOf(text).options).toEqual({});
    }
  });

  it('takes an option without a type as a string, as Juju does', () => {
    expect(configOf(yaml('options:', '  motd:', '    default: hi')).options.motd?.type).toBe(
      'string',
    );
  });

  it('treats a null default as no default', () => {
    expect(configOf(yaml('options:', '  n:', '    type: int', '    default:')).options.n).toEqual({
      name: 'n',
      type: 'int',
      description: '',
    });
  });

  it('rejects an unknown type', () => {
    expect(problems(yaml('options:', '  port:', '    type: integer'))).toEqual([
      '3:11 options.port.type: unknown type "integer"; use string, int, float or boolean',
    ]);
  });

  it('rejects a default of the wrong type, but takes an int for a float', () => {
    const text = yaml(
      'options:',
      '  port:',
      '    type: int',
      '    default: "2379"',
      '  ratio:',
      '    type: int',
      '    default: 1.5',
      '  flag:',
      '    type: boolean',
      '    default: yes',
      '  name:',
      '    type: string',
      '    default: 5',
      '  scale:',
      '    type: float',
      '    default: 2',
    );
    expect(problems(text)).toEqual([
      '4:14 options.port.default: must be an integer, got string "2379"',
      '7:14 options.ratio.default: must be an integer, got number 1.5',
      '10:14 options.flag.default: must be a boolean, got string "yes"',
      '13:14 options.name.default: must be a string, got number 5',
    ]);
  });

  it('rejects unknown fields, with a suggestion', () => {
    expect(problems(yaml('optoins: {}'))).toEqual([
      '1:1 optoins: unknown field "optoins" (did you mean "options"?)',
    ]);
    expect(problems(yaml('options:', '  port:', '    type: int', '    defualt: 1'))).toEqual([
      '4:5 options.port.defualt: unknown field "defualt" (did you mean "default"?)',
    ]);
  });

  it('rejects wrong shapes and invalid option names', () => {
    const text = yaml(
      'options:',
      '  empty:',
      '  listy: [1]',
      '  "bad name":',
      '    type: string',
      '  desc:',
      '    description: 5',
      '  deflist:',
      '    default: [1]',
    );
    expect(problems(text)).toEqual([
      '2:3 options.empty: must be a map with type, default and description, got null',
      '3:10 options.listy: must be a map with type, default and description, got a list',
      '4:3 options.bad name: invalid option name "bad name": use letters, digits, ".", "-" and "_", starting with a letter',
      '7:18 options.desc.description: must be a description, got 5',
      '9:14 options.deflist.default: must be a plain value, got a list',
    ]);
  });

  it('rejects a file that is not a map', () => {
    expect(problems(yaml('- a'))).toEqual(['1:1 must be a map with "options", got a list']);
  });
});

describe('defaultConfig', () => {
  it('holds every option that has a default', () => {
    expect(defaultConfig(configOf(ETCD))).toEqual({
      port: 2379,
      ratio: 1,
      flag: false,
      name: 'etcd',
    });
  });
});

describe('validateConfigValues: exact mode (bundles)', () => {
  const config = configOf(ETCD);
  const check = (values: Record<string, unknown>) =>
    validateConfigValues('etcd', config, values, 'exact');

  it('passes values of the right type through unchanged', () => {
    const values = { port: 4001, ratio: 2, flag: true, name: 'x' };
    expect(check(values)).toEqual({ values, problems: [] });
  });

  it('names unknown options, suggesting a near one only when within two edits', () => {
    expect(check({ prot: 1, zzzzzz: 1 }).problems).toEqual([
      { option: 'prot', message: 'unknown option "prot" for charm etcd (did you mean "port"?)' },
      { option: 'zzzzzz', message: 'unknown option "zzzzzz" for charm etcd' },
    ]);
  });

  it('names the expected and the given type, in the order given', () => {
    const result = check({
      port: 'abc',
      ratio: true,
      flag: 'yes',
      name: 5,
      token: 'fine',
    });
    expect(result.problems).toEqual([
      { option: 'port', message: 'must be an integer, got string "abc"' },
      { option: 'ratio', message: 'must be a number, got boolean true' },
      { option: 'flag', message: 'must be a boolean, got string "yes"' },
      { option: 'name', message: 'must be a string, got number 5' },
    ]);
    expect(result.values).toEqual({ token: 'fine' });
  });

  it('rejects fractions for int, null for anything, and lists and maps', () => {
    expect(check({ port: 1.5, flag: null, name: ['a'], token: { a: 1 } }).problems).toEqual([
      { option: 'port', message: 'must be an integer, got number 1.5' },
      { option: 'flag', message: 'must be a boolean, got null' },
      { option: 'name', message: 'must be a string, got a list' },
      { option: 'token', message: 'must be a string, got a map' },
    ]);
    expect(check({ port: null }).problems).toEqual([
      { option: 'port', message: 'must be an integer, got null' },
    ]);
  });

  it('does not coerce: "2379" is not an int', () => {
    expect(check({ port: '2379' }).problems).toEqual([
      { option: 'port', message: 'must be an integer, got string "2379"' },
    ]);
  });

  it("does not change the caller's values", () => {
    const values = { port: '1' };
    check(values);
    expect(values).toEqual({ port: '1' });
  });
});

describe('validateConfigValues: coerce mode (CLI key=value)', () => {
  const config = configOf(ETCD);
  const check = (values: Record<string, unknown>) =>
    validateConfigValues('etcd', config, values, 'coerce');

  it('converts strings to the option types', () => {
    expect(check({ port: '2379', ratio: '0.5', flag: 'true', name: 'x' })).toEqual({
      values: { port: 2379, ratio: 0.5, flag: true, name: 'x' },
      problems: [],
    });
    expect(check({ flag: 'false' }).values).toEqual({ flag: false });
  });

  it('reports strings that cannot convert, without the type word', () => {
    expect(check({ port: 'abc', ratio: 'x', flag: 'yes', prot: '1' }).problems).toEqual([
      { option: 'port', message: 'must be an integer, got "abc"' },
      { option: 'ratio', message: 'must be a number, got "x"' },
      { option: 'flag', message: 'must be a boolean, got "yes"' },
      { option: 'prot', message: 'unknown option "prot" for charm etcd (did you mean "port"?)' },
    ]);
    expect(check({ port: '1.5' }).problems).toEqual([
      { option: 'port', message: 'must be an integer, got "1.5"' },
    ]);
    expect(check({ port: '' }).problems).toEqual([
      { option: 'port', message: 'must be an integer, got ""' },
    ]);
  });

  it("does not change the caller's values", () => {
    const values = { port: '1' };
    expect(check(values).values).toEqual({ port: 1 });
    expect(values).toEqual({ port: '1' });
  });
});
