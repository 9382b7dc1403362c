// Shared set-up for the model-verb tests: a real store and the real charms, with machine making
// and the runner's wake-up as recorded FAKES, and a check that a refused request changed nothing.
import { failedHook } from '../../../agents/unit/snapshot.js';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { CharmRepository } from '../../../core/charm/repository.js';
import { ModelOperations } from '../../../core/controller/model-operations.js';
import { SqliteStore } from '../../../core/store/sqlite-store.js';
import type { Store } from '../../../core/store/types.js';
import { machineRecord } from '../../fakes/machine-record.js';

const dirs: string[] = [];
/** Removes the folders setup() made (call from afterEach). */
export const removeTestDirs = () =>
  dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));

export const ETCD = 'bundles/etcd.yaml';
export const K8S = 'bundles/kubernetes-core.yaml';

/**
 * A model with FAKE machine making (a record in the store under the next id, no host) and a
 * counted wake-up; `clock` is the store's clock (machines' createdAt).
 */
export function setup(options: { makesMachines?: boolean } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'rune-ops-'));
  dirs.push(dir);
  const clock = { now: new Date() };
  const store = new SqliteStore(join(dir, 'store.db'), () => clock.now);
  const made: string[] = [];
  const warmed: string[] = [];
  const calls = { wakes: 0 };
  const record = (constraints: string) => {
    const id = store.reserveMachineId();
    store.addMachine(
      machineRecord(id, {
        provider: 'local',
        instanceId: `fake-${id}`,
        address: `10.9.0.${Number(id) + 2}`,
        constraints,
      }),
    );
    return id;
  };
  const ops = new ModelOperations({
    store,
    charms: new CharmRepository(),
    makesMachines: options.makesMachines ?? true,
    addMachine: (constraints) => {
      made.push(constraints);
      return Promise.resolve(record(constraints));
    },
    wake: () => calls.wakes++,
    failedHook: (unit) => failedHook(store, unit),
    warmCharm: (application) => warmed.push(application),
  });
  /** Writes a file into the test's folder; its path. */
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, text);
    return path;
  };
  return { dir, clock, store, ops, made, warmed, calls, record, file };
}

/** Everything a verb could change, for before/after comparisons. */
export function dump(store: Store) {
  return {
    snapshot: store.snapshot(),
    applications: store.applications(),
    units: store.units(),
    relations: store.relations(),
    machines: store.machines(),
    runtime: store.units().map((u) => store.unitRuntime(u.name)),
    leaders: store.applications().map((a) => store.leader(a.name)),
    unfinishedDeploys: store.unfinishedDeploys(),
  };
}

/** Expects `request` (a verb, sync or async) to be refused with `error` and a message matching
 * `message`, changing nothing in the store, making no machine and waking nobody. */
export async function refused(
  m: ReturnType<typeof setup>,
  request: () => unknown,
  error: abstract new (...args: never[]) => Error,
  message: RegExp,
): Promise<void> {
  const before = dump(m.store);
  const [made, wakes] = [m.made.length, m.calls.wakes];
  const thrown: unknown = await Promise.resolve()
    .then(request)
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  expect(thrown).toBeInstanceOf(error);
  expect((thrown as Error).message).toMatch(message);
  expect(dump(m.store)).toEqual(before);
  expect([m.made.length, m.calls.wakes]).toEqual([made, wakes]);
}

/** A charm in the test's folder with typed options, one of them without a default. */
export function tunedCharm(m: ReturnType<typeof setup>) {
  m.file('tuned/metadata.yaml', 'name: tuned\nsummary: Options of every type.\n');
  m.file(
    'tuned/config.yaml',
    [
      'options:',
      '  workers: {type: int, default: 2, description: Worker count.}',
      '  ratio: {type: float, description: Share of memory.}',
      '  debug: {type: boolean, default: false, description: Verbose logs.}',
      '  motd: {type: string, default: hi, description: Greeting.}',
    ].join('\n'),
  );
  m.file('tuned/charm.ts', 'export {};\n');
  return m.file(
    'tuned.yaml',
    'applications:\n  tuned:\n    charm: ./tuned\n    num_units: 1\n    constraints: cores=2\n',
  );
}
