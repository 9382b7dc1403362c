// Units on a manual controller, from the CLI (DESIGN §8): with one free machine, a deploy of
// two units puts one there and leaves the other "waiting for machine"; `add-machine` of a
// second host (a second real sshd on loopback) places it, and both peers settle. The first unit's
// show-status-log lists its install → active transitions.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusResponse } from '../../../core/controller/api.js';
import { waitFor } from '../../../core/controller/wait-for.js';
import { runCli } from '../../core/cli/run-cli.js';
import { type Sshd, startSshd } from '../support/sshd.js';

const charms = resolve('test/fixtures/charms/runtime');
const hosts: Sshd[] = [];
let home: string;
const keyFiles: string[] = [];
const previousHome = process.env.RUNE_HOME;

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'rune-home-'));
  process.env.RUNE_HOME = home;
  hosts.push(await startSshd(), await startSshd());
  // Each test sshd trusts its own client key.
  hosts.forEach((h, i) => {
    keyFiles.push(join(home, `client-${i}.key`));
    writeFileSync(join(home, `client-${i}.key`), h.clientKey, { mode: 0o600 });
  });
  expect((await runCli('bootstrap', 'manual', 'place')).code).toBe(0);
});

afterAll(async () => {
  await runCli('destroy-controller', 'place', '--yes');
  await Promise.all(hosts.map((h) => h.dispose()));
  if (previousHome === undefined) delete process.env.RUNE_HOME;
  else process.env.RUNE_HOME = previousHome;
});

async function units(): Promise<Record<string, [string, string, string]>> {
  const r = await runCli('status', '--format', 'json');
  const s = JSON.parse(r.out.join('\n')) as StatusResponse;
  return Object.fromEntries(
    Object.entries(s.applications?.counter?.units ?? {}).map(([name, u]) => [
      name,
      [u.machine ?? '', u['workload-status'].current, u['workload-status'].message],
    ]),
  );
}

const addHost = async (i: number) => {
  const h = hosts[i] as Sshd;
  return runCli('add-machine', `ssh:root@${h.host}:${h.port}`, '--private-key', keyFiles[i] ?? '');
};

describe('a manual controller places units on free machines', () => {
  it('puts a unit on the free machine and makes the next one wait', async () => {
    expect((await addHost(0)).code).toBe(0);
    const r = await runCli('deploy', `${charms}/peer-counter`, 'counter', '-n', '2');
    expect(r.code).toBe(0);
    await waitFor(
      'counter/0 to be active',
      async () => (await units())['counter/0']?.[1] === 'active',
      {
        timeoutMs: 120_000,
      },
    );
    expect((await units())['counter/1']).toEqual(['', 'waiting', 'waiting for machine']);
    // Its status history (issue 17 item 2): born waiting, then the install hook, then active.
    const log = await runCli('show-status-log', 'counter/0', '--format', 'json');
    const shown = (
      JSON.parse(log.out.join('\n')) as { type: string; status: string; message: string }[]
    ).map((e) => `${e.type} ${e.status} ${e.message}`.trimEnd());
    expect(shown.slice(0, 3)).toEqual([
      'workload waiting waiting for machine',
      'juju-unit allocating',
      'juju-unit executing running install hook',
    ]);
    expect(shown.indexOf('workload active 0 peers')).toBeGreaterThan(2);
  });

  it('places the waiting unit when a machine is added, and the peers settle', async () => {
    expect((await addHost(1)).code).toBe(0);
    await waitFor(
      'both counter units to see one peer',
      async () => {
        const now = await units();
        return now['counter/0']?.[2] === '1 peers' && now['counter/1']?.[2] === '1 peers';
      },
      { timeoutMs: 120_000 },
    );
    expect(await units()).toEqual({
      'counter/0': ['0', 'active', '1 peers'],
      'counter/1': ['1', 'active', '1 peers'],
    });
  });
});
