// The unit executor in-process, shared by its tests: a real store, resolver and SDK, the
// counter charm, and the SDK's FAKE machine (core/charm/fake-machine.ts: no shell, no real
// files or services). `settle` steps every unit until none has anything to do.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach } from 'vitest';
import { MachineLock } from '../../../agents/machine/lock.js';
import { type ExecutorDeps, stepUnit } from '../../../agents/unit/executor.js';
import type { Hook } from '../../../core/charm/hooks.js';
import { fakeMachine } from '../../../core/charm/fake-machine.js';
import { loadCharm } from '../../../core/charm/loader.js';
import type { CharmModule } from '../../../core/charm/sdk.js';
import { ensureLeaders } from '../../../core/controller/leadership.js';
import { SqliteStore } from '../../../core/store/sqlite-store.js';

const COUNTER = resolve('test/fixtures/charms/sdk/counter');
export const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

export async function setup(units: number, custom?: CharmModule) {
  const dir = mkdtempSync(join(tmpdir(), 'rune-runtime-'));
  dirs.push(dir);
  let clock = Date.parse('2026-01-01T00:00:00Z');
  const store = new SqliteStore(join(dir, 'store.db'), () => new Date(clock));
  const charm = loadCharm(COUNTER);
  const module =
    custom ?? ((await import(join(COUNTER, 'charm.ts'))) as { charm: CharmModule }).charm;
  store.addApplication({
    name: 'counter',
    charm: 'counter',
    charmDir: COUNTER,
    subordinate: false,
    config: {},
    constraints: '',
  });
  const peer = charm.meta.endpoints.find((e) => e.role === 'peer');
  if (!peer) throw new Error('counter has no peer endpoint');
  store.addRelation([{ ...peer, application: 'counter' }]);
  const machines = new Map<string, ReturnType<typeof fakeMachine>>();
  const deps: ExecutorDeps = {
    store,
    loadCharm: () => Promise.resolve({ charm, module }),
    machine: (id) => {
      if (!machines.has(id)) machines.set(id, fakeMachine());
      return Promise.resolve((machines.get(id) as ReturnType<typeof fakeMachine>).machine);
    },
    address: (id) => `10.0.0.${Number(id) + 2}`,
    lock: new MachineLock(),
    now: () => clock,
    updateStatusIntervalMs: 300_000,
    retryDelayMs: () => 5_000,
  };
  const add = (n: number) => store.addUnit({ name: `counter/${n}`, machine: String(n) });
  for (let n = 0; n < units; n++) add(n);
  ensureLeaders(store, { now: 0 });
  /** Steps every unit until none has anything to do (bounded: a livelock fails the test). */
  const settle = async () => {
    for (let round = 0; round < 200; round++) {
      let ran = false;
      for (const u of store.units()) {
        const r = await stepUnit(u.name, deps);
        if (r === 'ran' || r === 'skipped') ran = true;
      }
      if (!ran) return;
    }
    throw new Error('units did not settle within 200 rounds');
  };
  const log = () =>
    store.hookLog().map((e) => ({
      unit: e.unit,
      hook: e.detail as unknown as Hook,
      name: e.hook,
      outcome: e.outcome,
    }));
  return { store, deps, add, settle, log, tick: (ms: number) => (clock += ms) };
}

/** Makes the unit's machine refuse file writes (a full disk) until fixed. */
export function breakWrites(deps: ExecutorDeps): { fix(): void } {
  const real = deps.machine.bind(deps);
  let broken = true;
  deps.machine = async (id) => {
    const m = await real(id);
    return {
      ...m,
      writeFile: (...args: Parameters<typeof m.writeFile>) =>
        broken ? Promise.reject(new Error('disk full')) : m.writeFile(...args),
    };
  };
  return { fix: () => (broken = false) };
}
