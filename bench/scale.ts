// Issue 16 item 2: a Charmed-Kubernetes-shaped bundle (3 masters, 5 etcd, easyrsa, N workers,
// flannel on every master and worker) on the sim cloud (`rune bootstrap sim`: a real controller
// process, SIMULATED machines), deployed to settled for each N; at the largest N, add-unit
// kubernetes-worker until settled, and `rune status` timed as a whole process. Prints each figure
// beside its goal. The shipped charms run for real on sim machines: easyrsa signs every
// certificate, the others block as they do without binaries (etcd: no shell for its probe).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { controllerPaths } from '../core/controller/paths.js';
import { charmedKubernetesBundle } from './k8s-workers.js';
import { cpuMs, mainThreadCpuMs, memoryMb, timedProcess } from './process-figures.js';
import { rune } from './rune-cli.js';
import { GOAL_CPU_PER_HOOK_MS, GOAL_RSS_MB, GOALS, verdict } from './scale-goals.js';
import { statusAtScale } from './status-scale.js';

const env = process.env;
const WORKERS = (env.RUNE_BENCH_WORKERS ?? '100,300,1000').split(',').map(Number);
const NAME = 'scale-bench';
const STATUS_RUNS = 5;

interface HookRecord {
  unit: string;
  hook: string;
  durationMs: number;
}

interface Figures {
  workers: number;
  units: number;
  settleMs: number;
  hooks: number;
  /** Controller CPU (user + system) over the deploy, ms: all threads, and the main thread's. */
  cpuMs: number;
  mainCpuMs: number;
  rssMb: number;
  peakRssMb: number;
  /** Application → summed hook time, ms (hooks of one unit run one at a time). */
  hookMsByApp: Map<string, number>;
  /** Where the hook time went: the busiest unit (its hooks run one at a time) and hook kinds. */
  breakdown: string[];
  addUnitMs?: number;
  statusMs?: { tabular: number; json: number; unit: number };
  load: [string, string];
}

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const load1 = () => loadavg()[0]?.toFixed(2) ?? '?';

async function hookRecords(): Promise<HookRecord[]> {
  const log = await rune('debug-log', '--replay', '--format', 'json', '--no-tail');
  return log.out
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as HookRecord);
}

function sumBy(records: readonly HookRecord[], key: (r: HookRecord) => string) {
  const out = new Map<string, { ms: number; n: number }>();
  for (const r of records) {
    const k = key(r);
    const e = out.get(k) ?? { ms: 0, n: 0 };
    e.ms += r.durationMs;
    e.n += 1;
    out.set(k, e);
  }
  return [...out.entries()].sort((a, b) => b[1].ms - a[1].ms);
}

/** The busiest units (their hooks are serial, so one of them bounds the settle time) and the
 * hook kinds that took the most time, summed over units. */
function hookBreakdown(records: readonly HookRecord[]): string[] {
  const line = ([k, e]: [string, { ms: number; n: number }]) =>
    `${k} ${s(e.ms)} in ${e.n} hooks (${(e.ms / e.n).toFixed(1)} ms each)`;
  const units = sumBy(records, (r) => r.unit).slice(0, 3);
  const kinds = sumBy(records, (r) => `${r.unit.split('/')[0]} ${r.hook}`).slice(0, 6);
  return [`busiest units: ${units.map(line).join('; ')}`, ...kinds.map(line)];
}

async function deployOnce(workers: number, last: boolean): Promise<Figures> {
  const home = mkdtempSync(join(tmpdir(), 'rune-bench-scale-'));
  const previousHome = env.RUNE_HOME;
  env.RUNE_HOME = home;
  try {
    const bundle = join(home, `ck-${workers}.yaml`);
    writeFileSync(bundle, charmedKubernetesBundle({ masters: 3, etcd: 5, workers }));
    const b = await rune('bootstrap', 'sim', NAME);
    if (b.code !== 0) throw new Error(`bootstrap exited ${b.code}: ${b.out.slice(-500)}`);
    const pid = Number(readFileSync(controllerPaths(home, NAME).pid, 'utf8'));
    const cpuBefore = cpuMs(pid);
    const mainBefore = mainThreadCpuMs(pid);
    const loadBefore = load1();
    const started = performance.now();
    const d = await rune('deploy', bundle, '--wait=30m');
    const settleMs = performance.now() - started;
    if (d.code !== 0) throw new Error(`deploy --wait exited ${d.code}: ${d.out.slice(-800)}`);
    const cpu = cpuMs(pid) - cpuBefore;
    const mainCpu = mainThreadCpuMs(pid) - mainBefore;
    const loadAfter = load1();
    const records = await hookRecords();
    const hookMsByApp = new Map<string, number>();
    for (const r of records) {
      const app = r.unit.split('/')[0] ?? r.unit;
      hookMsByApp.set(app, (hookMsByApp.get(app) ?? 0) + r.durationMs);
    }
    const figures: Figures = {
      workers,
      // Each worker and master carries a flannel unit.
      units: 1 + 5 + 3 + workers + (3 + workers),
      settleMs,
      hooks: records.length,
      cpuMs: cpu,
      mainCpuMs: mainCpu,
      ...(({ rss, peak }) => ({ rssMb: rss, peakRssMb: peak }))(memoryMb(pid)),
      hookMsByApp,
      breakdown: hookBreakdown(records),
      load: [loadBefore, loadAfter],
    };
    if (last) {
      const t0 = performance.now();
      const a = await rune('add-unit', 'kubernetes-worker');
      if (a.code !== 0) throw new Error(`add-unit exited ${a.code}: ${a.out.slice(-500)}`);
      const w = await rune('wait-for', 'model', '--timeout', '5m');
      if (w.code !== 0) throw new Error(`wait-for exited ${w.code}: ${w.out.slice(-500)}`);
      figures.addUnitMs = performance.now() - t0;
      figures.statusMs = {
        tabular: timedProcess(home, ['status'], STATUS_RUNS),
        json: timedProcess(home, ['status', '--format', 'json'], STATUS_RUNS),
        unit: timedProcess(home, ['status', `kubernetes-worker/${workers - 1}`], STATUS_RUNS),
      };
    }
    return figures;
  } finally {
    const r = await rune('destroy-controller', NAME, '--yes');
    if (r.code !== 0) console.error(`cleanup: destroy-controller: ${r.out.slice(-300)}`);
    if (previousHome === undefined) delete env.RUNE_HOME;
    else env.RUNE_HOME = previousHome;
    rmSync(home, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  console.log(
    'Charmed-Kubernetes shape on the sim cloud: easyrsa, 5 etcd, 3 masters, N workers, flannel ' +
      'on each master and worker; one sim machine per unit (1ms ± 0.5ms a call); ' +
      '`rune deploy --wait` from start to settled',
  );
  for (const workers of WORKERS) {
    const last = workers === WORKERS[WORKERS.length - 1];
    try {
      const f = await deployOnce(workers, last);
      const cpuPerHook = f.cpuMs / Math.max(1, f.hooks);
      const easyrsa = f.hookMsByApp.get('easyrsa') ?? 0;
      console.log(
        `  ${String(workers).padStart(5)} workers, ${f.units} units: settled in ${s(f.settleMs)}, ` +
          `${f.hooks} hooks; controller CPU ${s(f.cpuMs)} = ${cpuPerHook.toFixed(2)} ms/hook ` +
          `(goal ≤ ${GOAL_CPU_PER_HOOK_MS}: ${verdict(cpuPerHook, GOAL_CPU_PER_HOOK_MS)}; main ` +
          `thread ${(f.mainCpuMs / Math.max(1, f.hooks)).toFixed(2)} ms/hook, the rest is ` +
          `easyrsa's RSA keys on the thread pool and V8's helpers); ` +
          `RSS ${f.rssMb.toFixed(0)} MB, peak ${f.peakRssMb.toFixed(0)} MB; ` +
          `load ${f.load[0]} → ${f.load[1]}`,
      );
      console.log(
        `        charms' own hook time: easyrsa ${s(easyrsa)} (its hooks run one at a time: ` +
          `${((100 * easyrsa) / f.settleMs).toFixed(0)}% of the settle time), all ` +
          `${s([...f.hookMsByApp.values()].reduce((a, b) => a + b, 0))} summed over units`,
      );
      for (const l of f.breakdown) console.log(`        ${l}`);
      if (workers === 1000) {
        console.log(
          `        deploy of 1,000 workers: ${s(f.settleMs)}, goal ≤ ${s(GOALS.deploy1000Ms)}: ` +
            verdict(f.settleMs, GOALS.deploy1000Ms),
        );
      }
      if (f.addUnitMs !== undefined && f.statusMs !== undefined) {
        console.log(
          `        add-unit kubernetes-worker until settled: ${f.addUnitMs.toFixed(0)} ms, goal ≤ ` +
            `${GOALS.addUnitMs} ms: ${verdict(f.addUnitMs, GOALS.addUnitMs)}`,
        );
        const { tabular, json, unit } = f.statusMs;
        console.log(
          `        rune status (whole process, median of ${STATUS_RUNS}) at ${f.units + 2} units: ` +
            `tabular ${tabular.toFixed(0)} ms, json ${json.toFixed(0)} ms (goal ≤ ` +
            `${GOALS.statusMs} ms at 10,000 units: ${verdict(Math.max(tabular, json), GOALS.statusMs)}); ` +
            `one unit ${unit.toFixed(0)} ms (goal ≤ ${GOALS.statusUnitMs}: ` +
            `${verdict(unit, GOALS.statusUnitMs)})`,
        );
        console.log(
          `        controller RSS ${f.rssMb.toFixed(0)} MB at ${f.units} units (goal ≤ ` +
            `${GOAL_RSS_MB} MB at 10,000 units)`,
        );
      }
    } catch (e) {
      console.log(`  ${workers} workers: failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  const statusUnits = Number(env.RUNE_BENCH_STATUS_UNITS ?? 10_000);
  // 0 skips the 10,000-unit status model (a deploy-only run, e.g. while profiling).
  if (statusUnits > 0) await statusAtScale(statusUnits);
  console.log('  (one run on one host; other load on its 2 cores moves these figures)');
}
