// parseActions: Juju's actions.yaml, each action's params compiled to one JSON Schema.
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parseActions } from '../../../core/charm/actions.js';
import { lines, yaml } from './helpers.js';

const FILE = 'actions.yaml';
const problems = (text: string) => lines(parseActions(FILE, text).diagnostics, FILE);

describe('parseActions: valid files', () => {
  it('compiles params, required and additionalProperties into one schema per action', () => {
    const { actions, diagnostics } = parseActions(
      FILE,
      yaml(
        'snapshot:',
        '  description: Take a snapshot.',
        '  params:',
        '    target:',
        '      type: string',
        '      default: /tmp',
        '    count:',
        '      type: integer',
        '      minimum: 1',
        '  required: [target]',
        '  additionalProperties: false',
        'health:',
        '  description: Check health.',
        'noop:',
      ),
    );
    expect(diagnostics).toEqual([]);
    expect(actions).toEqual({
      snapshot: {
        name: 'snapshot',
        description: 'Take a snapshot.',
        params: {
          type: 'object',
          properties: {
            target: { type: 'string', default: '/tmp' },
            count: { type: 'integer', minimum: 1 },
          },
          required: ['target'],
          additionalProperties: false,
        },
      },
      health: {
        name: 'health',
        description: 'Check health.',
        params: { type: 'object', properties: {}, additionalProperties: true },
      },
      noop: {
        name: 'noop',
        description: '',
        params: { type: 'object', properties: {}, additionalProperties: true },
      },
    });
  });

  it('yields schemas that really validate params', () => {
    const { actions } = parseActions(
      FILE,
      yaml(
        'snapshot:',
        '  params:',
        '    count: {type: integer}',
        '  required: [count]',
        '  additionalProperties: false',
      ),
    );
    const validate = new Ajv().compile(actions?.snapshot?.params ?? {});
    expect(validate({ count: 2 })).toBe(true);
    expect(validate({ count: 'two' })).toBe(false);
    expect(validate({})).toBe(false);
    expect(validate({ count: 2, extra: 1 })).toBe(false);
  });

  it('gives no actions for an empty file or {}', () => {
    expect(parseActions(FILE, '')).toEqual({ actions: {}, diagnostics: [] });
    expect(parseActions(FILE, '{}\n')).toEqual({ actions: {}, diagnostics: [] });
  });

  it('accepts the newer Juju keys parallel and execution-group', () => {
    expect(problems(yaml('run:', '  parallel: true', '  execution-group: ops'))).toEqual([]);
  });
});

describe('parseActions: rules', () => {
  it('rejects invalid and reserved action names', () => {
    expect(problems(yaml('Snap_shot: {}', 'juju-run: {}', 'fix-: {}'))).toEqual([
      '1:1 Snap_shot: invalid action name "Snap_shot": use lowercase letters and hyphens, starting and ending with a letter',
      '2:1 juju-run: action name "juju-run" is reserved: names starting "juju-" belong to Juju',
      '3:1 fix-: invalid action name "fix-": use lowercase letters and hyphens, starting and ending with a letter',
    ]);
  });

  it('rejects unknown fields, with a suggestion', () => {
    expect(problems(yaml('backup:', '  parmas: {}'))).toEqual([
      '2:3 backup.parmas: unknown field "parmas" (did you mean "params"?)',
    ]);
  });

  it('rejects wrong field types', () => {
    const text = yaml(
      'a:',
      '  description: 5',
      '  params: [x]',
      'b:',
      '  required: target',
      '  additionalProperties: no',
      'c: just text',
      'd:',
      '  params:',
      '    p: string',
    );
    expect(problems(text)).toEqual([
      '2:16 a.description: must be a description, got 5',
      '3:11 a.params: must be a map of parameter schemas, got a list',
      '5:13 b.required: must be a list of parameter names, got "target"',
      '6:25 b.additionalProperties: must be true or false, got "no"',
      '7:4 c: must be a map with description, params, required and additionalProperties, got "just text"',
      '10:8 d.params.p: must be a JSON Schema map, got "string"',
    ]);
  });

  it('rejects a required name that is not a param', () => {
    const text = yaml(
      'restore:',
      '  params:',
      '    target: {type: string}',
      '  required: [target, targt, other]',
    );
    expect(problems(text)).toEqual([
      '4:22 restore.required[1]: "targt" is not among restore\'s params (did you mean "target"?)',
      '4:29 restore.required[2]: "other" is not among restore\'s params',
    ]);
  });

  it('rejects an unknown JSON Schema type where it is written', () => {
    const text = yaml('snapshot:', '  params:', '    target:', '      type: integr');
    expect(problems(text)).toEqual([
      '4:13 snapshot.params.target.type: unknown JSON Schema type "integr"; use string, number, integer, boolean, object, array or null',
    ]);
  });

  it('rejects other invalid schema keywords where they are written', () => {
    const text = yaml('snapshot:', '  params:', '    count:', '      minimum: one');
    expect(problems(text)).toEqual([
      '4:16 snapshot.params.count.minimum: invalid JSON Schema: must be number',
    ]);
  });

  it('rejects a schema ajv cannot compile', () => {
    const text = yaml('snapshot:', '  params:', '    name:', '      pattern: "("');
    const found = problems(text);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(
      /^2:3 snapshot\.params: invalid parameter schema: .*regular expression/i,
    );
  });
});
