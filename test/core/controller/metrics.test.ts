// The controller's metrics module: what a scrape shows after hooks, actions, leader changes and
// probes, the gauges counted from their sources (and read again only when the model moved), and
// that the exposition parses as Prometheus text with the standard process_* set.
import { describe, expect, it } from 'vitest';
import { ControllerMetrics, type MetricSources } from '../../../core/controller/metrics.js';
import type { UnitRecord } from '../../../core/store/types.js';
import { parsePrometheusText, sampleValue } from './prometheus-text.js';

type Statuses = Pick<UnitRecord, 'workloadStatus' | 'agentStatus'>;

const unit = (workload: string, agent: string): Statuses =>
  ({
    workloadStatus: { current: workload, message: '', since: '' },
    agentStatus: { current: agent, message: '', since: '' },
  }) as Statuses;

function setup(overrides: Partial<MetricSources> = {}) {
  let seconds = 100;
  const reads = { units: 0 };
  const state = { generation: 1, units: [] as Statuses[] };
  const sources: MetricSources = {
    generation: () => state.generation,
    units: () => {
      reads.units++;
      return state.units;
    },
    machineStatuses: () => [],
    rollouts: () => [],
    certificateExpiries: () => new Map(),
    ...overrides,
  };
  const metrics = new ControllerMetrics(sources, {
    clock: () => seconds,
    processMetrics: false,
  });
  const scrape = async () => parsePrometheusText((await metrics.scrape()).text);
  const advance = (s: number) => (seconds += s);
  return { metrics, scrape, advance, state, reads };
}

describe('ControllerMetrics', () => {
  it('counts and times hooks by application and hook, failures apart', async () => {
    const { metrics, scrape, advance } = setup();
    metrics.hook({ unit: 'etcd/0', hook: 'install', phase: 'start' });
    advance(2);
    metrics.hook({ unit: 'etcd/0', hook: 'install', phase: 'end', outcome: 'ok' });
    metrics.hook({ unit: 'etcd/1', hook: 'install', phase: 'start' });
    advance(0.02);
    metrics.hook({ unit: 'etcd/1', hook: 'install', phase: 'end', outcome: 'error' });
    const m = await scrape();
    const install = { application: 'etcd', hook: 'install' };
    expect(sampleValue(m, 'rune_hooks_total', install)).toBe(2);
    expect(sampleValue(m, 'rune_hook_failures_total', install)).toBe(1);
    expect(sampleValue(m, 'rune_hook_duration_seconds_count', install)).toBe(2);
    expect(sampleValue(m, 'rune_hook_duration_seconds_sum', install)).toBeCloseTo(2.02);
    // One hook within 50 ms, the other between 1 s and 2.5 s.
    expect(sampleValue(m, 'rune_hook_duration_seconds_bucket', { ...install, le: '0.05' })).toBe(1);
    expect(sampleValue(m, 'rune_hook_duration_seconds_bucket', { ...install, le: '2.5' })).toBe(2);
    expect(m.get('rune_hooks_total')?.type).toBe('counter');
    // A hook that never failed has its failures series, at zero, for a failure ratio.
    metrics.hook({ unit: 'etcd/0', hook: 'start', phase: 'start' });
    metrics.hook({ unit: 'etcd/0', hook: 'start', phase: 'end', outcome: 'ok' });
    const failures = (await scrape()).get('rune_hook_failures_total')?.samples;
    expect(failures?.find((f) => f.labels.hook === 'start')?.value).toBe(0);
    expect(m.get('rune_hook_duration_seconds')?.type).toBe('histogram');
  });

  it('counts actions by action and status, not as hooks', async () => {
    const { metrics, scrape } = setup();
    for (const outcome of ['ok', 'ok', 'error'] as const) {
      metrics.hook({ unit: 'easyrsa/0', hook: 'list-certs-action', phase: 'start' });
      metrics.hook({ unit: 'easyrsa/0', hook: 'list-certs-action', phase: 'end', outcome });
    }
    const m = await scrape();
    const action = { application: 'easyrsa', action: 'list-certs' };
    expect(sampleValue(m, 'rune_action_runs_total', { ...action, status: 'completed' })).toBe(2);
    expect(sampleValue(m, 'rune_action_runs_total', { ...action, status: 'failed' })).toBe(1);
    expect(sampleValue(m, 'rune_hooks_total')).toBe(0);
  });

  it('counts leader changes and probe round trips', async () => {
    const { metrics, scrape } = setup();
    metrics.leaderChanged('etcd');
    metrics.leaderChanged('etcd');
    metrics.probed(0.002, true);
    metrics.probed(3, false);
    const m = await scrape();
    expect(sampleValue(m, 'rune_leader_changes_total', { application: 'etcd' })).toBe(2);
    expect(sampleValue(m, 'rune_machine_probe_duration_seconds_count', { outcome: 'ok' })).toBe(1);
    expect(
      sampleValue(m, 'rune_machine_probe_duration_seconds_bucket', {
        outcome: 'failed',
        le: '2.5',
      }),
    ).toBe(0);
  });

  it('counts units by status pair, machines, rollouts and certificate expiry when scraped', async () => {
    const expires = Date.parse('2027-01-02T03:04:05Z');
    const { scrape, state } = setup({
      machineStatuses: () => ['started', 'started', 'down', 'pending'],
      rollouts: () => [{ state: 'done' }, { state: 'done' }, { state: 'halted' }],
      certificateExpiries: () => new Map([['etcd', expires]]),
    });
    state.units = [
      unit('active', 'idle'),
      unit('active', 'idle'),
      unit('error', 'idle'),
      unit('maintenance', 'executing'),
    ];
    const m = await scrape();
    expect(sampleValue(m, 'rune_units', { workload_status: 'active', agent_status: 'idle' })).toBe(
      2,
    );
    expect(sampleValue(m, 'rune_units')).toBe(4);
    expect(m.get('rune_units')?.samples).toHaveLength(3);
    expect(sampleValue(m, 'rune_machines', { status: 'started' })).toBe(2);
    expect(sampleValue(m, 'rune_machines', { status: 'down' })).toBe(1);
    expect(sampleValue(m, 'rune_rollouts', { state: 'done' })).toBe(2);
    expect(
      sampleValue(m, 'rune_certificate_expiry_timestamp_seconds', { application: 'etcd' }),
    ).toBe(expires / 1000);
  });

  it('reads the units again only when the model moved, and drops counts gone to zero', async () => {
    const { scrape, state, reads } = setup();
    state.units = [unit('maintenance', 'executing')];
    await scrape();
    await scrape();
    expect(reads.units).toBe(1);
    state.units = [unit('active', 'idle')];
    state.generation++;
    const m = await scrape();
    expect(reads.units).toBe(2);
    expect(m.get('rune_units')?.samples).toEqual([
      { name: 'rune_units', labels: { workload_status: 'active', agent_status: 'idle' }, value: 1 },
    ]);
  });

  it('exports the standard process metrics, each controller in its own registry', async () => {
    const sources: MetricSources = {
      generation: () => 0,
      units: () => [],
      machineStatuses: () => [],
      rollouts: () => [],
      certificateExpiries: () => new Map(),
    };
    const one = new ControllerMetrics(sources);
    const two = new ControllerMetrics(sources);
    one.leaderChanged('etcd');
    const scraped = await one.scrape();
    expect(scraped.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    const m = parsePrometheusText(scraped.text);
    for (const name of ['process_cpu_seconds_total', 'process_resident_memory_bytes'])
      expect(m.has(name), name).toBe(true);
    const other = parsePrometheusText((await two.scrape()).text);
    expect(sampleValue(other, 'rune_leader_changes_total')).toBe(0);
  });
});
