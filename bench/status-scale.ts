// Issue 16 item 2's status goals at 10,000 units, on the sim cloud. Deploying 10,000 sim units
// takes far longer than a bench run (1,000 units of a charm that only sets active: ~70 s, and
// each unit costs more as the model grows), so this deploys DEPLOYED units of such a charm,
// stops the controller, copies a settled unit in its store up to `total` (seed-units.ts), starts
// it again, and times `rune status` as whole processes beside the goals, then its RSS.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { controllerPaths } from '../core/controller/paths.js';
import { endControllerProcess } from '../core/controller/process.js';
import { cpuMs, median, memoryMb, nodeStartMs, timedProcess } from './process-figures.js';
import { destroyBenchController, rune } from './rune-cli.js';
import { GOAL_RSS_MB, GOALS, verdict } from './scale-goals.js';
import { seedUnits } from './seed-units.js';

const NAME = 'status-bench';
const DEPLOYED = 100;
const RUNS = 5;
const IDLE_MS = 20_000;
const RSS_EVERY_MS = 1_000;

/** A charm that does nothing but say it is active. */
function writeIdleCharm(dir: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'metadata.yaml'), 'name: idle\nsummary: Does nothing; active.\n');
  writeFileSync(
    join(dir, 'charm.ts'),
    "import { defineCharm } from 'rune/charm';\n" +
      "export const charm = defineCharm({ reconcile: (ctx) => ctx.status.set('active', '') });\n",
  );
}

async function must(...argv: string[]): Promise<string> {
  const r = await rune(...argv);
  if (r.code !== 0) throw new Error(`rune ${argv[0]} exited ${r.code}: ${r.out.slice(-500)}`);
  return r.out;
}

export async function statusAtScale(total: number): Promise<void> {
  const home = mkdtempSync(join(tmpdir(), 'rune-bench-status-'));
  const previousHome = process.env.RUNE_HOME;
  process.env.RUNE_HOME = home;
  const paths = controllerPaths(home, NAME);
  try {
    writeIdleCharm(join(home, 'idle'));
    const bundle = join(home, 'idle.yaml');
    writeFileSync(
      bundle,
      `applications:\n  idle:\n    charm: ./idle\n    num_units: ${DEPLOYED}\n`,
    );
    await must('bootstrap', 'sim', NAME);
    const t0 = performance.now();
    await must('deploy', bundle, '--wait=30m');
    const deployMs = performance.now() - t0;
    await endControllerProcess(home, NAME, { askedToStop: false });
    const seeded = seedUnits(paths.store, 'idle/0', total);
    const t1 = performance.now();
    await must('status', 'idle/0'); // starts the controller again, on the seeded store
    // Its agents start on every unit (their start-up hooks) before it is idle to time.
    await must('wait-for', 'model', '--timeout', '20m');
    const settleMs = performance.now() - t1;
    const tabular = timedProcess(home, ['status'], RUNS);
    const json = timedProcess(home, ['status', '--format', 'json'], RUNS);
    const unit = timedProcess(home, ['status', `idle/${total - 1}`], RUNS);
    const floor = nodeStartMs(RUNS);
    const pid = Number(readFileSync(paths.pid, 'utf8'));
    // What the model costs while nobody asks anything (probes, health checks, update-status),
    // and its RSS sampled meanwhile: one sample says more of when V8 last collected than of
    // what the controller holds (at 10,000 units it swings by 300 MB between major GCs).
    const idleFrom = cpuMs(pid);
    const samples: number[] = [];
    for (let t = 0; t < IDLE_MS; t += RSS_EVERY_MS) {
      samples.push(memoryMb(pid).rss);
      await new Promise((resolve) => setTimeout(resolve, RSS_EVERY_MS));
    }
    const idleShare = (cpuMs(pid) - idleFrom) / IDLE_MS;
    const rss = median(samples);
    const { peak } = memoryMb(pid);
    const range = `${Math.min(...samples).toFixed(0)}–${Math.max(...samples).toFixed(0)}`;
    console.log(
      `  status at ${total} units (${DEPLOYED} deployed in ${(deployMs / 1000).toFixed(1)} s, ` +
        `${seeded} copied in the store, settled ${(settleMs / 1000).toFixed(1)} s after its ` +
        'controller started on them; one sim machine each):',
    );
    console.log(
      `        rune status (whole process, median of ${RUNS}): tabular ${tabular.toFixed(0)} ms, ` +
        `json ${json.toFixed(0)} ms (goal ≤ ${GOALS.statusMs}: ` +
        `${verdict(Math.max(tabular, json), GOALS.statusMs)}); rune status idle/${total - 1} ` +
        `${unit.toFixed(0)} ms (goal ≤ ${GOALS.statusUnitMs}: ${verdict(unit, GOALS.statusUnitMs)}; ` +
        `\`node -e 0\` alone ${floor.toFixed(0)} ms here)`,
    );
    console.log(
      `        controller RSS, idle over ${IDLE_MS / 1000} s: median ${rss.toFixed(0)} MB ` +
        `(${range} MB; goal ≤ ${GOAL_RSS_MB} MB: ${verdict(rss, GOAL_RSS_MB)}), peak since start ` +
        `${peak.toFixed(0)} MB; it uses ${(idleShare * 100).toFixed(0)}% of a core meanwhile`,
    );
  } catch (e) {
    console.log(
      `  status at ${total} units: failed: ${e instanceof Error ? e.message : String(e)}`,
    );
  } finally {
    await destroyBenchController(NAME, home, previousHome);
  }
}
