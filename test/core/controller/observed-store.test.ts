// The store as the controller sees it: every write bumps the event bus, reads never do, and a
// real hook run through the unit runtime moves the generation when it starts and when it commits.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MachineLock } from '../../../agents/machine/lock.js';
import { stepUnit } from '../../../agents/unit/executor.js';
import { fakeMachine } from '../../../core/charm/fake-machine.js';
import { loadCharm } from '../../../core/charm/loader.js';
import type { CharmModule } from '../../../core/charm/sdk.js';
import { ModelEvents } from '../../../core/controller/model-events.js';
import { observeStore } from '../../../core/controller/observed-store.js';
import { SqliteStore } from '../../../core/store/sqlite-store.js';

const COUNTER = resolve('test/fixtures/charms/sdk/counter');
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'rune-observed-'));
  dirs.push(dir);
  const raw = new SqliteStore(join(dir, 'store.db'));
  const events = new ModelEvents();
  return { raw, events, store: observeStore(raw, () => events.bump()) };
}

/** The counter test charm as an application record. */
const COUNTER_APP = {
  name: 'counter',
  charm: 'counter',
  charmDir: COUNTER,
  subordinate: false,
  config: {},
  constraints: '',
};

describe('observeStore', () => {
  it('bumps the bus on each write and never on a read', () => {
    const { store, events } = setup();
    store.addApplication(COUNTER_APP);
    expect(events.generation).toBe(1);
    const unit = store.addUnit({ name: 'counter/0', machine: '0' });
    expect(unit.name).toBe('counter/0');
    expect(events.generation).toBe(2);
    store.units();
    store.unitIndex();
    store.snapshot();
    expect(store.application('counter')?.name).toBe('counter');
    expect(store.unfinishedDeploys()).toEqual([]);
    expect(events.generation).toBe(2);
    store.transaction(() => {
      store.setUnitLife('counter/0', 'dying');
      store.deployStarted({ bundle: 'b.yaml' }, '2026-01-01T00:00:00Z');
    });
    expect(events.generation).toBe(4);
    expect(store.schemaVersion).toBeGreaterThan(0);
  });

  it('bumps on a write that throws: it may have changed something first', () => {
    const { store, events } = setup();
    expect(() => store.setMachineLife('9', 'dying')).toThrow(/machine 9 not found/);
    expect(events.generation).toBe(1);
  });

  it("moves the generation when a unit's hook starts and again when it commits", async () => {
    const { raw, store, events } = setup();
    const charm = loadCharm(COUNTER);
    const module = ((await import(join(COUNTER, 'charm.ts'))) as { charm: CharmModule }).charm;
    raw.addApplication(COUNTER_APP);
    raw.addUnit({ name: 'counter/0', machine: '0' });
    const before = events.generation;
    const seen: Record<string, number> = {};
    const result = await stepUnit('counter/0', {
      store,
      loadCharm: () => Promise.resolve({ charm, module }),
      machine: () => Promise.resolve(fakeMachine().machine),
      address: () => '10.0.0.2',
      lock: new MachineLock(),
      now: () => Date.now(),
      updateStatusIntervalMs: 300_000,
      retryDelayMs: () => 5_000,
      onHook: (e) => (seen[e.phase] = events.generation),
    });
    expect(result).toBe('ran');
    expect(seen.start).toBeGreaterThan(before);
    expect(seen.end).toBeGreaterThan(seen.start ?? Infinity);
  });
});
