// Issue 4 item 8: one peer-related application of N units, 10 per SIMULATED machine (the sim
// provider), driven to settled by the real UnitRunner on a real SqliteStore; then add-unit at that
// scale. Prints settle time, hooks/s, peak RSS, add-unit medians and where store time goes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MachineLock } from '../agents/machine/lock.js';
import type { LatencyModel } from '../agents/providers/sim/latency.js';
import { SimProvider, simAddress } from '../agents/providers/sim/sim-provider.js';
import {
  defaultRetryDelay,
  type ExecutorDeps,
  hasWorkDue,
  stepUnit,
} from '../agents/unit/executor.js';
import { inRelation, takeSnapshot, unitRelations } from '../agents/unit/snapshot.js';
import { UnitRunner } from '../core/controller/unit-runner.js';
import { ensureLeaders } from '../core/controller/leadership.js';
import { SqliteStore } from '../core/store/sqlite-store.js';
import type { ProviderKind, Store } from '../core/store/types.js';
import { PEER_CHARM, peerCharm } from './peer-charm.js';

const env = process.env;
const SIZES = (env.RUNE_BENCH_UNITS ?? '20,50,100,300,1000').split(',').map(Number);
const PER_MACHINE = 10;
const ADDS = Number(env.RUNE_BENCH_ADDS ?? 5);
const LATENCY: LatencyModel = {
  fixedMs: Number(env.RUNE_BENCH_LATENCY_MS ?? 1),
  jitterMs: Number(env.RUNE_BENCH_JITTER_MS ?? 0.5),
};
// Each size gets this long to settle; one that does not is reported with what it did meanwhile,
// so the whole run stays within ~5 minutes on a 2-core machine.
const BUDGET_MS = Number(env.RUNE_BENCH_SETTLE_BUDGET_S ?? 45) * 1000;
/** Add-units at one size stop once they took this long together (at least one is measured). */
const ADD_BUDGET_MS = Number(env.RUNE_BENCH_ADD_BUDGET_S ?? 30) * 1000;
const APP = 'bench';

const ms = (x: number) => (x >= 10_000 ? `${(x / 1000).toFixed(1)} s` : `${x.toFixed(0)} ms`);
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const sleep = (t: number) => new Promise((r) => setTimeout(r, t));

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

/** Time and calls per store method (outermost calls only, so transactions do not count twice). */
interface StoreTiming {
  byMethod: Map<string, { calls: number; ms: number }>;
  topMs: number;
}

function timedStore(store: Store, timing: StoreTiming): Store {
  let depth = 0;
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function' || typeof prop !== 'string') return value;
      return (...args: unknown[]) => {
        const t0 = performance.now();
        depth++;
        try {
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        } finally {
          depth--;
          const took = performance.now() - t0;
          const entry = timing.byMethod.get(prop) ?? { calls: 0, ms: 0 };
          entry.calls++;
          if (depth === 0) {
            entry.ms += took;
            timing.topMs += took;
          }
          timing.byMethod.set(prop, entry);
        }
      };
    },
  });
}

interface Model {
  store: Store;
  raw: SqliteStore;
  deps: ExecutorDeps;
  runner: UnitRunner;
  timing: StoreTiming;
  machines: number;
  hooks: { started: number; ended: number; lastEndAt: number };
  peakRss: number;
  dispose(): void;
}

function buildModel(units: number): Model {
  const dir = mkdtempSync(join(tmpdir(), 'rune-bench-charm-'));
  const raw = new SqliteStore(join(dir, 'store.db'));
  const timing: StoreTiming = { byMethod: new Map(), topMs: 0 };
  const store = timedStore(raw, timing);
  raw.addApplication({
    name: APP,
    charm: PEER_CHARM.meta.name,
    charmDir: PEER_CHARM.dir,
    subordinate: false,
    config: {},
    constraints: '',
  });
  const peer = PEER_CHARM.meta.endpoints[0];
  if (!peer) throw new Error('bench charm has no peer endpoint');
  raw.addRelation([{ ...peer, application: APP }]);
  const provider = new SimProvider({ latency: LATENCY, seed: 42 });
  const machines = Math.ceil(units / PER_MACHINE);
  for (let m = 0; m < machines; m++) {
    const id = raw.reserveMachineId();
    void provider.create(id);
    raw.addMachine({
      id,
      // The store's ProviderKind predates the sim provider; the column is plain text.
      provider: 'sim' as string as ProviderKind,
      instanceId: `sim-${id}`,
      address: simAddress(Number(id)),
      port: 22,
      user: 'root',
      keyFile: '',
      hostKey: '',
      hostPublicKey: '',
      constraints: '',
    });
  }
  for (let n = 0; n < units; n++)
    raw.addUnit({ name: `${APP}/${n}`, machine: String(n % machines) });
  ensureLeaders(raw, { now: Date.now() });
  const hooks = { started: 0, ended: 0, lastEndAt: 0 };
  const deps: ExecutorDeps = {
    store,
    loadCharm: () => Promise.resolve({ charm: PEER_CHARM, module: peerCharm }),
    machine: (id) => Promise.resolve(provider.charmMachine(`sim-${id}`)),
    address: (id) => simAddress(Number(id)),
    lock: new MachineLock(),
    now: () => Date.now(),
    // No update-status during the run: it is upkeep, not settling.
    updateStatusIntervalMs: 24 * 3600 * 1000,
    retryDelayMs: defaultRetryDelay,
    onHook: (e) => {
      if (e.phase === 'start') hooks.started++;
      else {
        hooks.ended++;
        hooks.lastEndAt = performance.now();
        if (e.outcome === 'error') throw new Error(`bench hook failed: ${e.unit} ${e.hook}`);
      }
    },
  };
  const runner: UnitRunner = new UnitRunner(
    store,
    {
      step: (unit) => stepUnit(unit, deps),
      inRelation: (unit, id) => inRelation(raw, unit, id),
      now: () => deps.now(),
      updateStatusIntervalMs: deps.updateStatusIntervalMs,
    },
    {
      tickMs: 1000,
      onError: (unit, error) => console.error(`  step of ${unit} threw: ${String(error)}`),
    },
  );
  deps.onCommit = (unit, relations, leaderSettings) =>
    runner.committed(unit, relations, leaderSettings);
  return {
    store,
    raw,
    deps,
    runner,
    timing,
    machines,
    hooks,
    peakRss: process.memoryUsage().rss,
    dispose: () => {
      raw.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Settled: no hook in flight or started for a while, and no unit with a hook due. */
function settledNow(model: Model): boolean {
  const { raw, deps } = model;
  if (model.hooks.started !== model.hooks.ended) return false;
  // The raw store: the benchmark's own sweep must not count as the controller's store time.
  for (const unit of raw.units()) {
    if (unit.agentStatus.current === 'executing') return false;
    if (hasWorkDue(unit.name, { ...deps, store: raw })) return false;
  }
  return true;
}

/** Waits until settled or `budget` ms pass; the settle time is when the last hook ended. */
async function settle(model: Model, since: number, budget: number): Promise<number | undefined> {
  let seen = -1;
  while (performance.now() - since < budget) {
    await sleep(25);
    model.peakRss = Math.max(model.peakRss, process.memoryUsage().rss);
    const started = model.hooks.started;
    // Only a quiet runner is worth the O(N²) hasWorkDue sweep.
    if (started === seen && settledNow(model)) return model.hooks.lastEndAt - since;
    seen = started;
  }
  return undefined;
}

/** Per-step reads at this size, before anything ran: what each step pays regardless of work. */
function stepReadCosts(model: Model): { units: number; snapshot: number; bags: number } {
  const { raw } = model;
  const unit = raw.units().find((u) => u.name === `${APP}/1`);
  if (!unit) throw new Error('no unit 1');
  const time = (fn: () => void) =>
    median(
      Array.from({ length: 20 }, () => {
        const t = performance.now();
        fn();
        return performance.now() - t;
      }),
    );
  return {
    units: time(() => raw.units()),
    // A snapshot that finds nothing due (no hook data read), and the bags a hook's adds.
    snapshot: time(() =>
      takeSnapshot(
        raw,
        unit.name,
        { now: Date.now, updateStatusIntervalMs: 86_400_000 },
        { data: false },
      ),
    ),
    bags: time(() => {
      for (const view of unitRelations(raw, unit)) raw.databags(view.relation.id);
    }),
  };
}

interface Phase {
  hooks: number;
  cpuMs: number;
  storeMs: number;
  /** Snapshots taken: each reads unitRuntime once; nothing else in the run does. */
  snapshots: number;
  /** Outermost store transactions. */
  transactions: number;
  unitsCalls: number;
  bagCalls: number;
  top: [string, { calls: number; ms: number }][];
}

function endPhase(model: Model, hooks0: number, cpu0: NodeJS.CpuUsage): Phase {
  const cpu = process.cpuUsage(cpu0);
  const calls = (k: string) => model.timing.byMethod.get(k)?.calls ?? 0;
  const phase: Phase = {
    hooks: model.hooks.ended - hooks0,
    cpuMs: (cpu.user + cpu.system) / 1000,
    storeMs: model.timing.topMs,
    snapshots: calls('unitRuntime'),
    transactions: calls('transaction'),
    unitsCalls: calls('units'),
    bagCalls: calls('databag'),
    top: [...model.timing.byMethod].sort((a, b) => b[1].ms - a[1].ms).slice(0, 4),
  };
  model.timing.byMethod.clear();
  model.timing.topMs = 0;
  return phase;
}

interface SizeResult {
  units: number;
  machines: number;
  settleMs: number | undefined;
  wallMs: number;
  settle: Phase;
  adds: number[];
  add: Phase | undefined;
  peakRss: number;
  reads: { units: number; snapshot: number; bags: number };
}

async function runSize(units: number): Promise<SizeResult> {
  const model = buildModel(units);
  const reads = stepReadCosts(model);
  let cpu0 = process.cpuUsage();
  const t0 = performance.now();
  model.runner.start();
  const settleMs = await settle(model, t0, BUDGET_MS);
  const wallMs = performance.now() - t0;
  const settlePhase = endPhase(model, 0, cpu0);
  const adds: number[] = [];
  const hooks0 = model.hooks.ended;
  cpu0 = process.cpuUsage();
  const addsFrom = performance.now();
  for (let k = 0; settleMs !== undefined && k < ADDS; k++) {
    if (k > 0 && performance.now() - addsFrom > ADD_BUDGET_MS) break;
    const n = units + k;
    const t = performance.now();
    model.raw.addUnit({ name: `${APP}/${n}`, machine: String(n % model.machines) });
    model.runner.wake();
    const took = await settle(model, t, BUDGET_MS);
    if (took === undefined) break;
    adds.push(took);
  }
  const addPhase = adds.length > 0 ? endPhase(model, hooks0, cpu0) : undefined;
  await model.runner.stop();
  model.dispose();
  return {
    units,
    machines: model.machines,
    settleMs,
    wallMs,
    settle: settlePhase,
    adds,
    add: addPhase,
    peakRss: model.peakRss,
    reads,
  };
}

function phaseLine(p: Phase, wallMs: number): string {
  const per = (x: number) => (p.hooks > 0 ? (x / p.hooks).toFixed(0) : '-');
  const per2 = (x: number) => (p.hooks > 0 ? (x / p.hooks).toFixed(2) : '-');
  return (
    `CPU ${ms(p.cpuMs)} for ${ms(wallMs)} wall, store calls ${ms(p.storeMs)}; per hook: ` +
    `${per2(p.transactions)} store transactions, ${per2(p.snapshots)} snapshots, ` +
    `${per(p.unitsCalls)} units() scans, ${per(p.bagCalls)} databag reads\n` +
    `    store time by method: ${p.top.map(([k, v]) => `${k} ${ms(v.ms)}/${v.calls}`).join(', ')}`
  );
}

function report(r: SizeResult, base: SizeResult | undefined): void {
  const n = r.units;
  // 5 lifecycle hooks, -joined and -changed per peer, and one app -changed for non-leaders.
  const expected = 5 * n + 2 * n * (n - 1) + (n - 1);
  const hooks = r.settle.hooks;
  const rate = hooks / ((r.settleMs ?? r.wallMs) / 1000);
  console.log(`${n} units on ${r.machines} machines (peak RSS ${mb(r.peakRss)}):`);
  if (r.settleMs !== undefined) {
    console.log(
      `  settled in ${ms(r.settleMs)}: ${hooks} hooks (${(hooks / n).toFixed(0)}/unit), ${rate.toFixed(0)} hooks/s`,
    );
  } else {
    const left = expected - hooks;
    console.log(
      `  NOT settled within ${ms(BUDGET_MS)}: ${hooks} of ~${expected} hooks run, ${rate.toFixed(0)} hooks/s; ` +
        `the rest would take ≥ ${ms((left / rate) * 1000)} more at that rate (it falls as N grows)`,
    );
  }
  console.log(`  settle: ${phaseLine(r.settle, r.wallMs)}`);
  const b = base?.reads;
  const x = (v: number, w: number | undefined) =>
    w !== undefined && base !== r ? ` (${(v / w).toFixed(1)}x)` : '';
  console.log(
    `  one step's reads: units() ${r.reads.units.toFixed(2)} ms${x(r.reads.units, b?.units)}, ` +
      `a snapshot ${r.reads.snapshot.toFixed(2)} ms${x(r.reads.snapshot, b?.snapshot)}, ` +
      `a hook's in-scope bags ${r.reads.bags.toFixed(2)} ms${x(r.reads.bags, b?.bags)}`,
  );
  if (r.add) {
    const m = median(r.adds);
    const bm = base && base.adds.length > 0 ? median(base.adds) : undefined;
    console.log(
      `  add-unit until settled: median ${ms(m)} of ${r.adds.length} ` +
        `[${r.adds.map((a) => a.toFixed(0)).join(', ')} ms]` +
        (bm !== undefined && base !== r
          ? `; ${(m / bm).toFixed(1)}x the ${base?.units}-unit median for ${(n / (base?.units ?? n)).toFixed(1)}x the units`
          : ''),
    );
    console.log(
      `  add-unit: ${phaseLine(
        r.add,
        r.adds.reduce((a, c) => a + c, 0),
      )}`,
    );
  } else {
    console.log('  add-unit: not measured (the application did not settle)');
  }
}

export async function run(): Promise<void> {
  console.log(
    `sim latency ${LATENCY.fixedMs} ms ± ${LATENCY.jitterMs} ms per machine call, ${PER_MACHINE} units per machine, ` +
      `settle budget ${ms(BUDGET_MS)} per size, ${ADDS} add-units each`,
  );
  const results: SizeResult[] = [];
  for (const units of SIZES) {
    const r = await runSize(units);
    results.push(r);
    report(r, results[0]);
    (globalThis as { gc?: () => void }).gc?.();
  }
  console.log(
    `process peak RSS ${mb(process.resourceUsage().maxRSS * 1024)} (figures from one machine; other load on its 2 cores moves them)`,
  );
}
