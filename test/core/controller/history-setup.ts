// Shared set-up for the history and rollback tests: a real Controller and store over FAKE
// machines (test/fakes/fake-machine.ts) whose units run a charm with no handlers, with the
// counter charm (test/fixtures) deployed from a folder of the test's own.
import { cpSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { defineCharm, loadCharm } from '../../../core/charm/index.js';
import type { Controller } from '../../../core/controller/controller.js';
import type { Store } from '../../../core/store/types.js';
import { fakeController } from '../../fakes/fake-controller.js';

const COUNTER = resolve('test/fixtures/charms/sdk/counter');
const homes: string[] = [];

/** A controller (not serving) under a fresh RUNE_HOME-like folder. */
export function historyController() {
  const { home, paths, store, controller } = fakeController({
    prefix: 'rune-history-',
    deps: {
      loadCharm: (app) =>
        Promise.resolve({ charm: loadCharm(app.charmDir), module: defineCharm({}) }),
    },
  });
  homes.push(home);
  cpSync(COUNTER, join(home, 'counter'), { recursive: true });
  const bundle = join(home, 'counter.yaml');
  writeFileSync(bundle, 'applications:\n  counter:\n    charm: ./counter\n    num_units: 2\n');
  return { home, paths, store, controller, bundle };
}

/** Stops the controllers' runners and removes their folders (call from afterEach). */
export async function removeHistoryHomes(controllers: Controller[]): Promise<void> {
  await Promise.all(controllers.splice(0).map((c) => c.shutdown(false)));
  homes.splice(0).forEach((h) => rmSync(h, { recursive: true, force: true }));
}

/** What a refused rollback must leave as it was. */
export function modelState(store: Store) {
  return {
    revisions: store.latestModelRevision(),
    applications: store.applications(),
    rollouts: store.rollouts(),
  };
}
