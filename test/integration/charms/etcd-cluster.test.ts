// bundles/etcd.yaml on four local machines, for real (issue 5): easyrsa's CA, three etcd members
// with TLS for clients and peers, and the host's etcdctl checking every member's health with the
// certificates Rune delivered to the units. Then scaling: two more members join one at a time,
// two leave with nothing stale left behind, and data written before survives it all. Last, the
// day-2 changes that restart every member (a new charm revision, a config change) roll one unit
// at a time while a client writes every 100 ms, and no write fails (issue 14). Once deployed, the
// store files hold no private key in the clear (issue 15).
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusResponse } from '../../../core/controller/api.js';
import { waitFor } from '../../../core/controller/wait-for.js';
import { runCli } from '../../core/cli/run-cli.js';
import { rolloutsFinished } from '../support/rollouts.js';
import { type WriterReport, startEtcdWriter } from '../support/etcd-writer.js';

if (process.getuid?.() !== 0) {
  throw new Error('test/integration/charms/etcd-cluster.test.ts needs root (local machines)');
}

let home: string;
let certs: string;
const previousHome = process.env.RUNE_HOME;

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'rune-home-'));
  certs = mkdtempSync(join(tmpdir(), 'rune-certs-'));
  process.env.RUNE_HOME = home;
  expect((await runCli('bootstrap', 'local', 'etcd')).code).toBe(0);
});

afterAll(async () => {
  await runCli('destroy-controller', 'etcd', '--yes');
  if (previousHome === undefined) delete process.env.RUNE_HOME;
  else process.env.RUNE_HOME = previousHome;
});

async function status(): Promise<StatusResponse> {
  return JSON.parse((await runCli('status', '--format', 'json')).out.join('\n')) as StatusResponse;
}

/** unit → [workload, message, address] */
async function units(app: string): Promise<Record<string, [string, string, string]>> {
  const s = await status();
  return Object.fromEntries(
    Object.entries(s.applications?.[app]?.units ?? {}).map(([name, u]) => [
      name,
      [u['workload-status'].current, u['workload-status'].message, u['public-address'] ?? ''],
    ]),
  );
}

/** True once n etcd units are all "Healthy with n known peers"; until then it throws what each
 * unit says, which a timed-out waitFor reports. */
const allHealthy = async (n: number) => {
  const now = Object.entries(await units('etcd'));
  const healthy =
    now.length === n &&
    now.every(([, [w, m]]) => w === 'active' && m === `Healthy with ${n} known peers`);
  if (healthy) return true;
  throw new Error(now.map(([unit, [w, m]]) => `${unit} ${w} "${m}"`).join('; ') || 'no units');
};

/** The client certificate, key and CA as the charm wrote them on an etcd unit's machine. */
async function fetchCerts(machine: string): Promise<void> {
  for (const file of ['ca.crt', 'client.crt', 'client.key']) {
    const r = await runCli('exec', '--machine', machine, '--', `cat /etc/etcd/tls/${file}`);
    expect(r.code, file).toBe(0);
    writeFileSync(join(certs, file), r.stdout, { mode: 0o600 });
  }
}

async function endpoints(): Promise<string> {
  return Object.values(await units('etcd'))
    .map(([, , address]) => `https://${address}:2379`)
    .sort()
    .join(',');
}

/** stdout and stderr together: etcdctl prints health results on stderr. */
function etcdctl(endpointList: string, ...args: string[]): string {
  const r = spawnSync(
    'etcdctl',
    [
      `--endpoints=${endpointList}`,
      `--cacert=${join(certs, 'ca.crt')}`,
      `--cert=${join(certs, 'client.crt')}`,
      `--key=${join(certs, 'client.key')}`,
      ...args,
    ],
    { env: { ...process.env, ETCDCTL_API: '3' }, encoding: 'utf8', timeout: 30_000 },
  );
  if (r.status !== 0) throw new Error(`etcdctl ${args.join(' ')} failed: ${r.stderr}`);
  return `${r.stdout}${r.stderr}`;
}

/** Deploys and scaling wait on real hooks on real machines; each wait has its own deadline. */
const LONG = 600_000;

describe('bundles/etcd.yaml on local machines', () => {
  it(
    'deploys: easyrsa active, three etcd members healthy',
    async () => {
      const started = Date.now();
      const r = await runCli('deploy', 'bundles/etcd.yaml', '--wait=10m');
      expect(r.code, r.err.join('\n')).toBe(0);
      await waitFor('three healthy etcd members', () => allHealthy(3), { timeoutMs: 300_000 });
      console.log(
        `etcd.yaml deployed and healthy in ${((Date.now() - started) / 1000).toFixed(1)} s`,
      );
      expect(Object.values(await units('easyrsa'))).toEqual([
        ['active', 'Certificate Authority connected.', expect.any(String)],
      ]);
    },
    LONG,
  );

  it("keeps easyrsa's CA key and etcd's client keys out of the store files, all 0600", () => {
    // Issue 15 item 6: `grep -c 'PRIVATE KEY' store.db*` is 0 while the controller runs.
    const dir = join(home, 'controllers', 'etcd');
    const files = readdirSync(dir).filter((f) => f.startsWith('store.db'));
    expect(files).toContain('store.db');
    for (const f of files) {
      const text = readFileSync(join(dir, f)).toString('latin1');
      expect([f, (statSync(join(dir, f)).mode & 0o777).toString(8)]).toEqual([f, '600']);
      expect([f, text.split('PRIVATE KEY').length - 1]).toEqual([f, 0]);
    }
  });

  it(
    'answers etcdctl endpoint health on every member with the certificates Rune delivered',
    async () => {
      await fetchCerts('1');
      const list = await endpoints();
      const out = etcdctl(list, 'endpoint', 'health');
      console.log(out.trim());
      for (const url of list.split(','))
        expect(out).toMatch(new RegExp(`${url.replace(/[.]/g, '\\.')} is healthy`));
      // Without the client certificate the cluster refuses: client-cert-auth is on.
      expect(() =>
        execFileSync(
          'etcdctl',
          [`--endpoints=${list}`, `--cacert=${join(certs, 'ca.crt')}`, 'endpoint', 'health'],
          { env: { ...process.env, ETCDCTL_API: '3' }, stdio: 'pipe', timeout: 30_000 },
        ),
      ).toThrow();
      etcdctl(list, 'put', 'rune/before-scaling', 'kept');
    },
    LONG,
  );

  it(
    'grows to five members with add-unit, one join at a time',
    async () => {
      expect((await runCli('add-unit', 'etcd', '-n', '2')).code).toBe(0);
      await waitFor('five healthy etcd members', () => allHealthy(5), { timeoutMs: 300_000 });
      const members = etcdctl(await endpoints(), 'member', 'list');
      expect(members.trim().split('\n')).toHaveLength(5);
      expect(members).not.toMatch(/unstarted/);
      expect(
        etcdctl(await endpoints(), 'get', 'rune/before-scaling', '--print-value-only').trim(),
      ).toBe('kept');
    },
    LONG,
  );

  it(
    'shrinks back to three with remove-unit, leaving no stale member',
    async () => {
      expect((await runCli('remove-unit', 'etcd/3', 'etcd/4')).code).toBe(0);
      await waitFor('three healthy etcd members again', () => allHealthy(3), {
        timeoutMs: 300_000,
      });
      const list = await endpoints();
      const members = etcdctl(list, 'member', 'list');
      expect(members.trim().split('\n')).toHaveLength(3);
      expect(members).not.toMatch(/etcd-3|etcd-4/);
      expect(etcdctl(list, 'get', 'rune/before-scaling', '--print-value-only').trim()).toBe('kept');
    },
    LONG,
  );

  it(
    'refresh to a charm revision that restarts etcd rolls one member at a time, leader last, and no write fails',
    async () => {
      // A copy of the charms folder as an author's working tree would be, whose etcd service
      // gains an environment variable: a new definition, so every member restarts.
      const copy = mkdtempSync(join(tmpdir(), 'rune-etcd-refresh-'));
      cpSync('charms', copy, { recursive: true });
      const service = join(copy, 'etcd', 'service.ts');
      const code = readFileSync(service, 'utf8');
      const from = 'const environment = etcdEnvironment(env.arch);';
      expect(code).toContain(from);
      writeFileSync(
        service,
        code.replace(from, "const environment = { ...etcdEnvironment(env.arch), RUNE_REV: '2' };"),
      );
      const rolled = await rollWhileWriting(() =>
        runCli('refresh', 'etcd', '--path', join(copy, 'etcd')),
      );
      expect((await status()).applications?.etcd?.['charm-rev']).toBe(2);
      expectZeroDowntime(rolled);
    },
    LONG,
  );

  it(
    'a config change that restarts every member rolls the same way, and no write fails',
    async () => {
      const rolled = await rollWhileWriting(() => runCli('config', 'etcd', 'snapshot_count=5000'));
      expect((await runCli('config', 'etcd', 'snapshot_count')).out).toEqual(['5000']);
      expectZeroDowntime(rolled);
    },
    LONG,
  );

  it(
    'a member whose machine dies shows lost, is replaced after the grace, and the cluster is whole again',
    async () => {
      etcdctl(await endpoints(), 'put', 'rune/before-loss', 'kept');
      expect((await runCli('model-config', 'resurrect-grace=5s')).code).toBe(0);
      const s = await status();
      const etcdUnits = Object.entries(s.applications?.etcd?.units ?? {});
      const [victim, unit] = etcdUnits.find(([, u]) => u.leader !== true) ?? ['', undefined];
      const machine = s.machines[unit?.machine ?? ''];
      const netns = machine?.['instance-id'] ?? '';
      expect(netns).toMatch(/^rune-/);
      // The machine dies as a host would: every process in it killed, its namespace gone.
      const killed = Date.now();
      const pids = execFileSync('ip', ['netns', 'pids', netns], { encoding: 'utf8' })
        .split('\n')
        .filter(Boolean);
      for (const pid of pids) spawnSync('kill', ['-9', pid]);
      execFileSync('ip', ['netns', 'del', netns]);
      await waitFor(
        `${victim} to show lost`,
        async () => (await units('etcd'))[victim]?.[0] === 'unknown',
        { timeoutMs: 15_000, intervalMs: 200 },
      );
      const lostAfter = Date.now() - killed;
      await waitFor(
        `${victim} replaced`,
        async () =>
          !(victim in (await units('etcd'))) && Object.keys(await units('etcd')).length === 3,
        { timeoutMs: 120_000 },
      );
      const replacedAfter = Date.now() - killed;
      await waitFor('three healthy etcd members', () => allHealthy(3), { timeoutMs: 300_000 });
      const healthyAfter = Date.now() - killed;
      const list = await endpoints();
      const members = etcdctl(list, 'member', 'list');
      expect(members.trim().split('\n')).toHaveLength(3);
      expect(members).not.toMatch(new RegExp(`${victim.replace('/', '-')},`));
      expect(members).not.toMatch(/unstarted/);
      expect(etcdctl(list, 'get', 'rune/before-loss', '--print-value-only').trim()).toBe('kept');
      console.log(
        `${victim} on machine ${unit?.machine} killed; lost after ${(lostAfter / 1000).toFixed(1)} s, ` +
          `replaced after ${(replacedAfter / 1000).toFixed(1)} s (grace 5 s), three healthy members ` +
          `after ${(healthyAfter / 1000).toFixed(1)} s; now ${Object.keys(await units('etcd')).join(', ')}`,
      );
    },
    LONG,
  );
});

interface Rolled {
  report: WriterReport;
  /** `unit hook` for each upgrade-charm and config-changed the change ran, in order. */
  moves: string[];
  /** The units in the order a rollout must take them: followers by number, the leader last. */
  expected: string[];
  /** What the units logged while it rolled. */
  logs: string[];
}

/** Runs `change` while a client writes every 100 ms, and waits until the rollout is done. */
async function rollWhileWriting(change: () => ReturnType<typeof runCli>): Promise<Rolled> {
  const s = await status();
  const names = Object.keys(s.applications?.etcd?.units ?? {});
  const leader = names.find((n) => s.applications?.etcd?.units?.[n]?.leader === true);
  const number = (name: string) => Number(name.split('/')[1]);
  const expected = names
    .filter((n) => n !== leader)
    .sort((a, b) => number(a) - number(b))
    .concat(leader ?? []);
  const before = (await hookLog()).length;
  const writer = startEtcdWriter({ endpoints: (await endpoints()).split(','), certDir: certs });
  const started = Date.now();
  let report: WriterReport;
  try {
    const r = await change();
    expect(r.code, r.err.join('\n')).toBe(0);
    await rolloutsFinished('etcd');
    await waitFor('three healthy etcd members', () => allHealthy(3), { timeoutMs: 120_000 });
  } finally {
    report = await writer.stop();
  }
  const ran = (await hookLog()).slice(before).filter((e) => e.unit.startsWith('etcd/'));
  const moves = ran
    .filter((e) => e.hook === 'upgrade-charm' || e.hook === 'config-changed')
    .map((e) => `${e.unit} ${e.hook}`);
  const logs = ran.flatMap((e) => e.logs.map((l) => `${e.unit}: ${l.message}`));
  console.log(
    `rolled in ${((Date.now() - started) / 1000).toFixed(1)} s: ${report.rounds} rounds, ` +
      `${report.failed} failed, longest gap ${report.longestGapMs} ms ending ${report.longestGapEnded}; ` +
      `order ${moves.join(', ')}; ${logs.filter((l) => /leadership/.test(l)).join('; ')}\n` +
      ran.map((e) => `${e.started} ${e.ended} ${e.unit} ${e.hook}`).join('\n'),
  );
  return { report, moves, expected, logs };
}

/** Every member restarted in turn; the cluster never stopped taking writes. */
function expectZeroDowntime({ report, moves, expected, logs }: Rolled): void {
  // The canary first, one unit at a time (each unit's hooks end before the next unit's begin),
  // the leader last.
  const units = moves.map((m) => m.split(' ')[0] ?? '');
  const order = units.filter((u, i) => u !== units[i - 1]);
  expect(order).toEqual(expected);
  // Every member restarts, the etcd leader among them, which hands its leadership on first.
  expect(logs.some((l) => /handed etcd leadership to etcd-\d before restarting/.test(l))).toBe(
    true,
  );
  expect(report.errors).toEqual([]);
  expect(report.failed).toBe(0);
  expect(report.rounds).toBeGreaterThan(20);
  // Under one election timeout (the charm's default, 1000 ms).
  expect(report.longestGapMs).toBeLessThan(1_000);
}

async function hookLog(): Promise<
  {
    unit: string;
    hook: string;
    started: string;
    ended: string;
    logs: { level: string; message: string }[];
  }[]
> {
  const r = await runCli('debug-log', '--replay', '--format', 'json', '--no-tail');
  return r.out.filter(Boolean).map((l) => JSON.parse(l) as never);
}
