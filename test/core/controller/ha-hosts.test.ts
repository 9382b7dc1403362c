// enable-ha --to's checks before anything changes (core/controller/ha-hosts.ts): the machines
// named (count, known, manual, alive, one per host) and what each host has (Rune, Node.js, etcd),
// with every connection closed when one fails. Hosts are FAKE machines answering the check.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { placementMachines, reachHosts } from '../../../core/controller/ha-hosts.js';
import type { MachineRecord } from '../../../core/store/types.js';
import type { FakeMachine } from '../../fakes/fake-machine.js';
import { FakeWorld } from '../../fakes/fake-machine.js';
import { machineRecord } from '../../fakes/machine-record.js';

const keyFile = join(mkdtempSync(join(tmpdir(), 'rune-ha-hosts-')), 'key');
writeFileSync(keyFile, 'not a real key', { mode: 0o600 });

const record = (id: string, over: Partial<MachineRecord> = {}): MachineRecord => ({
  ...machineRecord(id, { keyFile }),
  life: 'alive',
  createdAt: '2026-12-07T00:00:00Z',
  ...over,
});

const RUNTIME = { node: '/usr/bin/node', script: '/opt/rune/dist/core/cli/rune.js', probe: '/p' };

describe('placementMachines', () => {
  const machines = [record('0'), record('1'), record('2', { provider: 'local' })];
  const cases: [string, string[], RegExp][] = [
    ['too few', ['0'], /-n 3 --to needs 2 machines .*got 1; nothing was changed/],
    ['too many', ['0', '1', '3'], /needs 2 machines .*got 3/],
    ['unknown', ['0', '7'], /--to 7: no such machine \(known: 0, 1, 2\)/],
    ['twice', ['1', '1'], /--to 1: named twice: one member per host/],
    ['local', ['0', '2'], /--to 2: is a local machine; members go on manual machines/],
  ];
  for (const [what, to, message] of cases) {
    it(`refuses ${what}`, () => {
      expect(() => placementMachines(to, 3, machines)).toThrow(message);
    });
  }

  it('refuses two machines on one host, and a dying one', () => {
    const same = [record('0'), record('1', { address: '10.0.0.0' })];
    expect(() => placementMachines(['0', '1'], 3, same)).toThrow(
      /--to 1: is the same host as machine 0 \(10\.0\.0\.0\): one member per host/,
    );
    const dying = [record('0'), record('1', { life: 'dying' })];
    expect(() => placementMachines(['0', '1'], 3, dying)).toThrow(/--to 1: is dying/);
  });

  it('gives the machines in member order', () => {
    expect(placementMachines(['1', '0'], 3, machines).map((m) => m.id)).toEqual(['1', '0']);
  });
});

describe('reachHosts', () => {
  /** Hosts 10.0.0.0 and 10.0.0.1 answer the check; `lacking` says what one has not. */
  function world(lacking: Record<string, string> = {}) {
    const w = new FakeWorld();
    const machines: FakeMachine[] = [];
    w.hosts.add('10.0.0.0').add('10.0.0.1');
    w.hostKey = 'SHA256:x'; // the key add-machine pinned (machineRecord's)
    w.answer = (host) => {
      const has = (what: string) => lacking[host] !== what;
      return [
        'from=10.0.0.254',
        `at=${host}`,
        `node=${has('node') ? RUNTIME.node : ''}`,
        ...(has('rune') ? ['rune=yes'] : []),
        `etcd=${has('etcd') ? '/usr/bin/etcd' : ''}`,
      ].join('\n');
    };
    const connect = w.connect;
    return {
      w,
      machines,
      connect: (async (...args) => {
        const made = await connect(...args);
        machines.push(made.machine as FakeMachine);
        return made;
      }) as typeof connect,
    };
  }

  it("finds each host's address and this one's as it sees it, with the pinned host key", async () => {
    const { w, connect } = world();
    const hosts = await reachHosts([record('0'), record('1')], connect, RUNTIME);
    expect(hosts.map((h) => [h.member, h.address, h.seenFrom, h.etcd])).toEqual([
      [1, '10.0.0.0', '10.0.0.254', '/usr/bin/etcd'],
      [2, '10.0.0.1', '10.0.0.254', '/usr/bin/etcd'],
    ]);
    expect(w.attempts.map((a) => a.policy.pinned)).toEqual(['SHA256:x', 'SHA256:x']);
  });

  it("tells a host that shares this one's files (it sees the probe)", async () => {
    const { w, connect } = world();
    const answer = w.answer;
    w.answer = (host, command) =>
      `${answer?.(host, command) ?? ''}${host === '10.0.0.1' ? '\nshared=yes' : ''}`;
    const hosts = await reachHosts([record('0'), record('1')], connect, RUNTIME);
    expect(hosts.map((h) => h.sharedFiles)).toEqual([false, true]);
  });

  const missing: [string, RegExp][] = [
    [
      'rune',
      /machine 1 \(10\.0\.0\.1\) has no Rune at \/opt\/rune\/dist\/core\/cli\/rune\.js: install/,
    ],
    ['node', /machine 1 \(10\.0\.0\.1\) has no Node\.js: install Node\.js 20/],
    ['etcd', /machine 1 \(10\.0\.0\.1\) has no etcd: install Debian's etcd-server/],
  ];
  for (const [what, message] of missing) {
    it(`refuses a host without ${what}, and closes every connection it made`, async () => {
      const { machines, connect } = world({ '10.0.0.1': what });
      await expect(reachHosts([record('0'), record('1')], connect, RUNTIME)).rejects.toThrow(
        message,
      );
      expect(machines).toHaveLength(2);
      expect(machines.every((m) => m.closed)).toBe(true);
    });
  }

  it('refuses an unreachable host, naming it', async () => {
    const { w, machines, connect } = world();
    w.down.add('10.0.0.1');
    await expect(reachHosts([record('0'), record('1')], connect, RUNTIME)).rejects.toThrow(
      /machine 1 \(10\.0\.0\.1\) cannot take a controller member: cannot reach 10\.0\.0\.1:22/,
    );
    expect(machines.every((m) => m.closed)).toBe(true);
  });
});
