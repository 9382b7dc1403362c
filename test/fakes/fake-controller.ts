// A real Controller and store (not serving) over FAKE machines (fake-machine.ts), in a fresh
// folder standing for RUNE_HOME: what the controller-level tests build on.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Controller, type ControllerDeps } from '../../core/controller/controller.js';
import { controllerPaths } from '../../core/controller/paths.js';
import { createController } from '../../core/controller/controller-creation.js';
import type { ControllerInfo } from '../../core/controller/registry.js';
import { SqliteStore } from '../../core/store/sqlite-store.js';
import { FakeProvider, FakeWorld } from './fake-machine.js';

export function fakeController(
  options: {
    provider?: 'local' | 'manual';
    prefix?: string;
    deps?: Partial<ControllerDeps>;
    /** Changes the controller.json the controller starts with (e.g. an HA record). */
    info?: (created: ControllerInfo) => ControllerInfo;
  } = {},
) {
  const provider = options.provider ?? 'local';
  const home = mkdtempSync(join(tmpdir(), options.prefix ?? 'rune-ctl-'));
  const created = createController(home, 'test', provider);
  const info = options.info?.(created) ?? created;
  const paths = controllerPaths(home, 'test');
  const store = new SqliteStore(paths.store);
  const world = new FakeWorld();
  const fakeProvider = new FakeProvider(world);
  const controller = new Controller({
    info,
    paths,
    version: '0.1.0',
    store,
    connect: world.connect,
    ...(provider === 'local' ? { provider: () => fakeProvider } : {}),
    probeTimeoutMs: 100,
    ...options.deps,
  });
  return { home, paths, store, world, fakeProvider, controller };
}
