// Less common paths through reconcile: a leader that is no member yet, a member whose start was
// never recorded, and etcd from the snap with its own layout.
import { describe, expect, it } from 'vitest';
import { memberDataCommand, unitProbeCommand } from '../../../charms/etcd/charm.js';
import { snapInstallCommand, versionCommand } from '../../../charms/etcd/workload/install-steps.js';
import { layoutFor } from '../../../charms/etcd/workload/paths.js';
import { memberAddCommand } from '../../../charms/etcd/member-commands.js';
import {
  PEERS_ID,
  VERSION_OUTPUT,
  clientUrl,
  envFor,
  etcdctlAs,
  harness,
  member,
  memberAddJson,
  memberListJson,
  observeAnswers,
  ownViewAnswers,
  probeAnswer,
  unitState,
} from './fixtures.js';

const TOKEN = 'e'.repeat(32);
const viaEtcd0 = [clientUrl('etcd/0')];

describe('etcd: recovery paths', () => {
  it('a new leader that is no member yet gives itself the turn and joins', async () => {
    const add = memberAddCommand(envFor('etcd/1'), viaEtcd0);
    const state = unitState('etcd/1', {
      leader: true,
      peers: ['etcd/0'],
      leaderSettings: { token: TOKEN, client_urls: clientUrl('etcd/0') },
      run: {
        // As the leader it looks at the cluster first, then joins it.
        ...observeAnswers('etcd/1', viaEtcd0, [member('etcd/0')]),
        [etcdctlAs('etcd/1', viaEtcd0, { op: 'member list' })]: memberListJson([member('etcd/0')]),
        [add]: memberAddJson(member('etcd/1'), [member('etcd/0')]),
        ...ownViewAnswers('etcd/1', [member('etcd/0'), member('etcd/1')]),
      },
    });
    const out = await harness.run(state, 'leader-elected');
    expect(out.ok).toBe(true);
    expect(out.machineCalls).toContainEqual({ op: 'run', command: add });
    expect(out.state.leaderSettings?.['joining']).toBeUndefined();
    expect(out.state.leaderSettings?.['client_urls']).toBe(
      'https://192.0.2.1:2379,https://192.0.2.2:2379',
    );
    expect(out.state.status).toEqual({ kind: 'active', message: 'Healthy with 2 known peers' });
  });

  it('data on disk but no record (a hook that crashed after starting): runs it, adds nothing', async () => {
    const [probe, facts] = probeAnswer('etcd/1', { memberData: true });
    const state = unitState('etcd/1', {
      peers: ['etcd/0'],
      leaderSettings: { token: TOKEN, cluster: 'etcd-0=https://192.0.2.1:2380' },
      run: { [probe]: facts, ...ownViewAnswers('etcd/1', [member('etcd/0'), member('etcd/1')]) },
    });
    const out = await harness.run(state, 'start');
    expect(out.ok).toBe(true);
    expect(out.machineCalls.some((c) => c.op === 'run' && c.command.includes("'add'"))).toBe(false);
    expect(out.state.machine?.services?.['etcd']?.spec.command).toEqual(
      expect.arrayContaining([
        '--initial-cluster-state=existing',
        '--initial-cluster=etcd-0=https://192.0.2.1:2380,etcd-1=https://192.0.2.2:2380',
      ]),
    );
    expect(out.state.stored?.['member']).toMatchObject({ token: TOKEN, state: 'existing' });
  });

  it('an installed unit that is no member looks only for member data on a relation hook', async () => {
    const installed = {
      setting: 'auto',
      source: 'package',
      hostname: 'host-etcd-1',
      verified: { bin: '/usr/bin/etcd', stamp: '1:2:3', version: '3.4.23' },
    };
    const state = unitState('etcd/1', {
      peers: ['etcd/0'],
      leaderSettings: { token: TOKEN, cluster: 'etcd-0=https://192.0.2.1:2380' },
      stored: { installed },
      run: {
        [memberDataCommand('etcd/1')]: 'yes\n',
        ...ownViewAnswers('etcd/1', [member('etcd/0'), member('etcd/1')]),
      },
    });
    const out = await harness.run(state, {
      kind: 'relation-changed',
      relationId: PEERS_ID,
      remoteUnit: 'etcd/0',
    });
    expect(out.ok).toBe(true);
    // No probe (dpkg's database, a dozen processes) and no version asked: the record stands.
    const commands = out.machineCalls.flatMap((c) => (c.op === 'run' ? [c.command] : []));
    expect(commands).not.toContain(unitProbeCommand('etcd/1'));
    expect(commands).toContain(memberDataCommand('etcd/1'));
    // The data a crashed hook left is still found: the member is run, not added again.
    expect(commands.some((c) => c.includes("'add'"))).toBe(false);
    expect(out.state.stored?.['member']).toMatchObject({ token: TOKEN, state: 'existing' });
  });

  it('with snapd and no package: installs the snap and uses its confined paths', async () => {
    const snap = layoutFor('snap');
    const [, facts] = probeAnswer('etcd/0', { package: 'none', snapd: true });
    const state = unitState('etcd/0', {
      leader: true,
      run: {
        [unitProbeCommand('etcd/0')]: facts,
        [snapInstallCommand('3.4/stable', 'max')]: '',
        [versionCommand('/snap/bin/etcd')]: VERSION_OUTPUT,
        ...ownViewAnswers('etcd/0', [member('etcd/0')], [], snap),
      },
    });
    const out = await harness.run(state, 'install');
    expect(out.ok).toBe(true);
    const command = out.state.machine?.services?.['etcd']?.spec.command ?? [];
    expect(command[0]).toBe('/snap/bin/etcd');
    expect(command).toContain('--data-dir=/var/snap/etcd/common/etcd-0');
    expect(command).toContain('--cert-file=/var/snap/etcd/common/tls/server.crt');
    expect(Object.keys(out.state.machine?.files ?? {})).toContain(
      '/var/snap/etcd/common/tls/server.key',
    );
  });

  it('a leader whose bootstrap crashed before its commit publishes a token again', async () => {
    const [probe, facts] = probeAnswer('etcd/0', { memberData: true });
    const state = unitState('etcd/0', {
      leader: true,
      peers: ['etcd/1'],
      run: { [probe]: facts, ...ownViewAnswers('etcd/0', [member('etcd/0')]) },
    });
    const out = await harness.run(state, 'start');
    expect(out.state.leaderSettings?.['token']).toMatch(/^[0-9a-f]{32}$/);
    expect(out.state.leaderSettings?.['joining']).toBe('etcd/1');
    expect(out.state.machine?.services?.['etcd']?.spec.command).toContain(
      '--initial-cluster=etcd-0=https://192.0.2.1:2380',
    );
  });

  it('remove deletes the service, the member data and the private keys', async () => {
    const rm =
      "rm -rf '/var/lib/etcd/etcd-1' '/etc/etcd/tls/server.key' '/etc/etcd/tls/client.key'";
    const out = await harness.run(
      {
        unit: 'etcd/1',
        stored: { installed: { setting: 'auto', source: 'package' } },
        machine: {
          run: { [rm]: '' },
          services: {
            etcd: { spec: { name: 'etcd', command: ['/usr/bin/etcd'] }, state: 'stopped' },
          },
        },
      },
      'remove',
    );
    expect(out.ok).toBe(true);
    expect(out.machineCalls).toContainEqual({ op: 'run', command: rm });
    expect(out.state.machine?.services).toEqual({});
  });
});
