// exportBundle: a model view written as a bundle, in the text `rune export-bundle` prints.
import { describe, expect, it } from 'vitest';
import {
  bundleYaml,
  exportBundle,
  type ModelView,
  type ModelViewApplication,
} from '../../../core/bundle/export.js';

const app = (name: string, more: Partial<ModelViewApplication> = {}): ModelViewApplication => ({
  name,
  charmName: name,
  charmRef: name,
  subordinate: false,
  options: {},
  defaults: {},
  constraints: '',
  exposed: false,
  ...more,
});

const view = (more: Partial<ModelView>): ModelView => ({
  applications: [],
  units: [],
  machines: [],
  relations: [],
  ...more,
});

describe('exportBundle', () => {
  it('renumbers the machines units stand on from "0", in id order, leaving empty ones out', () => {
    const bundle = exportBundle(
      view({
        applications: [app('web'), app('db')],
        units: [
          { name: 'web/4', application: 'web', machine: '7' },
          { name: 'web/2', application: 'web', machine: '3' },
          { name: 'db/0', application: 'db', machine: '3' },
        ],
        machines: [
          { id: '7', constraints: '' },
          { id: '5', constraints: 'cores=8' },
          { id: '3', constraints: 'mem=4G' },
        ],
      }),
    );
    expect(bundle.machines).toEqual({ '0': { constraints: 'mem=4G' }, '1': {} });
    // Units in number order: web/2 on model machine 3 ("0"), web/4 on 7 ("1").
    expect(bundle.applications.web).toEqual({ charm: 'web', num_units: 2, to: ['0', '1'] });
    expect(bundle.applications.db).toEqual({ charm: 'db', num_units: 1, to: ['0'] });
    expect(Object.keys(bundle.applications)).toEqual(['db', 'web']);
  });

  it('gives a subordinate no num_units and a unit without a machine the placement "new"', () => {
    const bundle = exportBundle(
      view({
        applications: [app('agent', { subordinate: true }), app('web'), app('idle')],
        units: [
          { name: 'web/0', application: 'web', machine: '0' },
          { name: 'web/1', application: 'web', machine: '' },
          { name: 'idle/0', application: 'idle', machine: '' },
        ],
        machines: [{ id: '0', constraints: '' }],
      }),
    );
    expect(bundle.applications.agent).toEqual({ charm: 'agent' });
    expect(bundle.applications.web?.to).toEqual(['0', 'new']);
    // No unit placed: `to` would say nothing `num_units` does not.
    expect(bundle.applications.idle).toEqual({ charm: 'idle', num_units: 1 });
  });

  it('writes options sorted, constraints and expose, and relations sorted as pairs', () => {
    const bundle = exportBundle(
      view({
        applications: [
          app('web', { options: { zeta: 1, alpha: 'x' }, constraints: 'cores=2', exposed: true }),
          app('db'),
        ],
        relations: [
          {
            endpoints: [
              { application: 'web', name: 'db' },
              { application: 'db', name: 'server' },
            ],
          },
          // A peer relation comes with the charm: never written.
          { endpoints: [{ application: 'db', name: 'cluster' }] },
          {
            endpoints: [
              { application: 'db', name: 'admin' },
              { application: 'web', name: 'admin' },
            ],
          },
        ],
      }),
    );
    expect(bundle.applications.web).toEqual({
      charm: 'web',
      num_units: 0,
      options: { alpha: 'x', zeta: 1 },
      constraints: 'cores=2',
      expose: true,
    });
    expect(Object.keys(bundle.applications.web?.options ?? {})).toEqual(['alpha', 'zeta']);
    expect(bundle.relations).toEqual([
      ['db:admin', 'web:admin'],
      ['db:server', 'web:db'],
    ]);
  });
});

describe('bundleYaml', () => {
  it('writes blocks, quoted machine ids and one relation pair per line', () => {
    const text = bundleYaml(
      exportBundle(
        view({
          applications: [app('web', { options: { flag: 'true' } })],
          units: [{ name: 'web/0', application: 'web', machine: '2' }],
          machines: [{ id: '2', constraints: 'cores=2' }],
          relations: [
            {
              endpoints: [
                { application: 'web', name: 'a' },
                { application: 'web', name: 'b' },
              ],
            },
          ],
        }),
      ),
    );
    expect(text).toBe(
      [
        'applications:',
        '  web:',
        '    charm: web',
        '    num_units: 1',
        '    to:',
        '      - "0"',
        '    options:',
        '      flag: "true"',
        'machines:',
        '  "0":',
        '    constraints: cores=2',
        'relations:',
        '  - [web:a, web:b]',
        '',
      ].join('\n'),
    );
  });
});
