// bundles/etcd.yaml on local machines, then its workload broken by hand three ways (issue 15 A3):
// a stopped etcd, a deleted /etc/etcd/tls and a crash loop (another process holds etcd's client
// port). Each time the unit's health checks notice within about one interval (10 s), the
// reconcile they ask for repairs what it can, and the unit is "Healthy" again from the charm
// itself; the crash loop shows its restart count and etcd's last words in the status meanwhile.
// Each test prints its timeline: broken at, status changed at, healthy again at.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusResponse } from '../../../core/controller/api.js';
import { waitFor } from '../../../core/controller/wait-for.js';
import { runCli } from '../../core/cli/run-cli.js';

if (process.getuid?.() !== 0) {
  throw new Error('test/integration/charms/etcd-health.test.ts needs root (local machines)');
}

let home: string;
const previousHome = process.env.RUNE_HOME;
/** The unit each test breaks: a follower, so no test waits on a leader election too. */
let unit = '';
let machine = '';

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'rune-home-'));
  process.env.RUNE_HOME = home;
  expect((await runCli('bootstrap', 'local', 'etcdhc')).code).toBe(0);
  const r = await runCli('deploy', 'bundles/etcd.yaml', '--wait=10m');
  expect(r.code, r.err.join('\n')).toBe(0);
  await waitFor('three healthy etcd members', () => allHealthy(3), { timeoutMs: 300_000 });
  const units = (await status()).applications?.etcd?.units ?? {};
  const follower = Object.entries(units).find(([, u]) => u.leader !== true);
  unit = follower?.[0] ?? '';
  machine = follower?.[1].machine ?? '';
  expect(machine).not.toBe('');
}, 900_000);

afterAll(async () => {
  await runCli('destroy-controller', 'etcdhc', '--yes');
  if (previousHome === undefined) delete process.env.RUNE_HOME;
  else process.env.RUNE_HOME = previousHome;
});

async function status(): Promise<StatusResponse> {
  return JSON.parse((await runCli('status', '--format', 'json')).out.join('\n')) as StatusResponse;
}

/** The unit's workload status as `current "message"`. */
async function workload(name: string): Promise<string> {
  const s = (await status()).applications?.etcd?.units?.[name]?.['workload-status'];
  return `${s?.current} "${s?.message}"`;
}

const HEALTHY_3 = 'active "Healthy with 3 known peers"';

/** True once n etcd units are "Healthy with n known peers"; until then it throws what each says. */
async function allHealthy(n: number): Promise<true> {
  const units = Object.entries((await status()).applications?.etcd?.units ?? {});
  const said = units.map(([name, u]) => [name, u['workload-status']] as const);
  const message = `Healthy with ${n} known peers`;
  if (said.length === n && said.every(([, w]) => w.current === 'active' && w.message === message))
    return true;
  throw new Error(said.map(([name, w]) => `${name} ${w.current} "${w.message}"`).join('; '));
}

async function exec(command: string): Promise<string> {
  const r = await runCli('exec', '--machine', machine, '--', command);
  expect(r.code, `${command}: ${r.stderr.toString()}`).toBe(0);
  return r.stdout.toString();
}

/** Stops the etcd service as an operator would, with whichever service manager runs it. */
const STOP_ETCD =
  'if [ -d /run/systemd/system ]; then systemctl stop rune-etcd; ' +
  'else /bin/sh /usr/local/lib/rune/supervise stop etcd; fi';

interface Timeline {
  broken: number;
  /** When the agent saw a check fail and set the status (the controller logs it then). */
  failed: number;
  failure: string;
  /** Every status other than healthy the unit showed meanwhile, as polled. */
  shown: string[];
  healthy: number;
}

/** The controller log's verdicts on the unit's checks from `since` on: [time, what]. */
function verdicts(since: number): (readonly [number, string])[] {
  const log = readFileSync(join(home, 'controllers', 'etcdhc', 'controller.log'), 'utf8');
  return log
    .split('\n')
    .filter((l) => l.includes(`${unit}: health check`))
    .map((l) => [Date.parse(l.slice(0, l.indexOf(' '))), l.slice(l.indexOf(': ') + 2)] as const)
    .filter(([at]) => at >= since);
}

/**
 * Waits for a check of the unit to fail (the controller's log says when: the status is set in
 * the same step), then for all three members to be healthy again. The status is polled all the
 * while: a repair can take about a second, shorter than one `rune status` round on a loaded host,
 * so the polled statuses are what was seen, and the log is the clock.
 */
async function throughRepair(broken: number): Promise<Timeline> {
  const shown: string[] = [];
  let polling = true;
  const poller = (async () => {
    while (polling) {
      const now = await workload(unit);
      if (now !== HEALTHY_3 && !shown.includes(now)) shown.push(now);
    }
  })();
  try {
    const [failed, failure] = await waitFor(
      `a health check of ${unit} to fail`,
      () => {
        const failing = verdicts(broken).find(([, what]) => / failed: /.test(what));
        if (failing) return failing;
        throw new Error(`the controller logged nothing of ${unit}'s checks`);
      },
      { timeoutMs: 120_000, intervalMs: 50 },
    );
    await waitFor('three healthy etcd members again', () => allHealthy(3), { timeoutMs: 180_000 });
    return { broken, failed, failure, shown, healthy: Date.now() };
  } finally {
    polling = false;
    await poller;
  }
}

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** The hooks `unit` ran from `since` on, as seconds after it: the reconciles the checks asked for. */
async function hooksSince(since: number): Promise<string> {
  const r = await runCli('debug-log', '--replay', '--format', 'json', '--no-tail');
  return r.out
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { unit: string; hook: string; started: string; ended: string })
    .filter((e) => e.unit === unit && Date.parse(e.started) >= since)
    .map(
      (e) =>
        `${e.hook} ${secs(Date.parse(e.started) - since)}-${secs(Date.parse(e.ended) - since)}`,
    )
    .join(', ');
}

/** The verdicts and hooks after `since`, as seconds after it. */
async function events(since: number): Promise<string> {
  const checks = verdicts(since).map(([at, what]) => `${secs(at - since)} ${what}`);
  return `checks: ${checks.join('; ')}; hooks: ${await hooksSince(since)}`;
}

async function print(what: string, t: Timeline): Promise<void> {
  console.log(
    `${what} on ${unit} (machine ${machine}): broken at 0 s, check failed and status set at ` +
      `${secs(t.failed - t.broken)}, healthy again at ${secs(t.healthy - t.broken)}; ` +
      `statuses seen: ${t.shown.join(', ') || 'none between two polls'}; ${await events(t.broken)}`,
  );
}

describe('etcd health checks on local machines', () => {
  it('a stopped etcd: not "Healthy" within ~10 s, restarted by the reconcile, active again', async () => {
    // The clock starts before the stop: the agent may notice while the command still runs.
    const broken = Date.now();
    await exec(STOP_ETCD);
    const t = await throughRepair(broken);
    await print('etcd stopped', t);
    expect(t.failure).toMatch(/^health check etcd(-service)? failed: /);
    // One interval (10 s) and the time to ask, with room for a loaded host.
    expect(t.failed - t.broken).toBeLessThan(20_000);
    for (const seen of t.shown) expect(seen).toMatch(/^maintenance "health check etcd/);
    expect(await exec('/bin/sh /usr/local/lib/rune/supervise status etcd')).toMatch(/^pid=\d+$/m);
  }, 300_000);

  it('rm -rf /etc/etcd/tls: the files are put back and the member is healthy again', async () => {
    const broken = Date.now();
    await exec('rm -rf /etc/etcd/tls');
    const t = await throughRepair(broken);
    await print('/etc/etcd/tls deleted', t);
    expect(t.failure).toMatch(/^health check etcd failed: .*no such file or directory/);
    expect(t.failed - t.broken).toBeLessThan(20_000);
    for (const seen of t.shown) expect(seen).toMatch(/^maintenance "health check etcd/);
    expect(await exec('ls /etc/etcd/tls')).toBe(
      'ca.crt\nclient.crt\nclient.key\nserver.crt\nserver.key\n',
    );
  }, 300_000);

  it('a crash loop shows its restart count and etcd’s last words; healthy once the port is free', async () => {
    // Another program takes etcd's client port while etcd is down: each start fails to bind,
    // the supervisor restarts it with backoff, and no reconcile can fix that by itself.
    const squat =
      'import socket,time\ns=socket.socket()\n' +
      // etcd's closed connections linger in TIME_WAIT on its port.
      's.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1)\n' +
      's.bind(("0.0.0.0",2379))\ns.listen()\ntime.sleep(900)';
    await exec(
      `${STOP_ETCD} && setsid -f sh -c 'echo $$ >/run/port-squatter.pid; exec /usr/bin/python3 -c "$0"' ` +
        `'${squat}' >/dev/null 2>&1 </dev/null && ` +
        `w=0; until ss -Hltnp 'sport = :2379' | grep -q python || [ $w -ge 100 ]; do ` +
        `w=$((w+1)); sleep 0.05; done; ss -Hltnp 'sport = :2379' | grep -q python`,
    );
    const broken = Date.now();
    let seen = '';
    await waitFor(
      `${unit}'s status to show etcd's restarts and why it exits`,
      async () => {
        seen = await workload(unit);
        if (/\d+ restarts?/.test(seen) && /address already in use/.test(seen)) return true;
        throw new Error(seen);
      },
      { timeoutMs: 120_000, intervalMs: 100 },
    );
    const shown = Date.now();
    console.log(`crash loop status on ${unit} after ${secs(shown - broken)}: ${seen}`);
    expect(seen).toMatch(/^maintenance "health check etcd-service failed: service etcd /);
    // The squatter goes (by its pid): etcd's next restart binds, and the checks pass again.
    await exec('kill "$(cat /run/port-squatter.pid)" && rm -f /run/port-squatter.pid');
    const freed = Date.now();
    await waitFor('three healthy etcd members again', () => allHealthy(3), { timeoutMs: 180_000 });
    console.log(
      `crash loop on ${unit}: broken at 0 s, restarts and log in status at ` +
        `${secs(shown - broken)}, port freed at ${secs(freed - broken)}, healthy again at ` +
        `${secs(Date.now() - broken)}; ${await events(broken)}`,
    );
  }, 400_000);
});
