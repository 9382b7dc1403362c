// The charm runtime end to end on local machines, from the CLI, as root: a three-application
// bundle deployed and settled, add-unit joining both ways, relate from the CLI (a subordinate
// placed beside its principal), a failing hook resolved, bad requests refused with the model
// unchanged, and every unit's recorded hook sequence checked against DESIGN §6.
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkOrdering } from '../../../agents/unit/ordering.js';
import type { Hook } from '../../../core/charm/hooks.js';
import type { StatusResponse } from '../../../core/controller/api.js';
import { waitFor } from '../../../core/controller/wait-for.js';
import { runCli } from '../../core/cli/run-cli.js';

if (process.getuid?.() !== 0) {
  throw new Error('test/integration/cli/charm-runtime.test.ts needs root (local machines)');
}

const charms = resolve('test/fixtures/charms/runtime');
let home: string;
let dir: string;
const previousHome = process.env.RUNE_HOME;

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'rune-home-'));
  dir = mkdtempSync(join(tmpdir(), 'rune-bundle-'));
  process.env.RUNE_HOME = home;
  expect((await runCli('bootstrap', 'local', 'rt')).code).toBe(0);
});

afterAll(async () => {
  await runCli('destroy-controller', 'rt', '--yes');
  if (previousHome === undefined) delete process.env.RUNE_HOME;
  else process.env.RUNE_HOME = previousHome;
});

async function status(): Promise<StatusResponse> {
  return JSON.parse((await runCli('status', '--format', 'json')).out.join('\n')) as StatusResponse;
}

const workloads = (s: StatusResponse) =>
  Object.values(s.applications ?? {})
    .flatMap((a) => Object.entries(a.units ?? {}))
    .flatMap(([name, u]) => [
      [name, u['workload-status'].current, u['workload-status'].message],
      ...Object.entries(u.subordinates ?? {}).map(([n, v]) => [
        n,
        v['workload-status'].current,
        v['workload-status'].message,
      ]),
    ])
    .sort((a, b) => String(a[0]).localeCompare(String(b[0])));

async function hookSequence(): Promise<{ unit: string; hook: Hook; name: string }[]> {
  const r = await runCli('debug-log', '--replay', '--format', 'json', '--no-tail');
  return r.out.filter(Boolean).map((l) => {
    const e = JSON.parse(l) as Record<string, unknown> & {
      unit: string;
      hook: string;
      outcome: string;
    };
    return { unit: e.unit, name: e.hook, hook: e as unknown as Hook };
  });
}

describe('the charm runtime on local machines', () => {
  it('deploys a three-application bundle and settles', async () => {
    const bundle = join(dir, 'bundle.yaml');
    writeFileSync(
      bundle,
      [
        'applications:',
        `  counter: {charm: ${charms}/peer-counter, num_units: 2}`,
        `  kvp: {charm: ${charms}/kv-provider, num_units: 1, options: {value: forty-two}}`,
        `  kvc: {charm: ${charms}/kv-consumer, num_units: 1}`,
        'relations:',
        '  - [kvc, kvp]',
        '',
      ].join('\n'),
    );
    const r = await runCli('deploy', bundle, '--wait=3m');
    expect(r.code).toBe(0);
    expect(r.out[0]).toBe('Deployed:');
    expect(workloads(await status())).toEqual([
      ['counter/0', 'active', '1 peers'],
      ['counter/1', 'active', '1 peers'],
      ['kvc/0', 'active', 'got forty-two from kvp'],
      ['kvp/0', 'active', 'acked by 1'],
    ]);
    const again = await runCli('deploy', bundle);
    expect(again.out).toEqual(['No changes to apply.']);
  });

  it('add-unit: existing units join the new one and it joins them', async () => {
    const before = (await hookSequence()).length;
    expect((await runCli('add-unit', 'counter')).out).toEqual(['added unit counter/2']);
    expect((await runCli('wait-for', 'application', 'counter', '--timeout', '3m')).code).toBe(0);
    const added = (await hookSequence()).slice(before);
    const of = (unit: string) =>
      added
        .filter((e) => e.unit === unit)
        .map((e) => `${e.name} ${(e.hook as { remoteUnit?: string }).remoteUnit ?? ''}`.trim());
    for (const existing of ['counter/0', 'counter/1']) {
      expect(of(existing)).toEqual(
        expect.arrayContaining([
          'cluster-relation-joined counter/2',
          'cluster-relation-changed counter/2',
        ]),
      );
    }
    expect(of('counter/2')).toEqual(
      expect.arrayContaining([
        'install',
        'cluster-relation-joined counter/0',
        'cluster-relation-joined counter/1',
      ]),
    );
    // The charm also wrote each hook on its own machine: the runtime really ran there.
    const onMachine = await runCli(
      'exec',
      '--machine',
      '4',
      '--',
      'cat /var/lib/rune-test/counter-2.hooks',
    );
    expect(onMachine.stdout.toString().split('\n')[0]).toBe('install');
  });

  it('relate from the CLI: a subordinate appears beside its principal', async () => {
    expect((await runCli('deploy', `${charms}/sidecar-host`, 'host', '--wait=3m')).code).toBe(0);
    expect((await runCli('deploy', `${charms}/sidecar`, 'side', '-n', '0')).code).toBe(0);
    const r = await runCli('relate', 'side', 'host');
    expect(r.out).toEqual(['related host:host - side:host']);
    expect((await runCli('deploy', `${charms}/sidecar`, 'side', '-n', '0', '--wait=3m')).code).toBe(
      0,
    );
    const s = await status();
    expect(
      s.applications?.host?.units?.['host/0']?.subordinates?.['side/0']?.['workload-status'],
    ).toMatchObject({
      current: 'active',
      message: 'beside host/0',
    });
  });

  it('a failing hook puts the unit in error; resolve --no-retry moves it on', async () => {
    const r = await runCli(
      'deploy',
      `${charms}/flaky`,
      'flaky',
      '--config',
      'fail-hook=install',
      '--wait=3m',
    );
    expect(r.code).toBe(1);
    expect(workloads(await status()).find((w) => w[0] === 'flaky/0')).toEqual([
      'flaky/0',
      'error',
      'hook failed: "install"',
    ]);
    expect((await runCli('resolve', 'flaky/0', '--no-retry')).out).toEqual([
      'flaky/0: failed hook skipped',
    ]);
    expect((await runCli('wait-for', 'application', 'flaky', '--timeout', '3m')).code).toBe(0);
  });

  it('config: a changed option reaches the units and, through relation data, the other side', async () => {
    expect((await runCli('config', 'kvp', 'value=changed')).code).toBe(0);
    expect((await runCli('wait-for', 'model', '--timeout', '3m')).code).toBe(0);
    expect(workloads(await status()).find((w) => w[0] === 'kvc/0')).toEqual([
      'kvc/0',
      'active',
      'got changed from kvp',
    ]);
    expect((await runCli('config', 'kvp', 'value')).out).toEqual(['changed']);
    const bad = await runCli('config', 'kvp', 'nope=1');
    expect(bad.code).toBe(1);
    expect(bad.err.join('\n')).toMatch(/nope: unknown option "nope" for charm kv-provider/);
  });

  it('refresh: a new charm revision runs upgrade-charm then config-changed; back again with --revision', async () => {
    // A copy of the fixtures, as an author's working folder would be: the charm and its ../lib.
    const copy = mkdtempSync(join(tmpdir(), 'rune-refresh-'));
    cpSync(charms, join(copy, 'runtime'), { recursive: true });
    const before = (await hookSequence()).length;
    const moved = await runCli('refresh', 'kvp', '--path', join(copy, 'runtime', 'kv-provider'));
    expect(moved.code).toBe(0);
    expect(moved.out).toEqual([
      'kvp: charm kv-provider revision 1 → 2; its units run upgrade-charm as the rollout reaches them (rune rollouts)',
    ]);
    expect((await runCli('wait-for', 'model', '--timeout', '3m')).code).toBe(0);
    expect((await status()).applications?.kvp?.['charm-rev']).toBe(2);
    const ran = (await hookSequence()).slice(before).filter((e) => e.unit === 'kvp/0');
    expect(ran.map((e) => e.name).slice(0, 2)).toEqual(['upgrade-charm', 'config-changed']);

    // A folder that is no charm, or another charm: refused, nothing changes.
    const notCharm = await runCli('refresh', 'kvp', '--path', copy);
    expect(notCharm.code).toBe(1);
    expect(notCharm.err.join('\n')).toMatch(/metadata\.yaml/);
    const other = await runCli('refresh', 'kvp', '--path', join(copy, 'runtime', 'kv-consumer'));
    expect(other.code).toBe(1);
    expect(other.err.join('\n')).toMatch(
      /holds charm "kv-consumer", but kvp runs charm "kv-provider"/,
    );
    expect((await status()).applications?.kvp?.['charm-rev']).toBe(2);

    const back = await runCli('refresh', 'kvp', '--revision', '1');
    expect(back.code).toBe(0);
    expect((await runCli('wait-for', 'model', '--timeout', '3m')).code).toBe(0);
    expect((await status()).applications?.kvp?.['charm-rev']).toBe(1);
  });

  it('refresh rolls: the canary first, one unit at a time, the leader last', async () => {
    const copy = mkdtempSync(join(tmpdir(), 'rune-rollout-'));
    cpSync(charms, join(copy, 'runtime'), { recursive: true });
    const units = Object.entries((await status()).applications?.counter?.units ?? {});
    expect(units.length).toBeGreaterThanOrEqual(2);
    const leader = units.find(([, u]) => u.leader === true)?.[0];
    const number = (name: string) => Number(name.split('/')[1]);
    const expected = units
      .map(([name]) => name)
      .filter((name) => name !== leader)
      .sort((a, b) => number(a) - number(b))
      .concat(leader ?? []);
    const before = (await hookSequence()).length;
    const path = join(copy, 'runtime', 'peer-counter');
    expect((await runCli('refresh', 'counter', '--path', path, '--watch', '0s-2m')).code).toBe(0);
    expect((await runCli('wait-for', 'model', '--timeout', '3m')).code).toBe(0);
    const moves = (await hookSequence())
      .slice(before)
      .filter((e) => e.unit.startsWith('counter/'))
      .filter((e) => e.name === 'upgrade-charm' || e.name === 'config-changed')
      .map((e) => `${e.unit} ${e.name}`);
    // One at a time: each unit's upgrade-charm and config-changed before the next unit's.
    expect(moves).toEqual(expected.flatMap((u) => [`${u} upgrade-charm`, `${u} config-changed`]));
    const listed = await runCli('rollouts', 'counter');
    expect(listed.out.join('\n')).toMatch(/refresh to charm revision 2\s+done\s+\d\/\d/);
    // A bad policy changes nothing.
    const bad = await runCli('refresh', 'counter', '--path', path, '--max-in-flight', '0');
    expect(bad.code).toBe(1);
    expect(bad.err.join('\n')).toMatch(/--max-in-flight must be a number of units from 1/);
    expect((await status()).applications?.counter?.['charm-rev']).toBe(2);
  });

  it('a failing canary halts the rollout; the rest keep the old config; abort takes it back', async () => {
    const deployed = await runCli('deploy', `${charms}/flaky`, 'canary', '-n', '3', '--wait=3m');
    expect(deployed.code).toBe(0);
    const before = (await hookSequence()).length;
    expect((await runCli('config', 'canary', 'fail-hook=config-changed')).code).toBe(0);
    await waitFor(
      'the rollout to halt',
      async () => (await runCli('rollouts', 'canary')).out.some((l) => / halted /.test(l)),
      { timeoutMs: 120_000 },
    );
    const s = await status();
    const app = s.applications?.canary;
    const leader = Object.entries(app?.units ?? {}).find(([, u]) => u.leader === true)?.[0];
    const canary = ['canary/0', 'canary/1', 'canary/2'].find((u) => u !== leader) ?? '';
    expect(app?.rollout).toMatch(
      new RegExp(`halted: ${canary} is in error: hook failed: "config-changed"`),
    );
    // Only the canary ran the new config; the others are active on the old one.
    const ran = (await hookSequence()).slice(before).filter((e) => e.name === 'config-changed');
    expect([...new Set(ran.map((e) => e.unit))]).toEqual([canary]);
    const others = workloads(s).filter(
      (w) => String(w[0]).startsWith('canary/') && w[0] !== canary,
    );
    expect(others.map((w) => w[1])).toEqual(['active', 'active']);

    // The operator skips the failed hook, then aborts: the canary rolls back to the old config.
    expect((await runCli('resolve', canary, '--no-retry')).code).toBe(0);
    const aborted = await runCli('rollout', 'canary', '--abort');
    expect(aborted.out.join('\n')).toMatch(
      /rollout aborted; rollout \d+ takes the moved units back/,
    );
    expect((await runCli('wait-for', 'application', 'canary', '--timeout', '1m')).code).toBe(0);
    expect((await runCli('config', 'canary', 'fail-hook')).out).toEqual(['']);
    expect(workloads(await status()).filter((w) => String(w[0]).startsWith('canary/'))).toEqual([
      ['canary/0', 'active', 'ok'],
      ['canary/1', 'active', 'ok'],
      ['canary/2', 'active', 'ok'],
    ]);
    const listed = (await runCli('rollouts', 'canary')).out.join('\n');
    expect(listed).toMatch(/config\s+aborted/);
    expect(listed).toMatch(/abort of rollout \d+\s+done\s+1\/1/);
  }, 240_000);

  it('a halted rollout resumes once the operator fixes the cause and resolves the canary', async () => {
    const marker = '/var/lib/rune-flaky-fixed';
    const before = (await hookSequence()).length;
    const changed = await runCli(
      'config',
      'canary',
      'fail-hook=config-changed',
      `fail-unless-file=${marker}`,
    );
    expect(changed.code).toBe(0);
    await waitFor(
      'the rollout to halt',
      async () => (await runCli('rollouts', 'canary')).out.some((l) => / halted /.test(l)),
      { timeoutMs: 120_000 },
    );
    const units = (await status()).applications?.canary?.units ?? {};
    const halted = Object.entries(units).filter(
      ([, u]) => u['workload-status'].current === 'error',
    );
    expect(halted).toHaveLength(1);
    const [canary] = halted[0] ?? [''];
    // The operator fixes the cause on every machine, then retries the canary's hook.
    for (const u of Object.values(units)) {
      expect(
        (await runCli('exec', '--machine', u.machine ?? '', '--', `touch ${marker}`)).code,
      ).toBe(0);
    }
    expect((await runCli('resolve', canary)).code).toBe(0);
    const resumed = await runCli('rollout', 'canary', '--resume');
    expect(resumed.code, resumed.err.join('\n')).toBe(0);
    await waitFor(
      'the rollout to finish',
      async () =>
        (await runCli('rollouts', 'canary')).out.some((l) => /config\s+done\s+3\/3/.test(l)),
      { timeoutMs: 120_000 },
    );
    expect(workloads(await status()).filter((w) => String(w[0]).startsWith('canary/'))).toEqual([
      ['canary/0', 'active', 'ok'],
      ['canary/1', 'active', 'ok'],
      ['canary/2', 'active', 'ok'],
    ]);
    // Every unit ran the new config; the canary twice (the failed try, then the retry).
    const ran = (await hookSequence()).slice(before).filter((e) => e.name === 'config-changed');
    expect(ran.filter((e) => e.unit === canary)).toHaveLength(2);
    expect(new Set(ran.map((e) => e.unit)).size).toBe(3);
    const again = await runCli('rollout', 'canary', '--resume');
    expect(again.code).toBe(1);
    expect(again.err.join('\n')).toMatch(/canary has no halted rollout to resume/);
  }, 240_000);

  it('attach-resource rolls with the application policy: one unit at a time, the leader last', async () => {
    const deployed = await runCli('deploy', `${charms}/operator`, 'res', '-n', '3', '--wait=3m');
    expect(deployed.code).toBe(0);
    expect((await runCli('set-rollout-policy', 'res', '--watch', '0s-2m')).code).toBe(0);
    expect((await runCli('rollout-policy', 'res')).out.join('\n')).toMatch(
      /watch:\n\s+value: 0s-2m\n\s+source: application/,
    );
    const units = Object.entries((await status()).applications?.res?.units ?? {});
    const leader = units.find(([, u]) => u.leader === true)?.[0];
    const expected = ['res/0', 'res/1', 'res/2'].filter((u) => u !== leader).concat(leader ?? []);
    const before = (await hookSequence()).length;
    const file = join(dir, 'res-payload.txt');
    writeFileSync(file, 'rolled\n');
    expect((await runCli('attach-resource', 'res', `payload=${file}`)).code).toBe(0);
    expect((await runCli('wait-for', 'application', 'res', '--timeout', '3m')).code).toBe(0);
    const moves = (await hookSequence())
      .slice(before)
      .filter((e) => e.unit.startsWith('res/'))
      .filter((e) => e.name === 'upgrade-charm' || e.name === 'config-changed')
      .map((e) => `${e.unit} ${e.name}`);
    expect(moves).toEqual(expected.flatMap((u) => [`${u} upgrade-charm`, `${u} config-changed`]));
    expect(workloads(await status()).filter((w) => String(w[0]).startsWith('res/'))).toEqual([
      ['res/0', 'active', 'payload: rolled'],
      ['res/1', 'active', 'payload: rolled'],
      ['res/2', 'active', 'payload: rolled'],
    ]);
    expect((await runCli('rollouts', 'res')).out.join('\n')).toMatch(
      /attach-resource\s+done\s+3\/3/,
    );
  }, 240_000);

  it('remove-relation: -departed then -broken on both sides', async () => {
    const before = (await hookSequence()).length;
    expect((await runCli('remove-relation', 'kvc', 'kvp')).out).toEqual([
      'removing relation kvp:kv - kvc:kv',
    ]);
    expect((await runCli('wait-for', 'model', '--timeout', '3m')).code).toBe(0);
    const after = (await hookSequence())
      .slice(before)
      .filter((e) => e.name.startsWith('kv-relation'));
    expect(after.filter((e) => e.unit === 'kvc/0').map((e) => e.name)).toEqual([
      'kv-relation-departed',
      'kv-relation-broken',
    ]);
    expect(after.filter((e) => e.unit === 'kvp/0').map((e) => e.name)).toEqual([
      'kv-relation-departed',
      'kv-relation-broken',
    ]);
    expect(workloads(await status()).find((w) => w[0] === 'kvc/0')).toEqual([
      'kvc/0',
      'blocked',
      'needs a kv relation',
    ]);
  });

  it('remove-unit: the others see it depart; it stops, runs remove and leaves the model', async () => {
    const before = (await hookSequence()).length;
    expect((await runCli('remove-unit', 'counter/2')).out).toEqual(['removing unit counter/2']);
    expect((await runCli('wait-for', 'application', 'counter', '--timeout', '3m')).code).toBe(0);
    const after = (await hookSequence()).slice(before);
    expect(
      after
        .filter((e) => e.unit === 'counter/2')
        .map((e) => e.name)
        .slice(-2),
    ).toEqual(['stop', 'remove']);
    for (const u of ['counter/0', 'counter/1']) {
      expect(
        after
          .filter((e) => e.unit === u)
          .map((e) => `${e.name} ${(e.hook as { remoteUnit?: string }).remoteUnit ?? ''}`.trim()),
      ).toContain('cluster-relation-departed counter/2');
    }
    expect(Object.keys((await status()).applications?.counter?.units ?? {})).toEqual([
      'counter/0',
      'counter/1',
    ]);
    const again = await runCli('remove-unit', 'counter/2');
    expect(again.code).toBe(1);
    expect(again.err.join('\n')).toMatch(/unit counter\/2 not found/);
  });

  it.each([
    [['relate', 'kvc', 'nowhere'], /application "nowhere" is not in this bundle|nowhere/],
    [['relate', 'counter', 'counter'], /itself|peer/],
    [['add-unit', 'side'], /side is a subordinate application/],
    [['add-unit', 'nope'], /application "nope" not found/],
    [['resolve', 'counter/0'], /unit counter\/0 is not in error/],
    [['deploy', `${charms}/no-code`], /charm code missing for no-code/],
  ])('refuses %j with exit 1 and leaves the model as it was', async (argv, message) => {
    const before = JSON.stringify({ ...(await status()), machines: undefined });
    const r = await runCli(...argv);
    expect(r.code).toBe(1);
    expect(r.err.join('\n')).toMatch(message);
    const after = JSON.stringify({ ...(await status()), machines: undefined });
    expect(after.replace(/"since":"[^"]*"/g, '')).toBe(before.replace(/"since":"[^"]*"/g, ''));
  });

  it('model-config update-status-hook-interval: idle units run update-status that often', async () => {
    const bad = await runCli('model-config', 'update-status-hook-interval=soon');
    expect(bad.code).toBe(1);
    expect(bad.err.join('\n')).toMatch(
      /update-status-hook-interval: "soon" is not a duration like 30s or 5m/,
    );
    expect((await runCli('model-config', 'update-status-hook-interval')).out).toEqual(['5m']);
    expect((await runCli('model-config', 'update-status-hook-interval=1s')).code).toBe(0);
    await waitFor(
      'an update-status hook on counter/0',
      async () =>
        (await hookSequence()).some((e) => e.unit === 'counter/0' && e.name === 'update-status'),
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    expect((await runCli('model-config', 'update-status-hook-interval=5m')).code).toBe(0);
  });

  it('every unit’s recorded hook sequence keeps DESIGN §6 ordering', async () => {
    const sequence = await hookSequence();
    expect(sequence.length).toBeGreaterThan(30);
    expect(checkOrdering(sequence)).toEqual([]);
  });
});
