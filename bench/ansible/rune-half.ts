// The Rune half: a fresh controller in a temp RUNE_HOME, then `rune deploy bundles/etcd.yaml
// --wait=10m` timed until the last of three etcd units turned "Healthy with 3 known peers"
// (its status' since stamp). The deploy
// makes its own four machines (easyrsa + 3 etcd), so that time is inside the figure; the moment
// the last machine started is read from status to give the time after machines were ready.
// The CLI runs in-process (main(), as test/core/cli/run-cli.ts does): polling status through a
// new node process every 250 ms would take CPU from the controller on a 2-core host.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../core/charm/repository.js';
import { main } from '../../core/cli/main.js';
import type { StatusResponse } from '../../core/controller/api.js';
import { etcdHealth, type Half, tail } from './common.js';

export interface RuneFigures {
  /** deploy start → all etcd units healthy; includes making the 4 machines. */
  totalMs: number;
  /** deploy start → the last machine started (status' machine-status since), if status says. */
  machinesMs: number | undefined;
  health: string;
}

const NAME = 'etcd-bench';
const UNITS = 3;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function rune(...argv: string[]): Promise<{ code: number; out: string; raw: Buffer }> {
  const out: string[] = [];
  const raw: Buffer[] = [];
  const code = await main(argv, {
    out: (l) => out.push(l),
    err: (l) => out.push(l),
    outRaw: (c) => raw.push(c),
    errRaw: () => undefined,
  });
  return { code, out: out.join('\n'), raw: Buffer.concat(raw) };
}

async function status(): Promise<StatusResponse> {
  const r = await rune('status', '--format', 'json');
  if (r.code !== 0) throw new Error(`rune status exited ${r.code}: ${r.out}`);
  return JSON.parse(r.out) as StatusResponse;
}

const etcdUnits = (s: StatusResponse) => Object.entries(s.applications?.etcd?.units ?? {});

function healthy(s: StatusResponse): boolean {
  const units = etcdUnits(s);
  return (
    units.length === UNITS &&
    units.every(
      ([, u]) =>
        u['workload-status'].current === 'active' &&
        u['workload-status'].message === `Healthy with ${UNITS} known peers`,
    )
  );
}

/** Every unit that is not where it should be, for the failure line. */
function describeUnits(s: StatusResponse): string {
  const lines = Object.values(s.applications ?? {}).flatMap((app) =>
    Object.entries(app.units ?? {}).map(
      ([n, u]) => `${n} ${u['workload-status'].current} "${u['workload-status'].message}"`,
    ),
  );
  return lines.join('; ') || 'no units';
}

/** debug-log's last failed hooks: where a hook's error (a throw, a command's stderr) shows. */
async function hookErrors(): Promise<string> {
  const r = await rune('debug-log', '--replay', '--no-tail');
  const lines = r.out.split('\n').filter((l) => /\berror\b|failed/i.test(l));
  return tail(lines.map((l) => (l.length > 300 ? `${l.slice(0, 300)}...` : l)).join('\n'), 3);
}

export async function runeHalf(): Promise<Half<RuneFigures>> {
  const home = mkdtempSync(join(tmpdir(), 'rune-bench-home-'));
  const certs = mkdtempSync(join(tmpdir(), 'rune-bench-certs-'));
  const previousHome = process.env.RUNE_HOME;
  process.env.RUNE_HOME = home;
  let bootstrapped = false;
  try {
    const b = await rune('bootstrap', 'local', NAME);
    if (b.code !== 0) throw new Error(`bootstrap exited ${b.code}: ${tail(b.out, 3)}`);
    bootstrapped = true;

    const started = Date.now();
    const d = await rune('deploy', join(packageRoot(), 'bundles', 'etcd.yaml'), '--wait=10m');
    // --wait exits 1 as soon as a unit is in error, but hooks are retried with backoff: give
    // a failed deploy a minute to converge before calling it failed.
    const deadline = Date.now() + (d.code === 0 ? 300_000 : 60_000);
    let s = await status();
    while (!healthy(s)) {
      if (Date.now() > deadline) {
        const why = d.code === 0 ? 'not healthy in 5 min' : `deploy exited ${d.code}`;
        const log = await hookErrors();
        throw new Error(`${why}: ${describeUnits(s)}${log ? `\ndebug-log:\n${log}` : ''}`);
      }
      await sleep(100);
      s = await status();
    }
    // When the last unit turned healthy, as the controller stamped it: polling granularity (and
    // this loop's own status calls) stay out of the figure.
    const healthyAt = Math.max(
      ...etcdUnits(s).map(([, u]) => Date.parse(u['workload-status'].since ?? '')),
    );
    const totalMs = (Number.isFinite(healthyAt) ? healthyAt : Date.now()) - started;
    const startedAt = Object.values(s.machines)
      .map((m) => Date.parse(m['machine-status'].since ?? ''))
      .filter((t) => Number.isFinite(t));
    const machinesReady = startedAt.length > 0 ? Math.max(...startedAt) : undefined;

    // The certificates the etcd charm delivered to its unit, fetched as an operator would.
    const machine = etcdUnits(s)[0]?.[1].machine;
    if (machine === undefined) throw new Error('no etcd unit has a machine');
    for (const file of ['ca.crt', 'client.crt', 'client.key']) {
      const r = await rune('exec', '--machine', machine, '--', `cat /etc/etcd/tls/${file}`);
      if (r.code !== 0) throw new Error(`rune exec cat ${file} exited ${r.code}: ${r.out}`);
      writeFileSync(join(certs, file), r.raw, { mode: 0o600 });
    }
    const addresses = etcdUnits(s).map(([, u]) => u['public-address']);
    const health = await etcdHealth(addresses, certs);
    return {
      ok: true,
      value: { totalMs, machinesMs: machinesReady && machinesReady - started, health },
    };
  } catch (e) {
    return { ok: false, reason: e instanceof Error ? e.message : String(e) };
  } finally {
    // Also after a failed bootstrap: it may have left a controller half made.
    const r = await rune('destroy-controller', NAME, '--yes');
    if (bootstrapped && r.code !== 0) console.error(`cleanup: destroy-controller: ${r.out}`);
    if (previousHome === undefined) delete process.env.RUNE_HOME;
    else process.env.RUNE_HOME = previousHome;
    rmSync(home, { recursive: true, force: true });
    rmSync(certs, { recursive: true, force: true });
  }
}
