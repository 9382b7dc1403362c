// Issue 16 item 7: a Charmed-Kubernetes-shaped bundle (easyrsa, 3 etcd, 1 master, N workers,
// flannel on each; every unit on a fresh local machine, no binaries attached) deployed with
// `rune deploy --wait` for 1, 5 and 10 workers, one after the other, each on a fresh controller.
// Prints the settle time, hook count and slowest hook kinds, so the growth with workers shows.
// Goal: 10 workers settle in ≤ 60 s on a 2-core host. Needs root.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { destroyBenchController, rune } from './rune-cli.js';
import type { StatusResponse } from '../core/controller/api.js';

const NAME = 'k8s-workers-bench';
const WORKERS = [1, 5, 10] as const;
const GOAL_MS = 60_000;

/** The reference bundle's shape with one master and `workers` workers; no placement. */
export function workersBundle(workers: number): string {
  return charmedKubernetesBundle({ masters: 1, etcd: 3, workers });
}

/** Charmed Kubernetes' shape: easyrsa, etcd, masters, workers, flannel on every master and
 * worker, and its relations; each unit on a machine of its own (no placement). */
export function charmedKubernetesBundle(size: { masters: number; etcd: number; workers: number }) {
  const app = (name: string, units?: number) => [
    `  ${name}:`,
    `    charm: ${name}`,
    ...(units === undefined ? [] : [`    num_units: ${units}`]),
  ];
  return [
    `description: easyrsa, ${size.etcd} etcd, ${size.masters} masters, ${size.workers} workers, flannel`,
    'applications:',
    ...app('easyrsa', 1),
    ...app('etcd', size.etcd),
    ...app('flannel'),
    ...app('kubernetes-master', size.masters),
    ...app('kubernetes-worker', size.workers),
    'relations:',
    '  - [kubernetes-master:kube-api-endpoint, kubernetes-worker:kube-api-endpoint]',
    '  - [kubernetes-master:kube-control, kubernetes-worker:kube-control]',
    '  - [kubernetes-master:certificates, easyrsa:client]',
    '  - [kubernetes-master:etcd, etcd:db]',
    '  - [kubernetes-worker:certificates, easyrsa:client]',
    '  - [etcd:certificates, easyrsa:client]',
    '  - [flannel:etcd, etcd:db]',
    '  - [flannel:cni, kubernetes-master:cni]',
    '  - [flannel:cni, kubernetes-worker:cni]',
    '',
  ].join('\n');
}

interface HookRecord {
  unit: string;
  kind: string;
  durationMs: number;
}

interface Figures {
  workers: number;
  settleMs: number;
  hooks: number;
  /** `app kind` → [count, mean ms], slowest mean first. */
  kinds: [string, number, number][];
  workerMeanMs: number;
  /** Workers whose containerd answered `ctr version` with its server. */
  serving: number;
  load: [string, string];
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const load1 = () => loadavg()[0]?.toFixed(2) ?? '?';

function hookKinds(records: HookRecord[]): [string, number, number][] {
  const by = new Map<string, number[]>();
  for (const r of records) {
    const key = `${r.unit.split('/')[0] ?? r.unit} ${r.kind}`;
    by.set(key, [...(by.get(key) ?? []), r.durationMs]);
  }
  return [...by]
    .map(([key, ms]): [string, number, number] => [key, ms.length, mean(ms)])
    .sort((a, b) => b[2] - a[2]);
}

async function deployOnce(workers: number): Promise<Figures> {
  const home = mkdtempSync(join(tmpdir(), 'rune-bench-k8s-'));
  const previousHome = process.env.RUNE_HOME;
  process.env.RUNE_HOME = home;
  try {
    const bundle = join(home, `k8s-${workers}-workers.yaml`);
    writeFileSync(bundle, workersBundle(workers));
    const b = await rune('bootstrap', 'local', NAME);
    if (b.code !== 0) throw new Error(`bootstrap exited ${b.code}: ${b.out.slice(-500)}`);
    const loadBefore = load1();
    const started = performance.now();
    const d = await rune('deploy', bundle, '--wait=15m');
    const settleMs = performance.now() - started;
    const loadAfter = load1();
    if (d.code !== 0) throw new Error(`deploy --wait exited ${d.code}: ${d.out.slice(-800)}`);
    const log = await rune('debug-log', '--replay', '--format', 'json', '--no-tail');
    const records = log.out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as HookRecord);
    const status = await rune('status', '--format', 'json');
    const apps = (JSON.parse(status.out) as StatusResponse).applications ?? {};
    let serving = 0;
    for (const unit of Object.values(apps['kubernetes-worker']?.units ?? {})) {
      const v = await rune(
        'exec',
        '--machine',
        unit.machine ?? '',
        '--',
        'ctr --address /run/containerd/containerd.sock --connect-timeout 5s version',
      );
      if (v.code === 0 && /^Server:/m.test(v.out)) serving += 1;
    }
    return {
      workers,
      settleMs,
      hooks: records.length,
      kinds: hookKinds(records),
      workerMeanMs: mean(
        records.filter((r) => r.unit.startsWith('kubernetes-worker/')).map((r) => r.durationMs),
      ),
      serving,
      load: [loadBefore, loadAfter],
    };
  } finally {
    await destroyBenchController(NAME, home, previousHome);
  }
}

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export async function run(): Promise<void> {
  if (process.getuid?.() !== 0) {
    console.log('k8s-workers needs root (local machines); skipped');
    return;
  }
  console.log(
    'easyrsa + 3 etcd + 1 master + N workers, flannel on each; one fresh local machine per ' +
      'unit, no binaries attached; `rune deploy --wait` from start to settled (machines included)',
  );
  const results: Figures[] = [];
  for (const workers of WORKERS) {
    try {
      const f = await deployOnce(workers);
      results.push(f);
      const slowest = f.kinds
        .slice(0, 3)
        .map(([kind, n, ms]) => `${kind} ${s(ms)} (x${n})`)
        .join(', ');
      console.log(
        `  ${String(workers).padStart(2)} workers (${workers + 5} machines): settled in ` +
          `${s(f.settleMs)}, ${f.hooks} hooks, worker hooks ${s(f.workerMeanMs)} on average; ` +
          `containerd serving on ${f.serving}/${workers}; load average ${f.load[0]} → ${f.load[1]}`,
      );
      console.log(`      slowest hook kinds: ${slowest}`);
    } catch (e) {
      console.log(`  ${workers} workers: failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  const ten = results.find((f) => f.workers === 10);
  if (ten) {
    console.log(
      `10 workers: ${s(ten.settleMs)}, goal ≤ ${s(GOAL_MS)}: ${ten.settleMs <= GOAL_MS ? 'met' : 'MISSED'}`,
    );
  }
  console.log('  (one run on one host; other load on its 2 cores moves these figures)');
}
