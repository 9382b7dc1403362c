// Joining one unit at a time through the leader, the leader's turns and clean-up of members
// whose units are gone, and a departing unit removing its own member.
import { describe, expect, it } from 'vitest';
import type { HarnessState } from '../../../core/charm/index.js';
import {
  memberAddCommand,
  memberRemoveCommand,
  observeCommand,
} from '../../../charms/etcd/member-commands.js';
import {
  clientUrl,
  envFor,
  etcdctlAs,
  harness,
  idOf,
  member,
  memberAddJson,
  memberListJson,
  observeAnswers,
  ownViewAnswers,
  unitState,
} from './fixtures.js';

const TOKEN = 'f'.repeat(32);
const settings = (joining?: string) => ({
  token: TOKEN,
  cluster: 'etcd-0=https://192.0.2.1:2380',
  client_urls: clientUrl('etcd/0'),
  ...(joining === undefined ? {} : { joining }),
});
const viaLeader = [clientUrl('etcd/0')];
const addEtcd1 = memberAddCommand(envFor('etcd/1'), viaLeader);
const started = { member: { token: TOKEN, initialCluster: 'x', state: 'new' } } as const;

/** etcd/1 on its turn: the leader's member list shows etcd/0 alone and its add succeeds. */
const joiner = (run: NonNullable<HarnessState['machine']>['run']) =>
  unitState('etcd/1', {
    peers: ['etcd/0'],
    leaderSettings: settings('etcd/1'),
    run: {
      [etcdctlAs('etcd/1', viaLeader, { op: 'member list' })]: memberListJson([member('etcd/0')]),
      [addEtcd1]: memberAddJson(member('etcd/1'), [member('etcd/0')]),
      ...run,
    },
  });

describe('etcd: a follower joins', () => {
  it('on its turn: member add through the cluster, then starts with state existing', async () => {
    const state = joiner(ownViewAnswers('etcd/1', [member('etcd/0'), member('etcd/1')]));
    const out = await harness.run(state, 'leader-settings-changed');
    expect(out.ok).toBe(true);
    const calls = out.machineCalls.map((c) => (c.op === 'run' ? c.command : `${c.op}`));
    expect(calls.indexOf(addEtcd1)).toBeGreaterThan(-1);
    expect(calls.indexOf(addEtcd1)).toBeLessThan(calls.indexOf('service'));
    const service = out.state.machine?.services?.['etcd'];
    expect(service?.state).toBe('running');
    expect(service?.spec.command).toEqual(
      expect.arrayContaining([
        '--initial-cluster-state=existing',
        '--initial-cluster=etcd-0=https://192.0.2.1:2380,etcd-1=https://192.0.2.2:2380',
        `--initial-cluster-token=${TOKEN}`,
      ]),
    );
    expect(out.state.relations?.[0]?.local).toMatchObject({
      unit_name: 'etcd-1',
      public_address: '192.0.2.2',
      management_port: '2380',
      'member-started': 'true',
    });
    expect(out.state.status).toEqual({ kind: 'active', message: 'Healthy with 2 known peers' });
  });

  it('a member that does not serve at once is asked again, and passes the turn when it does', async () => {
    const members = [member('etcd/0'), member('etcd/1')];
    const look = observeCommand(envFor('etcd/1'), [clientUrl('etcd/1')]);
    const answer = (unhealthy: string[]) =>
      observeAnswers('etcd/1', [clientUrl('etcd/1')], members, unhealthy)[look]!;
    const state = joiner({
      ...ownViewAnswers('etcd/1', members),
      [look]: [answer(['etcd/1']), answer(['etcd/1']), answer([])],
      'sleep 0.05': '',
    });
    const out = await harness.run(state, 'leader-settings-changed');
    expect(out.ok).toBe(true);
    expect(out.machineCalls.filter((c) => c.op === 'run' && c.command === look)).toHaveLength(3);
    expect(out.state.relations?.[0]?.local).toMatchObject({ 'member-started': 'true' });
    expect(out.state.status).toEqual({ kind: 'active', message: 'Healthy with 2 known peers' });
  });

  it('a re-run after a crash finds itself in member list and never adds itself twice', async () => {
    const pending = [member('etcd/0'), member('etcd/1', false)];
    const state = unitState('etcd/1', {
      peers: ['etcd/0'],
      leaderSettings: settings('etcd/1'),
      run: {
        [etcdctlAs('etcd/1', viaLeader, { op: 'member list' })]: memberListJson(pending),
        ...ownViewAnswers('etcd/1', [member('etcd/0'), member('etcd/1')]),
      },
    });
    const out = await harness.run(state, 'update-status');
    expect(out.ok).toBe(true);
    expect(out.machineCalls).not.toContainEqual({ op: 'run', command: addEtcd1 });
    expect(out.state.machine?.services?.['etcd']?.spec.command).toContain(
      '--initial-cluster=etcd-0=https://192.0.2.1:2380,etcd-1=https://192.0.2.2:2380',
    );
  });

  it('not its turn: waits, publishes that it is ready, and starts nothing', async () => {
    const state = unitState('etcd/1', { peers: ['etcd/0'], leaderSettings: settings('etcd/2') });
    const out = await harness.run(state, 'leader-settings-changed');
    expect(out.state.status).toEqual({
      kind: 'waiting',
      message: 'Waiting to join the cluster (etcd/2 is joining)',
    });
    expect(out.state.machine?.services).toEqual({});
    expect(out.state.relations?.[0]?.local?.['unit_name']).toBe('etcd-1');
  });

  it('before the leader bootstrapped: waits for it', async () => {
    const out = await harness.run(unitState('etcd/1', { peers: ['etcd/0'] }), 'install');
    expect(out.state.status).toEqual({
      kind: 'waiting',
      message: 'Waiting for the leader to bootstrap the cluster',
    });
  });
});

describe('etcd: the leader hands out turns', () => {
  const leader = (
    members: ReturnType<typeof member>[],
    options: {
      joining?: string;
      peers?: string[];
      unhealthy?: string[];
      run?: HarnessState['machine'];
    } = {},
  ) =>
    unitState('etcd/0', {
      leader: true,
      peers: options.peers ?? ['etcd/1', 'etcd/10', 'etcd/2'],
      leaderSettings: settings(options.joining),
      stored: started,
      run: { ...ownViewAnswers('etcd/0', members, options.unhealthy), ...options.run?.run },
    });

  it('queues the units that are not members yet, by unit number', async () => {
    const out = await harness.run(leader([member('etcd/0')]), 'update-status');
    expect(out.state.leaderSettings?.['joining']).toBe('etcd/1,etcd/2,etcd/10');
    expect(out.state.status).toEqual({ kind: 'active', message: 'Healthy with 1 known peer' });
  });

  it('keeps the turn while the joining member is added but not started', async () => {
    const out = await harness.run(
      leader([member('etcd/0'), member('etcd/1', false)]),
      'update-status',
    );
    expect(out.state.leaderSettings?.['joining']).toBe('etcd/1,etcd/2,etcd/10');
    expect(out.state.status).toEqual({
      kind: 'waiting',
      message: 'Unhealthy with 2 known peers: 1 not started',
    });
  });

  it('moves on to the next unit once the member started', async () => {
    const out = await harness.run(
      leader([member('etcd/0'), member('etcd/1')], { joining: 'etcd/1' }),
      { kind: 'relation-changed', relationId: 1, remoteUnit: 'etcd/1' },
    );
    expect(out.state.leaderSettings?.['joining']).toBe('etcd/2,etcd/10');
    expect(out.state.leaderSettings?.['client_urls']).toBe(
      'https://192.0.2.1:2379,https://192.0.2.2:2379',
    );
  });

  it('removes a member whose unit is gone and that no longer answers', async () => {
    const gone = member('etcd/3');
    const remove = memberRemoveCommand(
      envFor('etcd/0'),
      [clientUrl('etcd/0')],
      idOf('etcd/3'),
      3,
      2,
    );
    const out = await harness.run(
      leader([member('etcd/0'), gone], {
        peers: [],
        unhealthy: ['etcd/3'],
        run: { run: { [remove]: '' } },
      }),
      'update-status',
    );
    expect(out.machineCalls).toContainEqual({ op: 'run', command: remove });
    expect(out.state.status).toEqual({ kind: 'active', message: 'Healthy with 1 known peer' });
  });

  it('never removes a member that still answers (a departing leader sees peers leave)', async () => {
    // The leader is the one being removed: it is absent from goal-state, its peer is not.
    const out = await harness.run(
      { ...leader([member('etcd/0'), member('etcd/1')], { peers: [] }), goalUnits: ['etcd/1'] },
      'update-status',
    );
    expect(out.ok).toBe(true);
    expect(out.machineCalls.filter((c) => c.op === 'run' && c.command.includes('remove'))).toEqual(
      [],
    );
    expect(out.state.leaderSettings?.['joining']).toBeUndefined();
  });

  it('removes the member of a unit being removed while it still answers, and tells the followers', async () => {
    // etcd/3 is on its way out (absent from goal-state); its own removal would come after the
    // peers' -departed hooks, and nothing would tell them then.
    const remove = memberRemoveCommand(
      envFor('etcd/0'),
      [clientUrl('etcd/0'), clientUrl('etcd/3')],
      idOf('etcd/3'),
      3,
      2,
    );
    const out = await harness.run(
      leader([member('etcd/0'), member('etcd/3')], { peers: [], run: { run: { [remove]: '' } } }),
      'update-status',
    );
    expect(out.machineCalls).toContainEqual({ op: 'run', command: remove });
    expect(out.state.leaderSettings?.['client_urls']).toBe('https://192.0.2.1:2379');
    expect(out.state.status).toEqual({ kind: 'active', message: 'Healthy with 1 known peer' });
  });

  it('gives no turn while a member nobody accounts for is pending and cannot be removed', async () => {
    const stray = member('etcd/7', false);
    const remove = memberRemoveCommand(envFor('etcd/0'), [clientUrl('etcd/0')], stray.id, 3, 2);
    const out = await harness.run(
      leader([member('etcd/0'), stray], {
        joining: 'etcd/1',
        run: { run: { [remove]: { code: 1, stderr: 'Error: etcdserver: unhealthy cluster' } } },
      }),
      'update-status',
    );
    expect(out.state.leaderSettings?.['joining']).toBeUndefined();
    expect(out.logs.map((l) => l.message).join('\n')).toContain('cannot remove member');
  });
});

describe('etcd: a departing unit', () => {
  const listed = etcdctlAs('etcd/1', [clientUrl('etcd/1'), clientUrl('etcd/0')], {
    op: 'member list',
  });
  const remove = memberRemoveCommand(
    envFor('etcd/1'),
    [clientUrl('etcd/0'), clientUrl('etcd/2')],
    idOf('etcd/1'),
    40,
    0.5,
  );
  const three = [member('etcd/0'), member('etcd/1'), member('etcd/2')];
  // By `stop` every relation is gone (-departed, -broken came first); the files remain.
  const departing = (run: HarnessState['machine']): HarnessState => ({
    unit: 'etcd/1',
    leaderSettings: settings(),
    stored: { ...started, installed: { setting: 'auto', source: 'package' } },
    machine: {
      ...run,
      services: { etcd: { spec: { name: 'etcd', command: ['/usr/bin/etcd'] }, state: 'running' } },
    },
  });

  it('removes its own member through the others, then stops its service', async () => {
    const out = await harness.run(
      departing({ run: { [listed]: memberListJson(three), [remove]: '' } }),
      'stop',
    );
    expect(out.ok).toBe(true);
    const runs = out.machineCalls.flatMap((c) => (c.op === 'run' ? [c.command] : []));
    expect(runs).toEqual([listed, remove]);
    expect(out.state.machine?.services?.['etcd']?.state).toBe('stopped');
    expect(out.state.stored?.['member']).toBeUndefined();
    expect(out.state.status).toEqual({ kind: 'maintenance', message: 'Stopped' });
  });

  it('does the same when its peer relation breaks, and the later stop has nothing left to do', async () => {
    const state: HarnessState = {
      ...departing({ run: { [listed]: memberListJson(three), [remove]: '' } }),
      relations: [{ id: 1, endpoint: 'cluster', remoteApp: 'etcd' }],
    };
    const broken = await harness.run(state, { kind: 'relation-broken', relationId: 1 });
    expect(broken.machineCalls).toContainEqual({ op: 'run', command: remove });
    const stop = await harness.run(broken.state, 'stop');
    expect(stop.machineCalls.filter((c) => c.op === 'run')).toEqual([]);
  });

  it('the last member leaves nothing to remove from and just stops', async () => {
    const out = await harness.run(
      departing({ run: { [listed]: memberListJson([member('etcd/1')]) } }),
      'stop',
    );
    expect(out.ok).toBe(true);
    expect(out.state.machine?.services?.['etcd']?.state).toBe('stopped');
  });

  it('an unreachable cluster is logged, and the unit still stops', async () => {
    const out = await harness.run(
      departing({ run: { [listed]: { code: 1, stderr: 'Error: context deadline exceeded' } } }),
      'stop',
    );
    expect(out.ok).toBe(true);
    expect(out.logs.map((l) => l.message).join('\n')).toContain('cannot reach the cluster');
    expect(out.state.machine?.services?.['etcd']?.state).toBe('stopped');
  });
});
