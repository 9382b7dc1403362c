// diff-bundle's comparison and text: both sides as shapes, differences in Juju's shape, sorted,
// and nothing at all when the bundle and the model agree.
import { describe, expect, it } from 'vitest';
import {
  type BundleShape,
  diffShapes,
  formatBundleDiff,
  type ShapeApplication,
} from '../../../core/bundle/diff.js';

const app = (more: Partial<ShapeApplication> = {}): ShapeApplication => ({
  charm: 'web',
  subordinate: false,
  numUnits: 1,
  options: {},
  defaults: { port: 80 },
  constraints: '',
  expose: false,
  ...more,
});

const shape = (more: Partial<BundleShape> = {}): BundleShape => ({
  applications: { web: app() },
  machines: { '0': '' },
  relations: [['db:server', 'web:db']],
  ...more,
});

describe('diffShapes', () => {
  it('finds nothing between equal sides, and formats that as no text', () => {
    const diff = diffShapes(shape(), shape());
    expect(diff).toEqual({});
    expect(formatBundleDiff(diff)).toBe('');
  });

  it('compares options by the value each side amounts to, defaults included', () => {
    const bundle = shape({ applications: { web: app({ options: { motd: 'hi' } }) } });
    const model = shape({ applications: { web: app({ options: { port: 8080 } }) } });
    expect(diffShapes(bundle, model).applications).toEqual({
      web: {
        options: {
          motd: { bundle: 'hi', model: null },
          port: { bundle: 80, model: 8080 },
        },
      },
    });
  });

  it('names applications and machines missing on either side, and relation additions', () => {
    const bundle = shape({
      applications: { web: app(), cache: app({ charm: 'redis' }) },
      machines: { '0': '', '1': 'cores=2' },
      relations: [
        ['cache:client', 'web:cache'],
        ['db:server', 'web:db'],
      ],
    });
    const model = shape({
      applications: { web: app({ numUnits: 3, expose: true }), db: app({ charm: 'pg' }) },
      machines: { '0': 'mem=4G' },
      relations: [
        ['db:server', 'web:db'],
        ['db:admin', 'web:admin'],
      ],
    });
    expect(formatBundleDiff(diffShapes(bundle, model))).toBe(
      [
        'applications:',
        '  cache:',
        '    missing: model',
        '  db:',
        '    missing: bundle',
        '  web:',
        '    num_units:',
        '      bundle: 1',
        '      model: 3',
        '    expose:',
        '      bundle: false',
        '      model: true',
        'machines:',
        '  "0":',
        '    constraints:',
        '      bundle: ""',
        '      model: mem=4G',
        '  "1":',
        '    missing: model',
        'relations:',
        '  bundle-additions:',
        '    - [cache:client, web:cache]',
        '  model-additions:',
        '    - [db:admin, web:admin]',
        '',
      ].join('\n'),
    );
  });

  it('leaves num_units of a subordinate alone and reports a changed charm', () => {
    const bundle = shape({ applications: { web: app({ subordinate: true, numUnits: 0 }) } });
    const model = shape({
      applications: { web: app({ subordinate: true, numUnits: 0, charm: 'web2' }) },
    });
    expect(diffShapes(bundle, model).applications).toEqual({
      web: { charm: { bundle: 'web', model: 'web2' } },
    });
  });
});

describe('diffShapes on machines', () => {
  it('compares no machines with a bundle that declares none (its units go on new ones)', () => {
    expect(diffShapes(shape({ machines: {} }), shape({ machines: { '0': '', '1': '' } }))).toEqual(
      {},
    );
  });
});
