// A highly available controller on local machines (issue 16 items 3, 4, 6): enable-ha moves a
// running model into etcd and three members carry it on; SIGKILL the active member in the middle
// of a deploy, then of a rollout, and another takes over within 15 s, the change completes, and
// nothing is made or run twice; kill one etcd member of the store and the controller keeps working; bad input
// changes nothing.
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkOrdering } from '../../../agents/unit/ordering.js';
import type { Hook } from '../../../core/charm/hooks.js';
import { ApiClient } from '../../../core/controller/api-client.js';
import type { StatusResponse } from '../../../core/controller/api.js';
import { allMemberPaths } from '../../../core/controller/member-paths.js';
import { controllerPaths } from '../../../core/controller/paths.js';
import { readController } from '../../../core/controller/registry.js';
import { waitFor } from '../../../core/controller/wait-for.js';
import { runCli } from '../../core/cli/run-cli.js';

if (process.getuid?.() !== 0) {
  throw new Error('test/integration/cli/ha-controller.test.ts needs root (local machines)');
}

const charms = resolve('test/fixtures/charms/runtime');
const NAME = 'ha';
let home: string;
const previousHome = process.env.RUNE_HOME;

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'rune-home-'));
  process.env.RUNE_HOME = home;
  expect((await runCli('bootstrap', 'local', NAME)).code).toBe(0);
  const bundle = join(mkdtempSync(join(tmpdir(), 'rune-bundle-')), 'bundle.yaml');
  writeFileSync(
    bundle,
    `applications:\n  counter: {charm: ${charms}/peer-counter, num_units: 3}\n`,
  );
  const deployed = await runCli('deploy', bundle, '--wait=3m');
  expect(deployed.code, deployed.err.join('\n')).toBe(0);
}, 240_000);

afterAll(async () => {
  await runCli('destroy-controller', NAME, '--yes');
  if (previousHome === undefined) delete process.env.RUNE_HOME;
  else process.env.RUNE_HOME = previousHome;
}, 120_000);

async function status(): Promise<StatusResponse> {
  const r = await runCli('status', '--format', 'json');
  expect(r.code, r.err.join('\n')).toBe(0);
  return JSON.parse(r.out.join('\n')) as StatusResponse;
}

/** Each member's answer to a ping, undefined for one that does not answer. */
async function members() {
  const info = readController(home, NAME);
  if (!info.ha) throw new Error('not highly available');
  return Promise.all(
    allMemberPaths(controllerPaths(home, NAME), info.ha).map((p) =>
      new ApiClient(NAME, p.socket).ping(1000).then(
        (ping) => ping,
        () => undefined,
      ),
    ),
  );
}

async function active() {
  const found = (await members()).find((p) => p?.member?.active);
  if (!found?.member) throw new Error('no member is active');
  return { id: found.member.id, pid: found.pid };
}

type LoggedHook = { unit: string; outcome: string; kind: string; hook: string };

async function hookLog(): Promise<{ unit: string; outcome: string; hook: Hook; name: string }[]> {
  const r = await runCli('debug-log', '--replay', '--format', 'json', '--no-tail');
  return r.out.filter(Boolean).map((line) => {
    const entry = JSON.parse(line) as LoggedHook & Record<string, unknown>;
    const {
      unit,
      outcome,
      hook: name,
      started,
      ended,
      durationMs,
      message,
      logs,
      ...detail
    } = entry;
    void [started, ended, durationMs, message, logs];
    return { unit, outcome, name, hook: detail as unknown as Hook };
  });
}

describe('a highly available controller', () => {
  it('enable-ha moves the running model into etcd; three members carry it on', async () => {
    const before = await status();
    const r = await runCli('enable-ha');
    expect(r.code, r.err.join('\n')).toBe(0);
    expect(r.out.join('\n')).toMatch(
      /Controller "ha" is highly available: 3 members, member \d active; its store is in etcd \(https:\/\/127\.0\.0\.1:\d+, https:\/\/127\.0\.0\.1:\d+, https:\/\/127\.0\.0\.1:\d+\)\./,
    );
    const listed = (await runCli('controllers')).out.join('\n');
    expect(listed).toMatch(/member \d active \(pid \d+\)/);
    expect(listed.match(/standing by/g)).toHaveLength(2);
    const tabular = (await runCli('status')).out.join('\n');
    expect(tabular).toMatch(/Members/);
    expect(tabular).toMatch(/member \d active \(pid \d+\), member \d standing by/);
    const after = await status();
    expect(Object.keys(after.applications?.counter?.units ?? {})).toEqual(
      Object.keys(before.applications?.counter?.units ?? {}),
    );
    expect(Object.keys(after.machines ?? {})).toEqual(Object.keys(before.machines ?? {}));
    // The single controller's store, kept as it was when it moved.
    expect(
      readFileSync(join(controllerPaths(home, NAME).dir, 'store.db.before-ha')).length,
    ).toBeGreaterThan(0);
  }, 120_000);

  it('refuses enable-ha twice and an even count, changing nothing', async () => {
    const info = readFileSync(controllerPaths(home, NAME).config, 'utf8');
    const again = await runCli('enable-ha');
    expect(again.code).not.toBe(0);
    expect(again.err.join('\n')).toMatch(
      /controller "ha" is already highly available with 3 members; .*nothing was changed/,
    );
    const even = await runCli('enable-ha', '-n', '2');
    expect(even.code).not.toBe(0);
    expect(even.err.join('\n')).toMatch(
      /enable-ha needs an odd number of members, 3 or more \(got 2\).*nothing was changed/,
    );
    expect(readFileSync(controllerPaths(home, NAME).config, 'utf8')).toBe(info);
  });

  it('SIGKILL the active member mid-deploy: another takes over within 15 s, the deploy completes, nothing twice', async () => {
    const bundle = join(mkdtempSync(join(tmpdir(), 'rune-bundle-')), 'bundle.yaml');
    writeFileSync(
      bundle,
      `applications:\n  counter: {charm: ${charms}/peer-counter, num_units: 3}\n` +
        `  second: {charm: ${charms}/peer-counter, num_units: 6}\n`,
    );
    const deploying = runCli('deploy', bundle, '--wait=4m');
    await waitFor(
      'the first unit of the new application',
      async () => Object.keys((await status()).applications?.second?.units ?? {}).length > 0,
      { timeoutMs: 60_000, intervalMs: 100 },
    );
    // Killed in the middle: the new application has not settled.
    const atKill = Object.values((await status()).applications?.second?.units ?? {});
    expect(atKill.filter((u) => u['workload-status'].message === '5 peers').length).toBeLessThan(6);
    const killed = await active();
    process.kill(killed.pid, 'SIGKILL');
    const started = Date.now();
    const next = await waitFor(
      'another member to take over',
      async () => {
        // Another process: a standby, or (restarted by a command meanwhile) the same member.
        const now = await active();
        return now.pid !== killed.pid ? now : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 100 },
    );
    const tookMs = Date.now() - started;
    console.log(
      `member ${next.id} (pid ${next.pid}) took over from member ${killed.id} in ${tookMs} ms`,
    );
    expect(tookMs).toBeLessThan(15_000);

    const deployed = await deploying;
    expect(deployed.code, deployed.err.join('\n')).toBe(0);
    console.log(`deploy --wait said:\n${[...deployed.err, ...deployed.out].join('\n')}`);
    expect((await runCli('wait-for', 'application', 'second', '--timeout', '3m')).code).toBe(0);
    const s = await status();
    const units = Object.entries(s.applications?.second?.units ?? {});
    expect(units).toHaveLength(6);
    // Nothing made twice: six units on six machines, and no machine without a unit.
    const machines = new Set(units.map(([, u]) => u.machine));
    expect(machines.size).toBe(6);
    expect(Object.keys(s.machines ?? {})).toHaveLength(9);
    for (const [, u] of units) expect(u['workload-status'].message).toBe('5 peers');
    // Nothing run twice: one install per unit, and Juju's order in every unit's sequence.
    const log = (await hookLog()).filter((e) => e.outcome === 'ok');
    for (const [name] of units) {
      expect(
        log.filter((e) => e.unit === name && e.name === 'install'),
        name,
      ).toHaveLength(1);
    }
    expect(checkOrdering(log.map((e) => ({ unit: e.unit, hook: e.hook })))).toEqual([]);
    // The killed member comes back standing by with the next command.
    await runCli('status');
    await waitFor('three members answering', async () => (await members()).every(Boolean), {
      timeoutMs: 30_000,
    });
  }, 300_000);

  it('SIGKILL the active member mid-rollout: the next one carries the rollout on, no unit upgraded twice', async () => {
    const copy = mkdtempSync(join(tmpdir(), 'rune-ha-rollout-'));
    cpSync(charms, copy, { recursive: true });
    const refreshed = await runCli(
      'refresh',
      'second',
      '--path',
      join(copy, 'peer-counter'),
      '--watch',
      '0s-2m',
    );
    expect(refreshed.code, refreshed.err.join('\n')).toBe(0);
    const upgraded = async () =>
      (await hookLog()).filter(
        (e) => e.unit.startsWith('second/') && e.name === 'upgrade-charm' && e.outcome === 'ok',
      );
    await waitFor('two units upgraded', async () => (await upgraded()).length >= 2, {
      timeoutMs: 60_000,
      intervalMs: 50,
    });
    const killed = await active();
    process.kill(killed.pid, 'SIGKILL');
    expect((await runCli('rollouts', 'second')).out.join('\n')).toMatch(/ running /);
    await waitFor(
      'the rollout to finish',
      async () => / done /.test((await runCli('rollouts', 'second')).out.join('\n')),
      { timeoutMs: 120_000, intervalMs: 500 },
    );
    expect((await runCli('wait-for', 'application', 'second', '--timeout', '3m')).code).toBe(0);
    const upgrades = await upgraded();
    const units = Object.keys((await status()).applications?.second?.units ?? {});
    for (const unit of units) {
      expect(
        upgrades.filter((e) => e.unit === unit),
        unit,
      ).toHaveLength(1);
    }
    const log = (await hookLog()).filter((e) => e.outcome === 'ok');
    expect(checkOrdering(log.map((e) => ({ unit: e.unit, hook: e.hook })))).toEqual([]);
  }, 300_000);

  it('SIGKILL one etcd member of the store: the controller keeps working, and the member comes back', async () => {
    const info = readController(home, NAME);
    const cluster = JSON.parse(readFileSync(info.ha?.clusterFile ?? '', 'utf8')) as {
      members: { pidFile: string }[];
    };
    const pidFile = cluster.members[2]?.pidFile ?? '';
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    process.kill(pid, 'SIGKILL');
    const added = await runCli('add-unit', 'counter');
    expect(added.code, added.err.join('\n')).toBe(0);
    expect((await runCli('wait-for', 'application', 'counter', '--timeout', '3m')).code).toBe(0);
    const units = Object.values((await status()).applications?.counter?.units ?? {});
    expect(units.map((u) => u['workload-status'].message)).toEqual(Array(4).fill('3 peers'));
    // Controller member 2 keeps its store member: a new etcd process in its place.
    await waitFor(
      'etcd member 2 to run again',
      () => {
        const now = Number(readFileSync(pidFile, 'utf8').trim());
        return now !== pid && existsSync(`/proc/${now}`);
      },
      { timeoutMs: 30_000 },
    );
  }, 300_000);

  it('after every member and every etcd process is killed (a reboot), the next command brings them all back', async () => {
    const before = await status();
    const info = readController(home, NAME);
    const cluster = JSON.parse(readFileSync(info.ha?.clusterFile ?? '', 'utf8')) as {
      members: { pidFile: string }[];
    };
    const pids = [
      ...(await members()).map((p) => p?.pid),
      ...cluster.members.map((m) => Number(readFileSync(m.pidFile, 'utf8').trim())),
    ].filter((pid): pid is number => pid !== undefined);
    expect(pids).toHaveLength(6);
    for (const pid of pids) process.kill(pid, 'SIGKILL');
    const r = await runCli('status', '--format', 'json');
    expect(r.code, r.err.join('\n')).toBe(0);
    expect(r.err.filter((l) => /member \d was not running: started it again/.test(l))).toHaveLength(
      3,
    );
    const after = JSON.parse(r.out.join('\n')) as StatusResponse;
    expect(Object.keys(after.applications ?? {})).toEqual(Object.keys(before.applications ?? {}));
    expect(Object.keys(after.machines ?? {})).toEqual(Object.keys(before.machines ?? {}));
    expect((await members()).every((p) => p !== undefined)).toBe(true);
  }, 180_000);
});
