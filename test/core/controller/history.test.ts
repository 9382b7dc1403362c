// Model history and rollback through the Controller, on a real store over FAKE machines: every
// verb that changes the model is one numbered revision with its command and diff, a refused verb
// is none, and rollback restores a recorded charm revision and config as a new revision.
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Controller } from '../../../core/controller/controller.js';
import { ApplicationNotFoundError } from '../../../core/store/errors.js';
import { RollbackRefusedError } from '../../../core/controller/rollback-target.js';
import { historyController, modelState, removeHistoryHomes } from './history-setup.js';

const running: Controller[] = [];
afterEach(() => removeHistoryHomes(running));

async function deployed() {
  const m = historyController();
  running.push(m.controller);
  await m.controller.deploy({ bundle: m.bundle, overlays: [] });
  return m;
}

describe('model history', () => {
  it('numbers deploy, config, refresh and rollback, each with its command and diff', async () => {
    const { controller, store, bundle } = await deployed();
    controller.setConfig({ application: 'counter', values: { port: '9000' }, reset: [] });
    controller.setConfig({ application: 'counter', values: { greeting: 'hey' }, reset: ['port'] });
    controller.refresh({ application: 'counter' });
    const back = controller.rollback({ application: 'counter', to: 2 });
    expect(back).toMatchObject({
      revision: 5,
      restored: 2,
      charmRevision: { from: 2, to: 1 },
      config: ['greeting', 'port'],
    });
    expect(store.application('counter')).toMatchObject({
      charmRevision: 1,
      config: { port: 9000 },
    });
    // The rollback's units move in a rollout, as a refresh's do.
    expect(store.activeRollout('counter')?.change).toBe('rollback to model revision 2');

    const { revisions } = controller.history();
    expect(revisions.map((r) => [r.revision, r.command])).toEqual([
      [1, `deploy ${bundle}`],
      [2, 'config counter port=9000'],
      [3, 'config counter greeting=hey --reset port'],
      [4, 'refresh counter'],
      [5, 'rollback counter --to 2'],
    ]);
    expect(revisions[0]?.changes).toEqual([
      {
        application: 'counter',
        added: {
          application: { charm: 'counter', charmRevision: 1 },
          units: ['counter/0', 'counter/1'],
          relations: ['counter:cluster'],
        },
      },
    ]);
    expect(revisions[2]?.changes).toEqual([
      {
        application: 'counter',
        config: { added: { greeting: 'hey' }, removed: { port: 9000 } },
      },
    ]);
    expect(revisions[3]?.summary).toBe('counter: charm r1→r2');
    expect(revisions[4]).toMatchObject({
      rollbackOf: 2,
      summary: 'counter: charm r2→r1, port=9000, greeting reset',
    });
  });

  it('without --to goes back before the latest change; again, forward (a rollback is a change)', async () => {
    const { controller, store } = await deployed();
    controller.setConfig({ application: 'counter', values: { port: '9000' }, reset: [] });
    await controller.addUnits({ application: 'counter', count: 1 });
    // Units are no change of spec: the latest one is still the config.
    expect(controller.rollback({ application: 'counter' }).restored).toBe(1);
    expect(store.application('counter')?.config).toEqual({});
    const again = controller.rollback({ application: 'counter' });
    expect(store.application('counter')?.config).toEqual({ port: 9000 });
    // The latest change is now the rollback (4): back to the state before it, add-unit's (3).
    expect(again).toMatchObject({ restored: 3, revision: 5 });
  });

  it('records each verb once; a verb that changes nothing or is refused is no revision', async () => {
    const { controller, store } = await deployed();
    controller.setConfig({ application: 'counter', values: { port: '8080' }, reset: [] });
    controller.setConfig({ application: 'counter', values: { port: '8080' }, reset: [] });
    expect(() =>
      controller.setConfig({ application: 'counter', values: { port: 'x' }, reset: [] }),
    ).toThrow();
    await controller.addUnits({ application: 'counter', count: 1 });
    controller.removeUnits({ units: ['counter/2'], force: false });
    controller.removeApplication({ application: 'counter', force: false });
    const { revisions } = controller.history('counter');
    expect(revisions.map((r) => r.command)).toEqual([
      expect.stringMatching(/^deploy /),
      'config counter port=8080',
      'add-unit counter -n 1',
      'remove-unit counter/2',
      'remove-application counter',
    ]);
    expect(revisions.map((r) => r.summary).slice(2)).toEqual([
      'counter: +counter/2',
      'counter: -counter/2',
      'counter: removed with 2 units; -relation counter:cluster',
    ]);
    expect(store.latestModelRevision()).toBe(5);
  });

  it('records an aborted rollout, which puts the old config back', async () => {
    const { controller, store } = await deployed();
    controller.setConfig({ application: 'counter', values: { port: '9000' }, reset: [] });
    controller.rollout({ application: 'counter', action: 'abort' });
    expect(store.application('counter')?.config).toEqual({});
    expect(controller.history().revisions.at(-1)).toMatchObject({
      revision: 3,
      command: 'rollout counter --abort',
      summary: 'counter: port reset',
    });
  });

  it('records attached resources; a rollback leaves them as attached and says so', async () => {
    const { controller, store, home } = await deployed();
    const metadata = join(home, 'counter', 'metadata.yaml');
    writeFileSync(
      metadata,
      `${readFileSync(metadata, 'utf8')}resources:\n  core:\n    type: file\n    filename: core.bin\n`,
    );
    controller.refresh({ application: 'counter' });
    const file = join(home, 'core.bin');
    writeFileSync(file, 'v1');
    controller.attachResources({ application: 'counter', files: { core: file } });
    writeFileSync(file, 'v2');
    controller.attachResources({ application: 'counter', files: { core: file } });
    expect(
      controller
        .history()
        .revisions.slice(2)
        .map((r) => [r.command, r.summary]),
    ).toEqual([
      [`attach-resource counter core=${file}`, 'counter: resource core r1'],
      [`attach-resource counter core=${file}`, 'counter: resource core r1→r2'],
    ]);
    const back = controller.rollback({ application: 'counter', to: 1 });
    expect(back.resources).toEqual(['core 2 → none']);
    expect(store.resources('counter')).toEqual([]);
    const forward = controller.rollback({ application: 'counter' });
    expect(forward.resources).toEqual(['core none → 2']);
    expect(store.resources('counter').map((r) => r.revision)).toEqual([2]);
  });

  it('never records a secret value, and a rollback keeps the current one and says so', async () => {
    const { controller, store, home } = await deployed();
    const config = join(home, 'counter', 'config.yaml');
    writeFileSync(
      config,
      `${readFileSync(config, 'utf8')}  admin-password:\n    type: string\n    description: Secret.\n`,
    );
    controller.refresh({ application: 'counter' });
    controller.setConfig({
      application: 'counter',
      values: { 'admin-password': 's3cret one', port: '1' },
      reset: [],
    });
    controller.setConfig({
      application: 'counter',
      values: { 'admin-password': 'n3w' },
      reset: [],
    });
    const back = controller.rollback({ application: 'counter', to: 2 });
    expect(back.keptSecrets).toEqual(['admin-password']);
    expect(store.application('counter')?.config).toEqual({ 'admin-password': 'n3w' });
    const stored = JSON.stringify(store.modelRevisions());
    expect(stored).not.toMatch(/s3cret|n3w/);
    expect(controller.history().revisions[2]?.command).toBe(
      'config counter admin-password=[redacted] port=1',
    );
    expect(controller.history().revisions[3]?.changes[0]?.config).toEqual({
      changed: { 'admin-password': ['[redacted]', '[redacted]'] },
    });
  });
});

describe('rollback refuses, one line each, changing nothing', () => {
  it.each([
    [{ application: 'ghost' }, ApplicationNotFoundError, /^application "ghost" not found/],
    [
      { application: 'counter', to: 9 },
      RollbackRefusedError,
      /revision 9 is in the future: the latest is 3$/,
    ],
    [{ application: 'counter', to: 0 }, RollbackRefusedError, /there is no model revision 0/],
    [
      { application: 'counter', to: 2 },
      RollbackRefusedError,
      /revision 2 did not touch counter; the revisions that did: 1, 3$/,
    ],
    [
      { application: 'counter', to: 3 },
      RollbackRefusedError,
      /already as model revision 3 left it/,
    ],
    [
      { application: 'other' },
      RollbackRefusedError,
      /nothing to roll back to: .* since model revision 2$/,
    ],
  ])('%j', async (request, error, message) => {
    const { controller, store, home } = await deployed();
    cpSync(`${home}/counter`, `${home}/other`, { recursive: true });
    writeFileSync(
      `${home}/other.yaml`,
      'applications:\n  other:\n    charm: ./other\n    num_units: 1\n',
    );
    await controller.deploy({ bundle: `${home}/other.yaml`, overlays: [] });
    controller.setConfig({ application: 'counter', values: { port: '1' }, reset: [] });
    const before = modelState(store);
    let thrown: unknown;
    try {
      controller.rollback(request);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(error);
    expect((thrown as Error).message).toMatch(message);
    expect((thrown as Error).message).not.toContain('\n');
    expect(modelState(store)).toEqual(before);
  });
});
