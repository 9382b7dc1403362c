// Names that are also JavaScript's own property names (constructor, toString, __proto__) are
// plain names everywhere (issue 15 item 12): an application, a resource, an option, an action or
// a param so named is planned, stored, shown and refused like any other name.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { enqueueAction } from '../../../core/controller/actions.js';
import { ModelRequestError } from '../../../core/controller/model-operations.js';
import { modelStatus } from '../../../core/controller/model-status.js';
import { attachResources } from '../../../core/controller/resources.js';
import { own } from '../../../core/model/own.js';
import type { Controller } from '../../../core/controller/controller.js';
import { historyController, removeHistoryHomes } from './history-setup.js';
import { removeTestDirs, setup } from './model-operations-setup.js';

const controllers: Controller[] = [];
afterEach(async () => {
  removeTestDirs();
  await removeHistoryHomes(controllers);
});

/** A charm whose resource, option and action are named like Object.prototype's members. */
function protoCharm(m: ReturnType<typeof setup>) {
  m.file(
    'proto/metadata.yaml',
    [
      'name: proto',
      'summary: Names from Object.prototype.',
      'resources:',
      '  constructor: {type: file, filename: c.bin}',
    ].join('\n'),
  );
  m.file(
    'proto/config.yaml',
    'options:\n  toString: {type: string, default: s, description: An option.}\n',
  );
  m.file('proto/actions.yaml', 'constructor:\n  description: An action.\n');
  m.file('proto/charm.ts', 'export {};\n');
}

describe('names shared with Object.prototype', () => {
  it('deploy, add-unit, status and a second deploy treat application "constructor" plainly', async () => {
    const m = setup();
    const bundle = m.file(
      'b.yaml',
      [
        'applications:',
        '  constructor: {charm: etcd, num_units: 1}',
        '  easyrsa: {charm: easyrsa, num_units: 1}',
        'relations:',
        '- [constructor:certificates, easyrsa:client]',
      ].join('\n'),
    );
    const { changes } = await m.ops.deploy(bundle, []);
    expect(changes).toContain('deploy application constructor using charm etcd');
    expect(changes).toContain('add unit constructor/0 to new machine 0');
    expect(await m.ops.deploy(bundle, [])).toEqual({ changes: [], warnings: [] });
    expect(await m.ops.addUnits('constructor', 1)).toEqual(['constructor/1']);
    const status = modelStatus(m.store);
    expect(Object.keys(status.applications ?? {})).toEqual(['constructor', 'easyrsa']);
    expect(Object.keys(own(status.applications ?? {}, 'constructor')?.units ?? {})).toEqual([
      'constructor/0',
      'constructor/1',
    ]);
  });

  it('refuses options, actions and resources a charm does not declare, by name', async () => {
    const m = setup();
    await m.ops.deploy(
      m.file('b.yaml', 'applications:\n  etcd: {charm: etcd, num_units: 1}\n'),
      [],
    );
    expect(() => m.ops.setConfig('etcd', { toString: 'x' }, [], {})).toThrow(
      /unknown option "toString" for charm etcd/,
    );
    expect(() => m.ops.setConfig('etcd', {}, ['constructor'], {})).toThrow(
      '--reset constructor: charm etcd has no option "constructor"',
    );
    expect(Object.hasOwn(m.ops.config('etcd'), 'toString')).toBe(false);
    const charmOf = (app: string) => m.ops.charmOf(app);
    expect(() =>
      enqueueAction(m.store, charmOf, { target: 'etcd/0', action: 'constructor', params: {} }),
    ).toThrow(/action "constructor" is not in actions.yaml of etcd/);
    const file = m.file('c.bin', 'x');
    expect(() =>
      attachResources(m.store, charmOf, join(m.dir, 'res'), {
        application: 'etcd',
        files: { constructor: file },
      }),
    ).toThrow(ModelRequestError);
  });

  it('takes a resource, an option and an action so named when the charm declares them', async () => {
    const m = setup();
    protoCharm(m);
    await m.ops.deploy(m.file('b.yaml', 'applications:\n  proto: {charm: ./proto}\n'), []);
    const charmOf = (app: string) => m.ops.charmOf(app);
    expect(own(m.ops.config('proto'), 'toString')).toMatchObject({ value: 's', source: 'default' });
    m.ops.setConfig('proto', { toString: 't' }, [], {});
    expect(own(m.ops.config('proto'), 'toString')).toMatchObject({ value: 't', source: 'user' });
    await m.ops.addUnits('proto', 1);
    const params = JSON.parse('{"__proto__":"p"}') as Record<string, string>;
    const queued = enqueueAction(m.store, charmOf, {
      target: 'proto/0',
      action: 'constructor',
      params,
    });
    expect(m.store.action(queued.id)?.params).toEqual(params);
    const [attached] = attachResources(m.store, charmOf, join(m.dir, 'res'), {
      application: 'proto',
      files: { constructor: m.file('c.bin', 'x') },
    });
    expect(attached).toMatchObject({ name: 'constructor', revision: 1 });
  });

  it('history records, summarises and rolls back application "constructor"', async () => {
    const { controller, home } = historyController();
    controllers.push(controller);
    const bundle = join(home, 'b.yaml');
    writeFileSync(bundle, 'applications:\n  constructor: {charm: ./counter, num_units: 1}\n');
    await controller.deploy({ bundle, overlays: [] });
    controller.setConfig({ application: 'constructor', values: { port: '9000' }, reset: [] });
    expect(controller.rollback({ application: 'constructor' })).toMatchObject({
      restored: 1,
      config: ['port'],
    });
    expect(controller.history('constructor').revisions.map((r) => r.summary)).toEqual([
      'constructor: deployed charm counter r1 with 1 unit; +relation constructor:cluster',
      'constructor: port=9000',
      'constructor: port reset',
    ]);
  });
});
