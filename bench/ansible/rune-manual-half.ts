// The Rune half on pre-made hosts (issue 16 item 8): a manual controller with four hosts added
// through `rune add-machine ssh:root@ADDR` (easyrsa + 3 etcd, as bundles/etcd.yaml asks), all
// before the timer; then `rune deploy bundles/etcd.yaml --wait` timed as a whole process (a node
// of its own, as an operator types it), plus the same `etcdctl endpoint health` from the host.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../core/charm/package-root.js';
import Database from 'better-sqlite3';
import { main } from '../../core/cli/main.js';
import { controllerPaths } from '../../core/controller/paths.js';
import type { StatusResponse } from '../../core/controller/api.js';
import { rune } from '../rune-cli.js';
import { type Breakdown, breakdown, parseHookLog } from './breakdown.js';
import { etcdHealth, type Half, runCommand, tail } from './common.js';
import type { Hosts } from './hosts.js';

export interface RuneManualFigures {
  /** `rune deploy --wait` started → etcdctl endpoint health passed, cert fetching left out. */
  totalMs: number;
  /** The deploy process alone, start to exit. */
  deployMs: number;
  /** Where the time went, from the hook log. */
  breakdown: Breakdown;
  health: string;
}

const NAME = 'etcd-manual-bench';
/** Hosts the deploy needs: easyrsa's and three etcd members'. */
export const RUNE_HOSTS = 4;

const etcdUnits = (s: StatusResponse) => Object.entries(s.applications?.etcd?.units ?? {});

async function status(): Promise<StatusResponse> {
  const r = await rune('status', '--format', 'json');
  if (r.code !== 0) throw new Error(`rune status exited ${r.code}: ${r.out}`);
  return JSON.parse(r.out) as StatusResponse;
}

/** The certificates etcd's charm delivered, fetched as an operator would (not timed). */
async function fetchCerts(machine: string, into: string): Promise<void> {
  for (const file of ['ca.crt', 'client.crt', 'client.key']) {
    const raw: Buffer[] = [];
    const out: string[] = [];
    const code = await main(['exec', '--machine', machine, '--', `cat /etc/etcd/tls/${file}`], {
      out: (l) => out.push(l),
      err: (l) => out.push(l),
      outRaw: (c) => raw.push(c),
      errRaw: () => undefined,
    });
    if (code !== 0) throw new Error(`rune exec cat ${file} exited ${code}: ${out.join('\n')}`);
    writeFileSync(join(into, file), Buffer.concat(raw), { mode: 0o600 });
  }
}

/**
 * When the controller received the deploy and finished applying its plan, from its deploy
 * journal (ModelOperations.deploy stamps both). No API tells these, so the bench reads the
 * store file itself, read-only, after the run; undefined if it cannot.
 */
function deployJournal(file: string): { receivedAt: number; appliedAt: number } | undefined {
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    const row = db
      .prepare('SELECT started_at, finished_at FROM deploy_journal ORDER BY id LIMIT 1')
      .get() as { started_at: string; finished_at: string | null } | undefined;
    if (row?.finished_at == null) return undefined;
    return { receivedAt: Date.parse(row.started_at), appliedAt: Date.parse(row.finished_at) };
  } catch {
    return undefined;
  } finally {
    db?.close();
  }
}

export async function runeManualHalf(hosts: Hosts): Promise<Half<RuneManualFigures>> {
  const home = mkdtempSync(join(tmpdir(), 'rune-bench-home-'));
  const certs = mkdtempSync(join(tmpdir(), 'rune-bench-certs-'));
  const previousHome = process.env.RUNE_HOME;
  process.env.RUNE_HOME = home;
  try {
    const b = await rune('bootstrap', 'manual', NAME);
    if (b.code !== 0) throw new Error(`bootstrap exited ${b.code}: ${tail(b.out, 3)}`);
    for (const address of hosts.addresses) {
      const a = await rune('add-machine', `ssh:root@${address}`, '--private-key', hosts.keyFile);
      if (a.code !== 0) throw new Error(`add-machine ${address} exited ${a.code}: ${a.out}`);
    }

    const bin = join(packageRoot(), 'dist', 'core', 'cli', 'rune.js');
    const bundle = join(packageRoot(), 'bundles', 'etcd.yaml');
    const startedAt = Date.now();
    const d = await runCommand(process.execPath, [bin, 'deploy', bundle, '--wait=10m'], {
      env: { ...process.env, RUNE_HOME: home },
    });
    const deployMs = d.ms;
    if (d.code !== 0) {
      throw new Error(
        `rune deploy --wait exited ${d.code}:\n${tail(`${d.stdout.toString('utf8')}\n${d.stderr}`, 8)}`,
      );
    }

    const s = await status();
    const machine = etcdUnits(s)[0]?.[1].machine;
    if (machine === undefined) throw new Error('no etcd unit has a machine');
    await fetchCerts(machine, certs);
    const addresses = etcdUnits(s).map(([, u]) => u['public-address']);
    const h0 = performance.now();
    const health = await etcdHealth(addresses, certs);
    const totalMs = deployMs + (performance.now() - h0);

    const log = await rune('debug-log', '--replay', '--format', 'json', '--no-tail');
    if (log.code !== 0) throw new Error(`debug-log exited ${log.code}: ${tail(log.out, 3)}`);
    const journal = deployJournal(controllerPaths(home, NAME).store);
    return {
      ok: true,
      value: {
        totalMs,
        deployMs,
        health,
        breakdown: breakdown({
          commandAt: startedAt,
          receivedAt: journal?.receivedAt,
          appliedAt: journal?.appliedAt,
          healthyAt: startedAt + totalMs,
          hooks: parseHookLog(log.out),
        }),
      },
    };
  } catch (e) {
    return { ok: false, reason: e instanceof Error ? e.message : String(e) };
  } finally {
    const r = await rune('destroy-controller', NAME, '--yes');
    if (r.code !== 0) console.error(`cleanup: destroy-controller: ${tail(r.out, 3)}`);
    if (previousHome === undefined) delete process.env.RUNE_HOME;
    else process.env.RUNE_HOME = previousHome;
    rmSync(home, { recursive: true, force: true });
    rmSync(certs, { recursive: true, force: true });
  }
}
