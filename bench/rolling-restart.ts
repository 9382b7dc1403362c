// Issue 14 item 3: a change that restarts every etcd member (a config change: snapshot_count),
// rolled with the default policy (one unit at a time, leader last) and all at once
// (`--max-in-flight 100%`, Juju's way), while a client writes and reads back a key every 100 ms
// through all three endpoints. Prints, side by side, failed writes, the longest gap between
// successful writes, and the rollout's wall time. Needs root (local machines).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { destroyBenchController, rune } from './rune-cli.js';
import type { StatusResponse } from '../core/controller/api.js';
import { waitFor } from '../core/controller/wait-for.js';
import { type WriterReport, startEtcdWriter } from '../test/integration/support/etcd-writer.js';

const NAME = 'rolling-restart-bench';
/** Each policy runs this many times, alternating, so drift on the host hits both alike. */
const ROUNDS = 3;
const ELECTION_TIMEOUT_MS = 1_000;

async function must(...argv: string[]): Promise<string> {
  const r = await rune(...argv);
  if (r.code !== 0) throw new Error(`rune ${argv.join(' ')} exited ${r.code}: ${r.out}`);
  return r.out;
}

async function etcdUnits(): Promise<{ address: string; machine: string; ok: boolean }[]> {
  const s = JSON.parse(await must('status', '--format', 'json')) as StatusResponse;
  return Object.values(s.applications?.['etcd']?.units ?? {}).map((u) => ({
    address: u['public-address'] ?? '',
    machine: u.machine ?? '',
    ok: u['workload-status'].current === 'active' && /^Healthy/.test(u['workload-status'].message),
  }));
}

const settled = async () => {
  const listed = await must('rollouts', 'etcd');
  const units = await etcdUnits();
  return !/ (running|halted) /.test(listed) && units.length === 3 && units.every((u) => u.ok);
};

interface Measured {
  policy: string;
  wallMs: number;
  report: WriterReport;
}

async function rollOnce(
  policy: string,
  flags: string[],
  value: number,
  certDir: string,
): Promise<Measured> {
  const endpoints = (await etcdUnits()).map((u) => `https://${u.address}:2379`);
  const writer = startEtcdWriter({ endpoints, certDir });
  let report: WriterReport;
  const started = performance.now();
  let wallMs = 0;
  try {
    await must('config', 'etcd', `snapshot_count=${value}`, ...flags);
    await waitFor('the rollout to finish with three healthy members', settled, {
      timeoutMs: 300_000,
      intervalMs: 100,
    });
    wallMs = performance.now() - started;
  } finally {
    report = await writer.stop();
  }
  return { policy, wallMs, report };
}

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export async function run(): Promise<void> {
  if (process.getuid?.() !== 0) {
    console.log('rolling-restart needs root (local machines); skipped');
    return;
  }
  const home = mkdtempSync(join(tmpdir(), 'rune-bench-rolling-'));
  const certDir = mkdtempSync(join(tmpdir(), 'rune-bench-rolling-certs-'));
  const previousHome = process.env.RUNE_HOME;
  process.env.RUNE_HOME = home;
  try {
    await must('bootstrap', 'local', NAME);
    await must('deploy', 'bundles/etcd.yaml', '--wait=10m');
    await waitFor('three healthy etcd members', settled, { timeoutMs: 300_000 });
    const machine = (await etcdUnits())[0]?.machine ?? '';
    for (const file of ['ca.crt', 'client.crt', 'client.key']) {
      const pem = await must('exec', '--machine', machine, '--', `cat /etc/etcd/tls/${file}`);
      writeFileSync(join(certDir, file), `${pem}\n`, { mode: 0o600 });
    }
    console.log(
      'bundles/etcd.yaml (3 TLS members, local machines); `rune config etcd snapshot_count=N` ' +
        'restarts every member; a client writes and reads back a key every 100 ms through all ' +
        `three endpoints; load average ${loadavg()[0]?.toFixed(2)}`,
    );
    const results: Measured[] = [];
    let value = 6000;
    for (let round = 0; round < ROUNDS; round++) {
      results.push(await rollOnce('default (1 at a time)', [], value++, certDir));
      results.push(
        await rollOnce('--max-in-flight 100%', ['--max-in-flight', '100%'], value++, certDir),
      );
    }
    console.log(
      `  ${'policy'.padEnd(22)} ${'rounds'.padStart(6)} ${'failed'.padStart(6)} ` +
        `${'longest gap'.padStart(11)} ${'wall time'.padStart(9)}`,
    );
    for (const m of results) {
      console.log(
        `  ${m.policy.padEnd(22)} ${String(m.report.rounds).padStart(6)} ` +
          `${String(m.report.failed).padStart(6)} ${`${m.report.longestGapMs} ms`.padStart(11)} ` +
          `${s(m.wallMs).padStart(9)}`,
      );
    }
    const worst = (policy: string) =>
      results
        .filter((m) => m.policy === policy)
        .reduce(
          (a, m) => ({
            failed: Math.max(a.failed, m.report.failed),
            gap: Math.max(a.gap, m.report.longestGapMs),
          }),
          { failed: 0, gap: 0 },
        );
    const rolling = worst('default (1 at a time)');
    const all = worst('--max-in-flight 100%');
    console.log(
      `  worst of ${ROUNDS}: default ${rolling.failed} failed, gap ${rolling.gap} ms ` +
        `(${rolling.gap < ELECTION_TIMEOUT_MS ? 'under' : 'OVER'} the ${ELECTION_TIMEOUT_MS} ms election timeout); ` +
        `all at once ${all.failed} failed, gap ${all.gap} ms ` +
        `(${(all.gap / Math.max(1, rolling.gap)).toFixed(1)}x the default's)`,
    );
    console.log('  (one run on one host; other load on its 2 cores moves these figures)');
  } finally {
    await destroyBenchController(NAME, home, previousHome);
    rmSync(certDir, { recursive: true, force: true });
  }
}
