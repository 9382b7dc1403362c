// The sim cloud from the CLI (issue 16 item 1) and the resurrector's meltdown brake on it (issue
// 15 A2): a real controller process on SIMULATED machines, a 40-unit peer application deployed,
// then 10 of its 40 machines lost at once (the brake holds: none replaced, status says why), all
// healed, and one lost (replaced after the grace; its peers see it depart). No root needed: sim
// machines are memory in the controller, so nothing here says a real host works.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusResponse } from '../../../core/controller/api.js';
import { setCurrentController } from '../../../core/controller/registry.js';
import { waitFor } from '../../../core/controller/wait-for.js';
import { runCli } from '../../core/cli/run-cli.js';

let home: string;
const previousHome = process.env.RUNE_HOME;

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'rune-home-'));
  process.env.RUNE_HOME = home;
  const r = await runCli('bootstrap', 'sim', 'rehearsal', '--latency', '1ms', '--jitter', '0.5ms');
  expect(r.code, r.err.join('\n')).toBe(0);
  expect(r.out[0]).toMatch(/simulated machines, 1ms ± 0.5ms a call/);
});

afterAll(async () => {
  await runCli('destroy-controller', 'rehearsal', '--yes');
  await runCli('destroy-controller', 'hosts', '--yes');
  if (previousHome === undefined) delete process.env.RUNE_HOME;
  else process.env.RUNE_HOME = previousHome;
});

async function status(): Promise<StatusResponse> {
  const r = await runCli('status', '--format', 'json');
  expect(r.code, r.err.join('\n')).toBe(0);
  return JSON.parse(r.out.join('\n')) as StatusResponse;
}

type Units = NonNullable<NonNullable<StatusResponse['applications']>[string]['units']>;

const units = async (): Promise<Units> => (await status()).applications?.['pc']?.units ?? {};

const agents = (u: Units, current: string) =>
  Object.entries(u)
    .filter(([, v]) => v['agent-status'].current === current)
    .map(([name]) => name);

/** Every unit of pc idle and counting `peers` peers. */
async function settled(count: number): Promise<Units> {
  const u = await units();
  const all = Object.values(u);
  const peers = `${count - 1} peers`;
  if (
    all.length === count &&
    all.every((v) => v['agent-status'].current === 'idle' && v['workload-status'].message === peers)
  ) {
    return u;
  }
  throw new Error(
    `${all.length} units; not yet idle with "${peers}": ` +
      Object.entries(u)
        .filter(
          ([, v]) => v['agent-status'].current !== 'idle' || v['workload-status'].message !== peers,
        )
        .slice(0, 3)
        .map(([n, v]) => `${n} ${v['agent-status'].current} "${v['workload-status'].message}"`)
        .join('; '),
  );
}

const log = () => readFileSync(join(home, 'controllers', 'rehearsal', 'controller.log'), 'utf8');

describe('the sim cloud', () => {
  it('says what it is: status names the cloud sim, help says no real workload runs', async () => {
    expect((await status()).model.cloud).toBe('sim');
    const help = await runCli('help', 'bootstrap');
    expect(help.out.join(' ')).toMatch(/No real workload runs/);
  });

  it('deploys 40 units of a peer charm on 40 simulated machines, settled', async () => {
    const bundle = join(mkdtempSync(join(tmpdir(), 'rune-bundle-')), 'pc.yaml');
    const charm = resolve('test/fixtures/charms/runtime/peer-counter');
    writeFileSync(bundle, `applications:\n  pc:\n    charm: ${charm}\n    num_units: 40\n`);
    const r = await runCli('deploy', bundle);
    expect(r.code, r.err.join('\n')).toBe(0);
    await waitFor('40 settled units', () => settled(40), { timeoutMs: 120_000 });
    const s = await status();
    expect(Object.keys(s.machines)).toHaveLength(40);
    expect(Object.values(s.machines).every((m) => m.base === 'sim@1')).toBe(true);
  }, 180_000);

  it('refuses what a sim machine cannot do and a sim verb elsewhere, changing nothing', async () => {
    const ssh = await runCli('ssh', '3', '--', 'true');
    expect(ssh.code).toBe(1);
    expect(ssh.err.join('\n')).toMatch(/machine 3 is simulated \(sim cloud\): it has no SSH/);
    const unknown = await runCli('sim', 'lose-machine', '2', '99');
    expect(unknown.code).toBe(1);
    expect(unknown.err.join('\n')).toMatch(/machine 99 not found/);
    expect(agents(await units(), 'lost')).toEqual([]);
    expect((await runCli('bootstrap', 'manual', 'hosts')).code).toBe(0);
    const manual = await runCli('sim', 'lose-machine', '0', '-c', 'hosts');
    expect(manual.code).toBe(1);
    expect(manual.err.join('\n')).toMatch(/controller "hosts" is not on the sim cloud/);
    // Bootstrap made "hosts" the current controller; the rest of this file is about the sim one.
    setCurrentController(home, 'rehearsal');
  });

  it('10 of 40 machines lost at once: the meltdown brake holds, none replaced, status says why', async () => {
    expect((await runCli('model-config', 'resurrect-grace=1s')).code).toBe(0);
    const lost = Array.from({ length: 10 }, (_, i) => String(i));
    expect((await runCli('sim', 'lose-machine', ...lost)).code).toBe(0);
    const shown = await waitFor(
      'ten lost units and the brake in status',
      async () => {
        const s = await status();
        const u = s.applications?.['pc']?.units ?? {};
        if (agents(u, 'lost').length === 10 && s.model.resurrector !== undefined) return s;
        throw new Error(`${agents(u, 'lost').length} lost; notes: ${s.model.resurrector ?? ''}`);
      },
      { timeoutMs: 30_000 },
    );
    expect(shown.model.resurrector).toBe(
      'meltdown brake on: 10 of 40 machines lost within 10 minutes (more than 20% and more ' +
        'than 5); replacing none until they answer or are removed',
    );
    const tabular = await runCli('status');
    expect(tabular.out.join('\n')).toMatch(/meltdown brake on: 10 of 40 machines lost/);
    const history = await runCli('show-status-log', 'model');
    expect(history.code, history.err.join('\n')).toBe(0);
    expect(history.out.join('\n')).toMatch(/meltdown brake on: 10 of 40 machines lost/);
    // Absence is only seen over time: three health passes (5 s each) past the 1 s grace, and
    // every poll meanwhile still shows the same 40 units on the same 40 machines.
    const until = Date.now() + 16_000;
    while (Date.now() < until) {
      const s = await status();
      expect(Object.keys(s.machines)).toHaveLength(40);
      expect(Object.keys(s.applications?.['pc']?.units ?? {})).toHaveLength(40);
      expect(s.model.resurrector).toMatch(/^meltdown brake on/);
    }
    expect(log()).not.toMatch(/resurrector: machine \d+ lost since/);
  }, 60_000);

  it('healed, they answer again and the brake is released; one lost is replaced, its peers see it go', async () => {
    const lost = Array.from({ length: 10 }, (_, i) => String(i));
    expect((await runCli('sim', 'heal-machine', ...lost)).code).toBe(0);
    await waitFor(
      'no lost unit and no brake',
      async () => {
        const s = await status();
        const count = agents(s.applications?.['pc']?.units ?? {}, 'lost').length;
        if (count === 0 && s.model.resurrector === undefined) return true;
        throw new Error(`${count} lost; notes: ${s.model.resurrector ?? ''}`);
      },
      { timeoutMs: 30_000 },
    );
    const before = await units();
    const victim = Object.entries(before).find(([, v]) => v.machine === '7');
    expect(victim).toBeDefined();
    const lostAt = Date.now();
    expect((await runCli('sim', 'lose-machine', '7')).code).toBe(0);
    const after = await waitFor(
      `${victim?.[0] ?? ''} replaced by a unit on a new machine, all settled again`,
      async () => {
        const u = await settled(40);
        if (Object.hasOwn(u, victim?.[0] ?? '')) throw new Error('the lost unit is still there');
        return u;
      },
      { timeoutMs: 60_000 },
    );
    // Removed as remove-unit --force would: every surviving peer ran a departed hook for it.
    const departed = (await runCli('debug-log', '--replay', '--format', 'json', '--no-tail')).out
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { unit: string; hook: string; started: string })
      .filter((e) => e.hook === 'cluster-relation-departed' && Date.parse(e.started) >= lostAt);
    expect(new Set(departed.map((e) => e.unit)).size).toBeGreaterThanOrEqual(39);
    const added = Object.keys(after).filter((n) => !Object.hasOwn(before, n));
    expect(added).toEqual(['pc/40']);
    expect(after['pc/40']?.machine).toBe('40');
    const s = await status();
    expect(Object.keys(s.machines)).not.toContain('7');
    const model = (await runCli('show-status-log', 'model', '--format', 'json')).out.join('\n');
    const said = (JSON.parse(model) as { message: string }[]).map((e) => e.message);
    expect(said.some((m) => /brake released|released/.test(m))).toBe(true);
    expect(said.some((m) => /^replaced machine 7 /.test(m))).toBe(true);
    expect(log()).toMatch(
      new RegExp(`resurrector: ${victim?.[0] ?? ''} replaced by pc/40`.replace('/', '\\/')),
    );
  }, 90_000);
});
