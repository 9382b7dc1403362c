// What the controller's metrics read and count, over a real store: leader changes as leadership
// moves (a renewal or a cleared leader is no change), machine statuses from the pool's health,
// and units counted from the store only when the event bus moved.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureLeaders, LEADER_LEASE_MS } from '../../../core/controller/leadership.js';
import type { Health } from '../../../core/controller/machine-pool.js';
import { controllerMetrics, countLeaderChanges } from '../../../core/controller/metric-sources.js';
import { ModelEvents } from '../../../core/controller/model-events.js';
import { observeStore } from '../../../core/controller/observed-store.js';
import { SqliteStore } from '../../../core/store/sqlite-store.js';
import { parsePrometheusText, sampleValue } from './prometheus-text.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'rune-metric-sources-'));
  dirs.push(dir);
  const events = new ModelEvents();
  const health = new Map<string, Health>();
  const raw = new SqliteStore(join(dir, 'store.db'));
  const store = observeStore(
    raw,
    () => events.bump(),
    // Asked for only when a write comes, after `metrics` below exists (as in the controller).
    countLeaderChanges(() => metrics),
  );
  const metrics = controllerMetrics(
    store,
    events,
    { health: (id) => health.get(id) },
    {
      processMetrics: false,
    },
  );
  store.addApplication({
    name: 'etcd',
    charm: 'etcd',
    charmDir: '/charms/etcd',
    subordinate: false,
    config: {},
    constraints: '',
  });
  const scrape = async () => parsePrometheusText((await metrics.scrape()).text);
  return { store, health, scrape };
}

describe('the metrics over the store', () => {
  it('counts a leader elected or handed over, not a renewal or a cleared leader', async () => {
    const { store, scrape } = setup();
    store.addUnit({ name: 'etcd/0', machine: '0' });
    store.addUnit({ name: 'etcd/1', machine: '1' });
    ensureLeaders(store, { now: 0 });
    ensureLeaders(store, { now: LEADER_LEASE_MS * 0.75 }); // renewed halfway: no change
    const changes = async () =>
      sampleValue(await scrape(), 'rune_leader_changes_total', { application: 'etcd' });
    expect(store.leader('etcd')).toBe('etcd/0');
    expect(await changes()).toBe(1);
    store.setUnitLife('etcd/0', 'dying');
    ensureLeaders(store, { now: LEADER_LEASE_MS * 3 });
    expect(store.leader('etcd')).toBe('etcd/1');
    expect(await changes()).toBe(2);
    store.setLeader('etcd', undefined);
    expect(await changes()).toBe(2);
  });

  it('counts machines by the status their last probe gives, and units by status', async () => {
    const { store, health, scrape } = setup();
    for (const id of ['0', '1', '2']) {
      store.reserveMachineId();
      store.addMachine({
        id,
        provider: 'sim',
        instanceId: `sim-${id}`,
        address: `10.0.0.${id}`,
        port: 22,
        user: 'root',
        keyFile: '',
        hostKey: '',
        hostPublicKey: '',
        constraints: '',
      });
    }
    health.set('0', { reachable: true, message: '', since: '' });
    health.set('1', { reachable: false, message: 'timed out', since: '' });
    store.addUnit({ name: 'etcd/0', machine: '0' });
    let m = await scrape();
    expect(sampleValue(m, 'rune_machines', { status: 'started' })).toBe(1);
    expect(sampleValue(m, 'rune_machines', { status: 'down' })).toBe(1);
    expect(sampleValue(m, 'rune_machines', { status: 'pending' })).toBe(1);
    expect(sampleValue(m, 'rune_units')).toBe(1);
    // A write through the store moves the bus, so the next scrape counts again.
    store.addUnit({ name: 'etcd/1', machine: '1' });
    m = await scrape();
    expect(sampleValue(m, 'rune_units')).toBe(2);
  });
});
