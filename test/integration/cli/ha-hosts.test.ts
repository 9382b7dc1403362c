// Controller members on hosts of their own (issue 16 item 3, `rune enable-ha --to`): hosts in
// network namespaces with their own addresses (the local provider's machines: each its own
// network, PIDs and files, with the checkout's top-level directory shared as if Rune were
// installed there), added to a manual controller as machines. enable-ha --to 0,1 puts members 1
// and 2 and their store members on them; a deploy goes to a third; the active member is
// SIGKILLed on its host, another takes over and the deploy completes. Wrong counts, a host
// without Rune and an unreachable host are refused with nothing changed.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newEd25519KeyPair } from '../../../agents/machine/ed25519-keys.js';
import { type ConnectedMachine, connectMachine } from '../../../agents/machine/remote-machine.js';
import { LocalProvider } from '../../../agents/providers/local/local-provider.js';
import type { StoreClusterInfo } from '../../../agents/controller-store/cluster-info.js';
import type { ProvisionedMachine } from '../../../core/model/machine.js';
import { memberClients } from '../../../core/controller/member-clients.js';
import { controllerPaths } from '../../../core/controller/paths.js';
import { type HaInfo, readController } from '../../../core/controller/registry.js';
import { waitFor } from '../../../core/controller/wait-for.js';
import { runCli } from '../../core/cli/run-cli.js';

if (process.getuid?.() !== 0) {
  throw new Error('test/integration/cli/ha-hosts.test.ts needs root (network namespaces)');
}

const charms = resolve('test/fixtures/charms/runtime');
/** Where this checkout sits (/work here, /check in CI): shared with the hosts that have Rune. */
const repoTop = resolve('.').split('/')[1] ?? '';
const NAME = 'hh';
const key = newEd25519KeyPair('rune-ha-hosts-test');
const ids = [randomBytes(3).toString('hex'), randomBytes(3).toString('hex')];
let home = '';
const stateDirs: string[] = [];
const providers: LocalProvider[] = [];
/** Hosts 0-2 and 4 have Rune (repoTop shared); host 3 has not; host 4 goes down once added. */
const hosts: ProvisionedMachine[] = [];
const sessions = new Map<number, ConnectedMachine>();
const previousHome = process.env.RUNE_HOME;

async function on(host: number, command: string): Promise<string> {
  let session = sessions.get(host);
  const h = hosts[host];
  if (!h) throw new Error(`no host ${host}`);
  if (!session) {
    session = await connectMachine(
      { host: h.address, port: h.port, user: 'root', privateKey: key.private },
      { pinned: h.hostKeyFingerprint },
    );
    sessions.set(host, session);
  }
  const r = await session.run(command, { timeoutMs: 30_000 });
  return r.stdout.toString();
}

function ha(): HaInfo {
  const info = readController(home, NAME);
  if (!info.ha) throw new Error('not highly available');
  return info.ha;
}

/** Each member's answer to a ping (its socket, or its API over TCP on its host). */
async function members() {
  const info = readController(home, NAME);
  if (!info.ha) throw new Error('not highly available');
  return Promise.all(
    memberClients(home, { ...info, ha: info.ha }).map((c) => c.ping(1000).catch(() => undefined)),
  );
}

async function active(): Promise<{ id: number; pid: number }> {
  const found = (await members()).find((p) => p?.member?.active);
  if (!found?.member) throw new Error('no member is active');
  return { id: found.member.id, pid: found.pid };
}

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'rune-home-'));
  process.env.RUNE_HOME = home;
  for (const [i, controllerId] of ids.entries()) {
    stateDirs.push(mkdtempSync(join(tmpdir(), 'rune-hh-')));
    providers.push(
      new LocalProvider({
        controllerId,
        stateDir: stateDirs[i] ?? '',
        hide: [home],
        // The second provider's host sees no checkout: a host without Rune.
        ...(i === 0 ? { share: [repoTop] } : {}),
        authorizedKey: key.public,
      }),
    );
  }
  const [withRune, without] = providers as [LocalProvider, LocalProvider];
  for (const id of ['0', '1', '2']) hosts.push(await withRune.create(id));
  hosts.push(await without.create('0'), await withRune.create('4'));
  const keyFile = join(home, 'hosts.key');
  writeFileSync(keyFile, key.private, { mode: 0o600 });
  expect((await runCli('bootstrap', 'manual', NAME)).code).toBe(0);
  for (const h of hosts) {
    const added = await runCli('add-machine', `ssh:root@${h.address}`, '--private-key', keyFile);
    expect(added.code, added.err.join('\n')).toBe(0);
  }
  // Machine 4 goes down after it was added: unreachable when enable-ha looks.
  await withRune.destroy(hosts[4]?.instanceId ?? '');
}, 180_000);

afterAll(async () => {
  await Promise.all([...sessions.values()].map((s) => s.close().catch(() => undefined)));
  // Destroyed by the last test unless one before it failed.
  if (existsSync(controllerPaths(home, NAME).config)) {
    const destroyed = await runCli('destroy-controller', NAME, '--yes');
    if (destroyed.code !== 0) console.log(destroyed.err.join('\n'));
  }
  for (const p of providers) await p.destroyAll().catch(() => undefined);
  for (const dir of [home, ...stateDirs]) rmSync(dir, { recursive: true, force: true });
  if (previousHome === undefined) delete process.env.RUNE_HOME;
  else process.env.RUNE_HOME = previousHome;
}, 120_000);

describe('controller members on hosts of their own', () => {
  it('refuses a wrong count, a host without Rune and an unreachable host, changing nothing', async () => {
    const config = controllerPaths(home, NAME).config;
    const before = readFileSync(config, 'utf8');
    const refusals: [string[], RegExp][] = [
      [['--to', '0'], /enable-ha -n 3 --to needs 2 machines .*got 1; nothing was changed/],
      [['--to', '0,0'], /enable-ha --to 0: named twice: one member per host; nothing was changed/],
      [
        ['--to', '0,3'],
        new RegExp(`machine 3 \\(${hosts[3]?.address}\\) has no Rune at /${repoTop}/.*rune\\.js`),
      ],
      [['--to', '0,4'], /machine 4 \([\d.]+\) cannot take a controller member/],
    ];
    for (const [args, message] of refusals) {
      const r = await runCli('enable-ha', ...args);
      expect(r.code, args.join(' ')).not.toBe(0);
      expect(r.err.join('\n')).toMatch(message);
      expect(readFileSync(config, 'utf8')).toBe(before);
    }
    // The single controller answered throughout: it was never stopped.
    const status = await runCli('status');
    expect(status.code, status.err.join('\n')).toBe(0);
    expect(await on(0, 'ls /tmp')).not.toMatch(/rune-home/);
  }, 120_000);

  it('rolls back every host when a store member cannot start there', async () => {
    const config = controllerPaths(home, NAME).config;
    const before = readFileSync(config, 'utf8');
    const address = hosts[1]?.address ?? '';
    // Something else holds the store's client port on machine 1: its etcd cannot listen.
    const holder = (
      await on(
        1,
        `setsid python3 -c "import socket, time; s = socket.socket(); ` +
          `s.bind(('${address}', 17071)); s.listen(); time.sleep(600)" ` +
          '> /dev/null 2>&1 < /dev/null & echo $!',
      )
    ).trim();
    try {
      const r = await runCli('enable-ha', '--to', '0,1');
      expect(r.code).not.toBe(0);
      const said = r.err.join('\n');
      expect(said).toMatch(/enable-ha did not complete .*store member store-2 did not start/s);
      expect(said).toMatch(/address already in use/);
      expect(said).toMatch(/the controller runs alone as before/);
    } finally {
      await on(1, `kill ${holder}`);
    }
    expect(readFileSync(config, 'utf8')).toBe(before);
    expect(existsSync(join(controllerPaths(home, NAME).dir, 'ha'))).toBe(false);
    expect((await runCli('status')).code).toBe(0);
    // Nothing left on the hosts: no files, no etcd.
    for (const i of [0, 1]) {
      expect(await on(i, `ls ${controllerPaths(home, NAME).dir} 2>/dev/null | wc -l`)).toBe('0\n');
      expect(await on(i, 'ss -Hltn')).not.toMatch(/:1707[012]\b/);
    }
  }, 180_000);

  it('enable-ha --to 0,1 runs members 1 and 2 and their etcd on those hosts', async () => {
    const r = await runCli('enable-ha', '--to', '0,1');
    expect(r.code, r.err.join('\n')).toBe(0);
    const [h0, h1] = [hosts[0]?.address ?? '', hosts[1]?.address ?? ''];
    const cluster = JSON.parse(readFileSync(ha().clusterFile, 'utf8')) as StoreClusterInfo;
    expect(cluster.endpoints.slice(1)).toEqual([`https://${h0}:17071`, `https://${h1}:17071`]);
    // Member 0's etcd listens on this host's address as the hosts reach it, not on loopback.
    expect(cluster.endpoints[0]).not.toMatch(/127\.0\.0\.1/);
    // On each host: its store member's client and peer ports and its member's API, on its address.
    for (const [i, address] of [h0, h1].entries()) {
      const listening = await on(i, 'ss -Hltn');
      for (const port of [17070, 17071, 17072]) expect(listening).toContain(`${address}:${port}`);
      const modes = await on(
        i,
        `stat -c '%a %n' ${controllerPaths(home, NAME).storeKey} ${cluster.members[i + 1]?.keyFile}`,
      );
      expect(
        modes
          .split('\n')
          .filter(Boolean)
          .map((l) => l.split(' ')[0]),
      ).toEqual(['600', '600']);
    }
    const listed = (await runCli('controllers')).out.join('\n');
    expect(listed).toMatch(new RegExp(`member 1 on machine 0 \\(${h0}\\) (active|standing by)`));
    expect(listed).toMatch(new RegExp(`member 2 on machine 1 \\(${h1}\\) (active|standing by)`));
    const tabular = (await runCli('status')).out.join('\n');
    expect(tabular).toMatch(/member 1 on machine 0/);
  }, 180_000);

  it('SIGKILL the active member on its host mid-deploy: another takes over, the deploy completes', async () => {
    await waitFor('an active member', () => active(), { timeoutMs: 30_000, intervalMs: 200 });
    const deployed = await runCli('deploy', `${charms}/peer-counter`, 'counter', '--to', '2');
    expect(deployed.code, deployed.err.join('\n')).toBe(0);
    const killed = await active();
    const placed = ha().hosts?.find((h) => h.member === killed.id);
    if (placed === undefined) process.kill(killed.pid, 'SIGKILL');
    else await on(Number(placed.machine), `kill -KILL ${killed.pid}`);
    const started = Date.now();
    const next = await waitFor(
      'another member to take over',
      async () => {
        const now = await active();
        return now.id !== killed.id ? now : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    console.log(
      `member ${killed.id} (${placed ? `machine ${placed.machine}` : 'this host'}) killed; ` +
        `member ${next.id} took over in ${Date.now() - started} ms`,
    );
    const waited = await runCli('wait-for', 'application', 'counter', '--timeout', '3m');
    expect(waited.code, waited.err.join('\n')).toBe(0);
    const s = await runCli('status', '--format', 'json');
    const units = (
      JSON.parse(s.out.join('\n')) as {
        applications?: Record<string, { units?: Record<string, { machine?: string }> }>;
      }
    ).applications?.counter?.units;
    expect(Object.values(units ?? {}).map((u) => u.machine)).toEqual(['2']);
  }, 300_000);

  it('SIGKILL the active member on its host: another carries changes, the next command starts it again', async () => {
    // Member 0 was killed above: the active one now runs on a host of its own.
    const { id, pid } = await active();
    const victim = ha().hosts?.find((h) => h.member === id);
    if (!victim) throw new Error(`the active member ${id} runs on this host`);
    await on(Number(victim.machine), `kill -KILL ${pid}`);
    const killedAt = Date.now();
    // A command that finds it silent looks on its host and starts it again.
    const said: string[] = [];
    await waitFor(
      `a change to go through with member ${victim.member} killed`,
      async () => {
        const set = await runCli('model-config', 'update-status-hook-interval=7m');
        said.push(...set.err);
        return set.code === 0;
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    const next = await active();
    console.log(
      `member ${id} killed on machine ${victim.machine}; a change went through ` +
        `${Date.now() - killedAt} ms later, member ${next.id} active`,
    );
    const restarted = await waitFor(
      `member ${victim.member} to answer again on machine ${victim.machine}`,
      async () => {
        const now = (await members())[victim.member];
        return now && now.pid !== pid ? now : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    expect(restarted.pid).not.toBe(pid);
    expect(said.join('\n')).toMatch(
      new RegExp(
        `member ${victim.member} on machine ${victim.machine} .*was not running: started it again`,
      ),
    );
    const config = await runCli('model-config');
    expect(config.out.join('\n')).toMatch(/update-status-hook-interval:\s+value: 7m/);
  }, 120_000);

  it('destroy-controller stops the members on their hosts and removes their files', async () => {
    const r = await runCli('destroy-controller', NAME, '--yes');
    expect(r.code, r.err.join('\n')).toBe(0);
    for (const i of [0, 1]) {
      expect(await on(i, `ls ${controllerPaths(home, NAME).dir} 2>/dev/null | wc -l`)).toBe('0\n');
      expect(await on(i, 'ss -Hltn')).not.toMatch(/:1707[012]\b/);
    }
  }, 120_000);
});
