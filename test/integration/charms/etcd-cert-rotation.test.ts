// Certificate renewal and CA rotation on a real etcd cluster (issue 15 item 5): bundles/etcd.yaml
// on four local machines, a client writing every 100 ms through rotate-certs, rotate-ca and
// automatic renewal of two-minute leaves; no write fails, members restart one at a time, and at
// the end the new client certificate works while one signed by the old CA is refused.
import { X509Certificate } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusResponse } from '../../../core/controller/api.js';
import { waitFor } from '../../../core/controller/wait-for.js';
import { runCli } from '../../core/cli/run-cli.js';
import { rolloutsFinished } from '../support/rollouts.js';
import { type EtcdWriter, type WriterReport, startEtcdWriter } from '../support/etcd-writer.js';

if (process.getuid?.() !== 0) {
  throw new Error('test/integration/charms/etcd-cert-rotation.test.ts needs root (local machines)');
}

let home: string;
let work: string;
const previousHome = process.env.RUNE_HOME;

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'rune-home-'));
  work = mkdtempSync(join(tmpdir(), 'rune-certrot-'));
  process.env.RUNE_HOME = home;
  expect((await runCli('bootstrap', 'local', 'certrot')).code).toBe(0);
});

afterAll(async () => {
  await runCli('destroy-controller', 'certrot', '--yes');
  if (previousHome === undefined) delete process.env.RUNE_HOME;
  else process.env.RUNE_HOME = previousHome;
});

const LONG = 900_000;

async function status(): Promise<StatusResponse> {
  return JSON.parse((await runCli('status', '--format', 'json')).out.join('\n')) as StatusResponse;
}

async function unitsOf(app: string) {
  return Object.entries((await status()).applications?.[app]?.units ?? {});
}

/** Three members healthy, none waiting for a restart turn, easyrsa done rotating. */
async function settled(): Promise<true> {
  const etcd = await unitsOf('etcd');
  const easyrsa = await unitsOf('easyrsa');
  const all = [...etcd, ...easyrsa].map(([n, u]) => `${n} "${u['workload-status'].message}"`);
  const ok =
    etcd.length === 3 &&
    etcd.every(([, u]) => u['workload-status'].message === 'Healthy with 3 known peers') &&
    easyrsa.every(([, u]) => u['workload-status'].message === 'Certificate Authority connected.');
  if (ok) return true;
  throw new Error(all.join('; '));
}

async function endpoints(): Promise<string[]> {
  return (await unitsOf('etcd')).map(([, u]) => `https://${u['public-address'] ?? ''}:2379`).sort();
}

async function etcdMachine(): Promise<string> {
  const first = (await unitsOf('etcd')).sort(([a], [b]) => (a < b ? -1 : 1))[0];
  return first?.[1].machine ?? '';
}

/** The CA file and client certificate as the charm wrote them on etcd/0's machine. */
async function unitCerts(): Promise<{ ca: string; cert: string; key: string }> {
  const machine = await etcdMachine();
  const read = async (file: string) => {
    const r = await runCli('exec', '--machine', machine, '--', `cat /etc/etcd/tls/${file}`);
    if (r.code !== 0) throw new Error(`cannot read ${file}: ${r.err.join(' ')}`);
    return r.stdout.toString();
  };
  return {
    ca: await read('ca.crt'),
    cert: await read('client.crt'),
    key: await read('client.key'),
  };
}

const pems = (bundle: string) =>
  bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];

/**
 * A client application that follows its certificates: it writes every 100 ms, and when the
 * client certificate on the unit changes it starts writing with the new one (trusting every CA
 * it has seen) and stops the old writer once the new one has written. Every writer's failures
 * count: the cluster must take every write through the whole change.
 */
function followingWriter(endpointList: string[]) {
  const cas = new Set<string>();
  const reports: WriterReport[] = [];
  let current: { writer: EtcdWriter; cert: string } | undefined;
  let generation = 0;
  let stopping = false;
  let extra = false;
  const start = (certs: { ca: string; cert: string; key: string }) => {
    for (const ca of pems(certs.ca)) cas.add(ca.trim());
    const dir = join(work, `writer-${++generation}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'ca.crt'), [...cas].join('\n') + '\n');
    writeFileSync(join(dir, 'client.crt'), certs.cert);
    writeFileSync(join(dir, 'client.key'), certs.key, { mode: 0o600 });
    // A key per writer: two writers overlap, and each reads back what it wrote.
    return startEtcdWriter({
      endpoints: endpointList,
      certDir: dir,
      key: `rune/writer-${generation}`,
    });
  };
  const follow = (async () => {
    while (!stopping) {
      const certs = await unitCerts().catch(() => undefined);
      const newCas = certs !== undefined && pems(certs.ca).some((ca) => !cas.has(ca.trim()));
      if (certs !== undefined && (current?.cert !== certs.cert || newCas || extra)) {
        extra = false;
        const previous = current;
        current = { writer: start(certs), cert: certs.cert };
        if (previous !== undefined) {
          // Overlap: the old writer keeps writing until the new one has (a real client's
          // reload would swap credentials between two requests).
          await new Promise((r) => setTimeout(r, 1_000));
          reports.push(await previous.writer.stop());
        }
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  })();
  return {
    writers: () => generation,
    /** Trusts one more CA from now on (as a client told of it would), with a new writer. */
    trust(ca: string) {
      cas.add(ca.trim());
      extra = true;
    },
    async stop(): Promise<WriterReport[]> {
      stopping = true;
      await follow;
      if (current !== undefined) reports.push(await current.writer.stop());
      return reports;
    },
  };
}

function expectNoFailedWrite(reports: WriterReport[]): void {
  const failed = reports.reduce((n, r) => n + r.failed, 0);
  const rounds = reports.reduce((n, r) => n + r.rounds, 0);
  console.log(
    `${reports.length} writer(s): ${rounds} rounds, ${failed} failed, longest gaps ` +
      reports.map((r) => `${r.longestGapMs} ms`).join(', '),
  );
  expect(reports.flatMap((r) => r.errors)).toEqual([]);
  expect(failed).toBe(0);
  expect(rounds).toBeGreaterThan(20);
}

/** `unit hook` of every etcd hook that restarted its member, and the times, from debug-log. */
async function restarts(
  since: number,
): Promise<{ unit: string; started: string; ended: string }[]> {
  const r = await runCli('debug-log', '--replay', '--format', 'json', '--no-tail');
  const entries = r.out.filter(Boolean).map(
    (l) =>
      JSON.parse(l) as {
        unit: string;
        started: string;
        ended: string;
        logs: { message: string }[];
      },
  );
  return entries
    .filter((e) => e.unit.startsWith('etcd/') && Date.parse(e.started) >= since)
    .filter((e) => e.logs.some((l) => /for new certificates/.test(l.message)));
}

/** No two etcd restarts overlapped in time. */
function expectOneAtATime(hooks: { unit: string; started: string; ended: string }[]): void {
  const sorted = [...hooks].sort((a, b) => Date.parse(a.started) - Date.parse(b.started));
  console.log(
    `${sorted.length} restarts: ${sorted.map((h) => `${h.unit} ${h.started}`).join(', ')}`,
  );
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1];
    const cur = sorted[i];
    if (prev === undefined || cur === undefined || prev.unit === cur.unit) continue;
    expect(
      Date.parse(cur.started),
      `${cur.unit} began before ${prev.unit} ended`,
    ).toBeGreaterThanOrEqual(Date.parse(prev.ended));
  }
}

function etcdctl(endpointList: string[], dir: string, ...args: string[]) {
  return spawnSync(
    'etcdctl',
    [
      `--endpoints=${endpointList.join(',')}`,
      `--cacert=${join(dir, 'ca.crt')}`,
      `--cert=${join(dir, 'client.crt')}`,
      `--key=${join(dir, 'client.key')}`,
      ...args,
    ],
    { env: { ...process.env, ETCDCTL_API: '3' }, encoding: 'utf8', timeout: 30_000 },
  );
}

function saveCerts(name: string, certs: { ca: string; cert: string; key: string }): string {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'ca.crt'), certs.ca);
  writeFileSync(join(dir, 'client.crt'), certs.cert);
  writeFileSync(join(dir, 'client.key'), certs.key, { mode: 0o600 });
  return dir;
}

/** Runs an easyrsa action on the leader; its output lines. */
async function action(name: string): Promise<string[]> {
  const r = await runCli('run', 'easyrsa/leader', name, '--wait=5m');
  expect(r.code, [...r.out, ...r.err].join('\n')).toBe(0);
  console.log(r.out.join('\n'));
  return r.out;
}

/** A block result (`key: |` and the indented lines under it) from an action's output. */
function blockResult(out: string[], key: string): string {
  const at = out.findIndex((l) => l.trim() === `${key}: |`);
  expect(at, `${key} in ${out.join('\n')}`).toBeGreaterThanOrEqual(0);
  const indent = (out[at] ?? '').indexOf(key) + 2;
  const lines: string[] = [];
  for (const line of out.slice(at + 1)) {
    if (line.trim() !== '' && line.search(/\S/) < indent) break;
    lines.push(line.slice(indent));
  }
  return lines.join('\n');
}

let original: { ca: string; cert: string; key: string };

describe('certificate renewal and CA rotation on a real etcd cluster', () => {
  it(
    'deploys bundles/etcd.yaml',
    async () => {
      expect((await runCli('model-config', 'update-status-hook-interval=15s')).code).toBe(0);
      const r = await runCli('deploy', 'bundles/etcd.yaml', '--wait=10m');
      expect(r.code, r.err.join('\n')).toBe(0);
      await waitFor('a settled cluster', settled, { timeoutMs: 300_000 });
      original = await unitCerts();
    },
    LONG,
  );

  it(
    'rotate-certs: new leaves from the same CA, members restart one at a time, no write fails',
    async () => {
      const since = Date.now();
      const writer = followingWriter(await endpoints());
      let reports: WriterReport[];
      try {
        await action('rotate-certs');
        await waitFor(
          'every member restarted with its new certificate',
          async () => {
            await settled();
            const hooks = await restarts(since);
            const restarted = new Set(hooks.map((h) => h.unit));
            if (restarted.size < 3)
              throw new Error(`restarted so far: ${[...restarted].join(', ')}`);
            return true;
          },
          { timeoutMs: 300_000 },
        );
      } finally {
        reports = await writer.stop();
      }
      expectNoFailedWrite(reports);
      expectOneAtATime(await restarts(since));
      const now = await unitCerts();
      expect(now.ca).toBe(original.ca);
      expect(now.cert).not.toBe(original.cert);
    },
    LONG,
  );

  it(
    'rotate-ca: trust both, reissue, drop the old CA; no write fails; the old CA is refused at the end',
    async () => {
      const since = Date.now();
      const writer = followingWriter(await endpoints());
      let reports: WriterReport[];
      try {
        // The operator hands the new CA to the client outside the model, as BOSH's transitional
        // CA asks: it trusts both before any member presents a certificate from the new one.
        writer.trust(blockResult(await action('rotate-ca'), 'new-ca'));
        await waitFor(
          'the rotation to finish',
          async () => {
            await settled();
            const certs = await unitCerts();
            if (pems(certs.ca).length !== 1 || certs.ca === original.ca) {
              throw new Error(`etcd/0 trusts ${pems(certs.ca).length} CA(s)`);
            }
            return true;
          },
          { timeoutMs: 600_000, intervalMs: 1_000 },
        );
      } finally {
        reports = await writer.stop();
      }
      expectNoFailedWrite(reports);
      expectOneAtATime(await restarts(since));
      const list = await endpoints();
      const fresh = saveCerts('new', await unitCerts());
      const put = etcdctl(list, fresh, 'put', 'rune/after-rotation', 'yes');
      expect(put.status, put.stderr).toBe(0);
      // A client certificate from the old CA: refused by every member now.
      const old = saveCerts('old', { ...original, ca: (await unitCerts()).ca });
      for (const endpoint of list) {
        const refused = etcdctl([endpoint], old, 'get', 'rune/after-rotation');
        expect(refused.status, `${endpoint} accepted the old CA's client certificate`).not.toBe(0);
      }
      expect(new X509Certificate(pems((await unitCerts()).ca)[0] ?? '').subject).not.toBe(
        new X509Certificate(pems(original.ca)[0] ?? '').subject,
      );
    },
    LONG,
  );

  it(
    'two-minute leaves renew by themselves before they expire, and no write fails',
    async () => {
      expect(
        (await runCli('config', 'easyrsa', 'certificate-lifetime=2m', 'renew-before=0.5')).code,
      ).toBe(0);
      // The config reaches easyrsa in a rollout: an action run before it would sign with the
      // old lifetime.
      await rolloutsFinished('easyrsa');
      await action('rotate-certs');
      // Statuses stay healthy throughout: the new leaves on etcd/0's machine say it is done.
      const short = await waitFor(
        'etcd/0 to carry a two-minute client certificate',
        async () => {
          await settled();
          const certs = await unitCerts();
          const left = Date.parse(new X509Certificate(certs.cert).validTo) - Date.now();
          if (left >= 130_000) throw new Error(`its client certificate expires in ${left} ms`);
          return certs;
        },
        { timeoutMs: 300_000, intervalMs: 1_000 },
      );
      const expires = Date.parse(new X509Certificate(short.cert).validTo);
      const since = Date.now();
      const writer = followingWriter(await endpoints());
      let reports: WriterReport[];
      try {
        await waitFor(
          'the client certificate renewed with nobody asking',
          async () => {
            const now = await unitCerts();
            if (now.cert === short.cert) throw new Error('still the first two-minute certificate');
            return settled();
          },
          { timeoutMs: 300_000, intervalMs: 1_000 },
        );
        // Past the first leaves' end: the cluster runs on their successors.
        await waitFor('the first leaves to expire', () => Date.now() > expires + 5_000, {
          timeoutMs: 180_000,
          intervalMs: 1_000,
        });
        await waitFor('a settled cluster', settled, { timeoutMs: 120_000 });
      } finally {
        reports = await writer.stop();
      }
      expectNoFailedWrite(reports);
      expectOneAtATime(await restarts(since));
      const list = await endpoints();
      const put = etcdctl(
        list,
        saveCerts('renewed', await unitCerts()),
        'put',
        'rune/renewed',
        'y',
      );
      expect(put.status, put.stderr).toBe(0);
    },
    LONG,
  );
});
