// SIGKILL the controller mid-deploy, mid-hook, then mid-rollout: on restart it finishes the
// journaled deploy (nothing made twice; the interrupted `deploy --wait` reconnects and exits 0),
// re-runs the hook that was in flight, carries the rollout on from where it was, and converges.
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkOrdering } from '../../../agents/unit/ordering.js';
import type { Hook } from '../../../core/charm/hooks.js';
import type { StatusResponse } from '../../../core/controller/api.js';
import { controllerPid } from '../../../core/controller/process.js';
import { waitFor } from '../../../core/controller/wait-for.js';
import { SqliteStore } from '../../../core/store/sqlite-store.js';
import { runCli } from '../../core/cli/run-cli.js';

if (process.getuid?.() !== 0) {
  throw new Error('test/integration/cli/crash-safety.test.ts needs root (local machines)');
}

const charms = resolve('test/fixtures/charms/runtime');
let home: string;
const previousHome = process.env.RUNE_HOME;

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'rune-home-'));
  process.env.RUNE_HOME = home;
  expect((await runCli('bootstrap', 'local', 'cs')).code).toBe(0);
});

afterAll(async () => {
  await runCli('destroy-controller', 'cs', '--yes');
  if (previousHome === undefined) delete process.env.RUNE_HOME;
  else process.env.RUNE_HOME = previousHome;
});

/** Reads the controller's store directly (WAL lets a reader in beside the controller). */
function read<T>(fn: (s: SqliteStore) => T): T {
  const store = new SqliteStore(join(home, 'controllers', 'cs', 'store.db'));
  try {
    return fn(store);
  } finally {
    store.close();
  }
}

const UNITS = 8;
const kill = () => process.kill(controllerPid(home, 'cs') as number, 'SIGKILL');

describe('crash safety', () => {
  it('finishes a deploy the controller died in, making nothing twice; deploy --wait sees it through', async () => {
    const bundle = join(mkdtempSync(join(tmpdir(), 'rune-bundle-')), 'bundle.yaml');
    writeFileSync(
      bundle,
      // Machines are made four at a time: eight give the kill below a deploy still under way.
      `applications:\n  counter: {charm: ${charms}/peer-counter, num_units: ${UNITS}}\n`,
    );
    const deploying = runCli('deploy', bundle, '--wait=3m');
    await waitFor('the first machine of the deploy', () => read((s) => s.machines().length >= 1), {
      timeoutMs: 60_000,
    });
    kill();
    // The CLI restarts the controller, lets it finish the deploy it journaled, and waits on.
    const deployed = await deploying;
    expect(deployed.code, deployed.err.join('\n')).toBe(0);
    expect(deployed.err).toContain('Controller "cs" was not running: started it again.');
    expect(
      deployed.err.filter((l) => l.startsWith('Lost controller "cs" during the deploy')),
    ).toHaveLength(1);
    expect(deployed.out).toEqual(['The restarted controller finished the deploy.']);
    expect((await runCli('wait-for', 'application', 'counter', '--timeout', '3m')).code).toBe(0);
    const units = read((s) => s.units().map((u) => `${u.name}@${u.machine}`));
    expect(units).toHaveLength(UNITS);
    expect(read((s) => s.machines().length)).toBe(UNITS);
    expect(new Set(units.map((u) => u.split('@')[1])).size).toBe(UNITS);
  });

  it('re-runs a hook that was in flight when the controller died; wait-for waits through it', async () => {
    expect((await runCli('add-unit', 'counter', '-n', '2')).code).toBe(0);
    const waiting = runCli('wait-for', 'application', 'counter', '--timeout', '3m');
    await waitFor(
      'a hook in flight',
      () => read((s) => s.hookLog().some((e) => e.outcome === undefined)),
      { timeoutMs: 20_000, intervalMs: 5 },
    );
    kill();
    const interrupted = read((s) => s.hookLog().filter((e) => e.outcome === undefined));
    expect(interrupted.length).toBeGreaterThan(0);
    // Started before the kill: it brings the controller back itself and waits on.
    const waited = await waiting;
    expect(waited.code, waited.err.join('\n')).toBe(0);
    expect(waited.err).toContain('Controller "cs" was not running: started it again.');
    const log = read((s) => s.hookLog());
    for (const cut of interrupted) {
      // The same hook of the same unit ran again, to success, after the one that was cut off.
      const rerun = log.find(
        (e) => e.id > cut.id && e.unit === cut.unit && e.hook === cut.hook && e.outcome === 'ok',
      );
      expect(rerun, `${cut.unit} ${cut.hook} was not re-run`).toBeDefined();
    }
    const status = JSON.parse(
      (await runCli('status', '--format', 'json')).out.join('\n'),
    ) as StatusResponse;
    expect(
      Object.values(status.applications?.counter?.units ?? {}).map(
        (u) => u['workload-status'].message,
      ),
    ).toEqual(Array(UNITS + 2).fill(`${UNITS + 1} peers`));
    const sequence = log
      .filter((e) => e.outcome === 'ok')
      .map((e) => ({ unit: e.unit, hook: e.detail as unknown as Hook }));
    expect(checkOrdering(sequence)).toEqual([]);
  });

  it('carries on a rollout the controller died in, from where it was', async () => {
    const copy = mkdtempSync(join(tmpdir(), 'rune-crash-rollout-'));
    cpSync(charms, copy, { recursive: true });
    const leader = read((s) => s.leader('counter'));
    const firstLog = read((s) => s.hookLog().length);
    const refreshed = await runCli(
      'refresh',
      'counter',
      '--path',
      join(copy, 'peer-counter'),
      '--watch',
      '0s-2m',
    );
    expect(refreshed.code, refreshed.err.join('\n')).toBe(0);
    const updated = () =>
      read((s) => s.activeRollout('counter')?.units.filter((u) => u.state === 'updated') ?? []);
    await waitFor('two units updated', () => updated().length >= 2, {
      timeoutMs: 60_000,
      intervalMs: 5,
    });
    kill();
    const before = read((s) => s.activeRollout('counter'));
    expect(before?.state).toBe('running');
    const done = before?.units.filter((u) => u.state === 'updated').map((u) => u.unit) ?? [];
    const killedAt = read((s) => s.hookLog().length);
    expect((await runCli('wait-for', 'application', 'counter', '--timeout', '3m')).code).toBe(0);
    await waitFor(
      'the rollout to finish',
      () => read((s) => s.rollouts().find((r) => r.id === before?.id)?.state === 'done'),
      { timeoutMs: 120_000 },
    );
    const rollout = read((s) => s.rollouts().find((r) => r.id === before?.id));
    expect(rollout?.units.every((u) => u.state === 'updated')).toBe(true);
    const log = read((s) => s.hookLog());
    const upgrades = log.slice(firstLog).filter((e) => e.hook === 'upgrade-charm');
    // Units the rollout had passed before the kill are not upgraded again after it.
    const after = log.slice(killedAt).filter((e) => e.hook === 'upgrade-charm');
    expect(after.filter((e) => done.includes(e.unit))).toEqual([]);
    // Each unit's first upgrade-charm in rollout order: followers by number, the leader last.
    const firsts = [...new Set(upgrades.map((e) => e.unit))];
    const number = (u: string) => Number(u.split('/')[1]);
    const followers = firsts.filter((u) => u !== leader).sort((a, b) => number(a) - number(b));
    expect(firsts).toEqual([...followers, leader]);
    expect(firsts).toHaveLength(UNITS + 2);
    const sequence = log
      .filter((e) => e.outcome === 'ok')
      .map((e) => ({ unit: e.unit, hook: e.detail as unknown as Hook }));
    expect(checkOrdering(sequence)).toEqual([]);
  });
});
