// etcd disaster recovery on real local machines (issue 15 B4, docs/etcd-disaster-recovery.md):
// bundles/etcd.yaml with keys in it, `rune run etcd/leader snapshot`, `rune scp` of the archive
// to this host, every etcd machine destroyed, a fresh etcd application deployed, the archive
// attached as its `snapshot` resource and `rune run etcd/leader restore`: the leader restores a
// one-member cluster, the followers rejoin, and every key written before the snapshot reads back
// through each of the three members. Its own controller: it destroys machines.
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusResponse } from '../../../core/controller/api.js';
import { waitFor } from '../../../core/controller/wait-for.js';
import { runCli } from '../../core/cli/run-cli.js';
import { rolloutsFinished } from '../support/rollouts.js';

if (process.getuid?.() !== 0) {
  throw new Error('test/integration/charms/etcd-recovery.test.ts needs root (local machines)');
}

const LONG = 900_000;
const KEYS = 25;
let home: string;
let work: string;
const previousHome = process.env.RUNE_HOME;
const started = Date.now();
const timeline: string[] = [];

/** Notes when a step ended, for the timeline printed at the end. */
function mark(step: string): void {
  timeline.push(`${((Date.now() - started) / 1000).toFixed(1).padStart(7)} s  ${step}`);
}

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'rune-home-'));
  work = mkdtempSync(join(tmpdir(), 'rune-etcd-dr-'));
  process.env.RUNE_HOME = home;
  expect((await runCli('bootstrap', 'local', 'etcddr')).code).toBe(0);
  mark('controller bootstrapped');
});

afterAll(async () => {
  console.log(`etcd disaster recovery timeline:\n${timeline.join('\n')}`);
  await runCli('destroy-controller', 'etcddr', '--yes');
  if (previousHome === undefined) delete process.env.RUNE_HOME;
  else process.env.RUNE_HOME = previousHome;
});

async function status(): Promise<StatusResponse> {
  return JSON.parse((await runCli('status', '--format', 'json')).out.join('\n')) as StatusResponse;
}

type Unit = { name: string; workload: string; message: string; address: string; machine: string };

async function etcdUnits(): Promise<Unit[]> {
  const units = (await status()).applications?.['etcd']?.units ?? {};
  return Object.entries(units).map(([name, u]) => ({
    name,
    workload: u['workload-status'].current,
    message: u['workload-status'].message,
    address: u['public-address'],
    machine: u.machine ?? '',
  }));
}

/** True once three etcd units say "Healthy with 3 known peers"; until then throws what they say. */
async function threeHealthy(): Promise<true> {
  const units = await etcdUnits();
  const ok =
    units.length === 3 &&
    units.every((u) => u.workload === 'active' && u.message === 'Healthy with 3 known peers');
  if (ok) return true;
  throw new Error(units.map((u) => `${u.name} ${u.workload} "${u.message}"`).join('; ') || 'none');
}

/** The shared client certificate and CA as the charm wrote them on machine `machine`. */
async function fetchCerts(machine: string): Promise<string> {
  const dir = mkdtempSync(join(work, 'certs-'));
  for (const file of ['ca.crt', 'client.crt', 'client.key']) {
    const r = await runCli('exec', '--machine', machine, '--', `cat /etc/etcd/tls/${file}`);
    expect(r.code, file).toBe(0);
    writeFileSync(join(dir, file), r.stdout, { mode: 0o600 });
  }
  return dir;
}

/** The host's etcdctl through `endpoints` with the certificates in `certs`. */
function etcdctl(certs: string, endpoints: string[], ...args: string[]): string {
  const r = spawnSync(
    'etcdctl',
    [
      `--endpoints=${endpoints.join(',')}`,
      `--cacert=${join(certs, 'ca.crt')}`,
      `--cert=${join(certs, 'client.crt')}`,
      `--key=${join(certs, 'client.key')}`,
      ...args,
    ],
    { env: { ...process.env, ETCDCTL_API: '3' }, encoding: 'utf8', timeout: 30_000 },
  );
  if (r.status !== 0) throw new Error(`etcdctl ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

const urls = (units: Unit[]) => units.map((u) => `https://${u.address}:2379`);

/** `rune run ... --wait`: the exit code and the results it printed. */
async function runAction(
  ...args: string[]
): Promise<{ code: number; results: Map<string, string>; text: string }> {
  const r = await runCli('run', ...args, '--wait=10m');
  const text = [...r.out, ...r.err].join('\n');
  const results = new Map<string, string>();
  for (const line of r.out) {
    const m = /^ {4}([\w-]+): (.*)$/.exec(line);
    if (m) results.set(m[1] ?? '', m[2] ?? '');
  }
  return { code: r.code, results, text };
}

let certs: string;
let snapshot: { file: string; sha256: string };
const expected = new Map<string, string>();

describe('etcd disaster recovery on local machines', () => {
  it(
    'deploys bundles/etcd.yaml and writes keys',
    async () => {
      const r = await runCli('deploy', 'bundles/etcd.yaml', '--wait=10m');
      expect(r.code, r.err.join('\n')).toBe(0);
      await waitFor('three healthy etcd members', threeHealthy, { timeoutMs: 300_000 });
      mark('bundles/etcd.yaml deployed, three members healthy');
      const units = await etcdUnits();
      certs = await fetchCerts(units[0]?.machine ?? '');
      for (let i = 0; i < KEYS; i++) {
        const key = `rune/dr/key-${String(i).padStart(2, '0')}`;
        expected.set(key, `value ${i} ${'x'.repeat(i)}`);
        etcdctl(certs, urls(units), 'put', key, expected.get(key) ?? '');
      }
      mark(`${KEYS} keys written`);
    },
    LONG,
  );

  it(
    'snapshots on the leader, and rune scp brings the archive to this host intact',
    async () => {
      const snap = await runAction('etcd/leader', 'snapshot');
      expect(snap.code, snap.text).toBe(0);
      const path = snap.results.get('path') ?? '';
      const sha256 = snap.results.get('sha256') ?? '';
      expect(path).toMatch(/^\/var\/backups\/etcd\/etcd-snapshot-[\d.-]+\.tar\.gz$/);
      // The result says how to fetch it; that is what the operator runs.
      const copy = snap.results.get('copy') ?? '';
      expect(copy).toMatch(new RegExp(`^rune scp etcd/\\d+:${path.replace(/[.]/g, '\\.')} \\.$`));
      mark('snapshot action completed');
      // Written after the snapshot: the restore must not bring it back.
      etcdctl(certs, urls(await etcdUnits()), 'put', 'rune/dr/after-snapshot', 'lost');
      const words = copy.split(' ');
      const r = await runCli('scp', words[2] ?? '', work);
      expect(r.code, r.err.join('\n')).toBe(0);
      const file = join(work, readdirSync(work).find((f) => f.startsWith('etcd-snapshot-')) ?? '');
      expect(createHash('sha256').update(readFileSync(file)).digest('hex')).toBe(sha256);
      snapshot = { file, sha256 };
      mark('rune scp fetched the snapshot to the host, sha256 as the action said');
    },
    LONG,
  );

  it(
    'loses every etcd machine and deploys a fresh etcd application',
    async () => {
      const machines = (await etcdUnits()).map((u) => u.machine);
      expect((await runCli('remove-application', 'etcd', '--force')).code).toBe(0);
      const removed = await runCli('remove-machine', ...machines, '--force');
      expect(removed.code, removed.err.join('\n')).toBe(0);
      await waitFor(
        'etcd and its machines to be gone',
        async () => {
          const s = await status();
          if (s.applications?.['etcd'] !== undefined) throw new Error('etcd still in the model');
          const left = machines.filter((m) => s.machines[m] !== undefined);
          if (left.length > 0) throw new Error(`machines ${left.join(', ')} remain`);
          return true;
        },
        { timeoutMs: 300_000 },
      );
      mark(`etcd removed and machines ${machines.join(', ')} destroyed`);
      expect((await runCli('deploy', 'etcd', '-n', '3')).code).toBe(0);
      expect((await runCli('relate', 'etcd', 'easyrsa')).code).toBe(0);
      await waitFor('a fresh three-member etcd', threeHealthy, { timeoutMs: 600_000 });
      mark('fresh etcd deployed and related to easyrsa, three members healthy');
      const units = await etcdUnits();
      expect(units.some((u) => machines.includes(u.machine))).toBe(false);
      certs = await fetchCerts(units[0]?.machine ?? '');
      expect(etcdctl(certs, urls(units), 'get', 'rune/dr/', '--prefix', '--keys-only')).toBe('');
    },
    LONG,
  );

  it(
    'refuses a corrupt snapshot, uploaded with rune scp, changing nothing',
    async () => {
      const bad = join(work, 'corrupt.tar.gz');
      writeFileSync(bad, Buffer.alloc(64 * 1024, 0x5a));
      expect((await runCli('scp', bad, 'etcd/leader:/root/')).code).toBe(0);
      const r = await runAction('etcd/leader', 'restore', 'snapshot=/root/corrupt.tar.gz');
      expect(r.code).toBe(1);
      expect(r.text).toMatch(
        /cannot restore \/root\/corrupt\.tar\.gz: it is not an etcd snapshot .*; nothing was changed/,
      );
      await threeHealthy();
      mark('a corrupt snapshot was refused; the cluster untouched');
    },
    LONG,
  );

  it(
    'restores from the snapshot attached as a resource: every key reads back through all three members',
    async () => {
      const attach = await runCli(
        'attach-resource',
        'etcd',
        `snapshot=${snapshot.file}`,
        '--max-in-flight',
        '100%',
      );
      expect(attach.code, attach.err.join('\n')).toBe(0);
      await rolloutsFinished('etcd');
      mark("snapshot attached as the etcd application's resource");
      const restoreStarted = new Date().toISOString();
      const r = await runAction('etcd/leader', 'restore', `sha256=${snapshot.sha256}`);
      expect(r.code, r.text).toBe(0);
      console.log(r.text);
      expect(r.results.get('sha256')).toBe(snapshot.sha256);
      expect(Number(r.results.get('keys'))).toBe(KEYS);
      expect(r.results.get('rejoining')).toMatch(/^etcd\/\d+, etcd\/\d+$/);
      mark(
        `restore action completed: ${r.results.get('keys')} keys at revision ${r.results.get('revision')}`,
      );
      await waitFor('the followers to rejoin the restored cluster', threeHealthy, {
        timeoutMs: 300_000,
      });
      mark('followers rejoined: three members healthy');
      console.log(
        `etcd hooks from the restore on:\n${(await hooksSince(restoreStarted)).join('\n')}`,
      );

      const units = await etcdUnits();
      const members = etcdctl(certs, urls(units), 'member', 'list').trim().split('\n');
      console.log(members.join('\n'));
      expect(members).toHaveLength(3);
      for (const line of members) expect(line).toMatch(/, started, /);
      for (const endpoint of urls(units)) {
        // Serializable: the member answers from its own copy, not through the raft leader.
        const got = etcdctl(
          certs,
          [endpoint],
          'get',
          'rune/dr/',
          '--prefix',
          '--consistency=s',
          '-w',
          'json',
        );
        const kvs = (JSON.parse(got) as { kvs?: { key: string; value: string }[] }).kvs ?? [];
        const read = new Map(
          kvs.map((kv) => [
            Buffer.from(kv.key, 'base64').toString(),
            Buffer.from(kv.value, 'base64').toString(),
          ]),
        );
        // Every key from before the snapshot, and not the one written after it.
        expect(read, endpoint).toEqual(expected);
      }
      mark('every key read back through each of the three members');
    },
    LONG,
  );
});

/** Each etcd hook and action started at or after `since`, with what it logged about members. */
async function hooksSince(since: string): Promise<string[]> {
  const r = await runCli('debug-log', '--replay', '--format', 'json', '--no-tail');
  type Entry = {
    unit: string;
    hook: string;
    started: string;
    ended: string;
    logs: { message: string }[];
  };
  return r.out
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Entry)
    .filter((e) => e.unit.startsWith('etcd/') && e.started >= since)
    .map((e) => {
      const said = e.logs.map((l) => l.message).filter((m) => /member|restored|left/.test(m));
      return `${e.started.slice(11, 23)} ${e.ended.slice(11, 23)} ${e.unit} ${e.hook}${said.length > 0 ? `: ${said.join('; ')}` : ''}`;
    });
}
