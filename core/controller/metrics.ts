// The controller's Prometheus metrics (issue 17 item 1): counters and histograms fed from the
// hook, leadership and probe callbacks, and gauges counted from the store when scraped. Its own
// Registry, never prom-client's global one, so tests and HA members in one process do not collide.
// Labels carry names only (applications, hooks, actions, states): never a value from a bag.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { RolloutRecord, UnitRecord } from '../store/types.js';

/** A hook or action starting or ending (the executor's onHook; actions are `NAME-action`). */
export interface HookEvent {
  unit: string;
  hook: string;
  phase: 'start' | 'end';
  outcome?: 'ok' | 'error';
}

/** What the gauges count at scrape time. */
export interface MetricSources {
  /** Moves whenever the store changes (model-events.ts): counts are re-read only when it did. */
  generation(): number;
  units(): readonly Pick<UnitRecord, 'workloadStatus' | 'agentStatus'>[];
  /** Each machine's status as `rune status` shows it (pending, started, down). */
  machineStatuses(): readonly string[];
  rollouts(): readonly Pick<RolloutRecord, 'state'>[];
  /** Application → the earliest expiry (ms since the epoch) of a certificate its units hold. */
  certificateExpiries(): ReadonlyMap<string, number>;
}

export interface MetricsOptions {
  /** Seconds on a monotonic clock (hook durations); default performance.now. */
  clock?: () => number;
  /** The standard process_* and nodejs_* set; off in tests that count series. */
  processMetrics?: boolean;
}

/** Hooks take from milliseconds (a skipped relation hook) to minutes (installing packages). */
const HOOK_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
/** A probe is one round trip on a kept session; a lost machine's ends at the probe timeout. */
const PROBE_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

const ACTION_SUFFIX = '-action'; // core/charm/context.ts actionHookName

export class ControllerMetrics {
  readonly registry = new Registry();
  private readonly started = new Map<string, number>();
  private readonly clock: () => number;
  private readonly hooks: Counter<'application' | 'hook'>;
  private readonly failures: Counter<'application' | 'hook'>;
  private readonly durations: Histogram<'application' | 'hook'>;
  private readonly actions: Counter<'application' | 'action' | 'status'>;
  private readonly leaders: Counter<'application'>;
  private readonly probes: Histogram<'outcome'>;

  constructor(sources: MetricSources, options: MetricsOptions = {}) {
    this.clock = options.clock ?? (() => performance.now() / 1000);
    const registers = [this.registry];
    this.hooks = new Counter({
      name: 'rune_hooks_total',
      help: 'Hooks run to the end (succeeded or failed), by application and hook.',
      labelNames: ['application', 'hook'],
      registers,
    });
    this.failures = new Counter({
      name: 'rune_hook_failures_total',
      help: 'Hooks that failed (the unit went to error), by application and hook.',
      labelNames: ['application', 'hook'],
      registers,
    });
    this.durations = new Histogram({
      name: 'rune_hook_duration_seconds',
      help: 'How long hooks took, from the charm starting to its outcome committed, by application and hook.',
      labelNames: ['application', 'hook'],
      buckets: HOOK_BUCKETS,
      registers,
    });
    this.actions = new Counter({
      name: 'rune_action_runs_total',
      help: 'Actions run to the end, by application, action and status (completed, failed).',
      labelNames: ['application', 'action', 'status'],
      registers,
    });
    this.leaders = new Counter({
      name: 'rune_leader_changes_total',
      help: 'Times a unit became leader of its application (a first election counts).',
      labelNames: ['application'],
      registers,
    });
    this.probes = new Histogram({
      name: 'rune_machine_probe_duration_seconds',
      help: 'Machine probe round trips (health loop and status), by outcome (ok, failed).',
      labelNames: ['outcome'],
      buckets: PROBE_BUCKETS,
      registers,
    });
    registerGauges(this.registry, sources);
    if (options.processMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }

  /** The executor's onHook: hooks are counted and timed when they end, actions counted. */
  hook(event: HookEvent): void {
    const key = `${event.unit} ${event.hook}`;
    if (event.phase === 'start') {
      this.started.set(key, this.clock());
      return;
    }
    const began = this.started.get(key);
    this.started.delete(key);
    const application = applicationOf(event.unit);
    if (event.hook.endsWith(ACTION_SUFFIX)) {
      const action = event.hook.slice(0, -ACTION_SUFFIX.length);
      const status = event.outcome === 'ok' ? 'completed' : 'failed';
      this.actions.inc({ application, action, status });
      return;
    }
    const labels = { application, hook: event.hook };
    this.hooks.inc(labels);
    // Zero until the first failure, not absent: failures/hooks then has a value for every hook.
    this.failures.inc(labels, event.outcome === 'error' ? 1 : 0);
    if (began !== undefined) this.durations.observe(labels, Math.max(0, this.clock() - began));
  }

  /** A unit of `application` became its leader. */
  leaderChanged(application: string): void {
    this.leaders.inc({ application });
  }

  probed(seconds: number, reachable: boolean): void {
    this.probes.observe({ outcome: reachable ? 'ok' : 'failed' }, seconds);
  }

  /** The exposition text and its content type, for GET /metrics. */
  async scrape(): Promise<{ contentType: string; text: string }> {
    return { contentType: this.registry.contentType, text: await this.registry.metrics() };
  }
}

function applicationOf(unit: string): string {
  const slash = unit.indexOf('/');
  return slash < 0 ? unit : unit.slice(0, slash);
}

/** How many items share each key, e.g. units by (workload, agent) status. */
function tally<T>(items: readonly T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

/**
 * The gauges, counted when scraped: one series per combination of statuses, never one per unit,
 * so a 10,000-unit model costs a few dozen series. The store is read only when the model moved
 * since the last scrape (reading 10,000 unit rows takes 70-90 ms); machine statuses live in
 * memory and are counted every time.
 */
function registerGauges(registry: Registry, sources: MetricSources): void {
  let counted:
    | {
        generation: number;
        units: Map<string, number>;
        rollouts: Map<string, number>;
        expiries: ReadonlyMap<string, number>;
      }
    | undefined;
  const read = () => {
    const generation = sources.generation();
    if (counted?.generation !== generation) {
      counted = {
        generation,
        units: tally(
          sources.units(),
          (u) => `${u.workloadStatus.current} ${u.agentStatus.current}`,
        ),
        rollouts: tally(sources.rollouts(), (r) => r.state),
        expiries: sources.certificateExpiries(),
      };
    }
    return counted;
  };
  const registers = [registry];
  new Gauge({
    name: 'rune_units',
    help: 'Units by workload status and agent status.',
    labelNames: ['workload_status', 'agent_status'],
    registers,
    collect() {
      this.reset();
      for (const [key, n] of read().units) {
        const [workload_status = '', agent_status = ''] = key.split(' ');
        this.set({ workload_status, agent_status }, n);
      }
    },
  });
  new Gauge({
    name: 'rune_machines',
    help: 'Machines by status (pending: not probed yet, started, down).',
    labelNames: ['status'],
    registers,
    collect() {
      this.reset();
      for (const [status, n] of tally(sources.machineStatuses(), (s) => s)) this.set({ status }, n);
    },
  });
  new Gauge({
    name: 'rune_rollouts',
    help: 'Rollouts by state (running, halted, done, aborted, superseded).',
    labelNames: ['state'],
    registers,
    collect() {
      this.reset();
      for (const [state, n] of read().rollouts) this.set({ state }, n);
    },
  });
  new Gauge({
    name: 'rune_certificate_expiry_timestamp_seconds',
    help: 'When the first certificate held by a unit of the application expires (Unix time).',
    labelNames: ['application'],
    registers,
    collect() {
      this.reset();
      for (const [application, ms] of read().expiries)
        this.set({ application }, Math.floor(ms / 1000));
    },
  });
}
