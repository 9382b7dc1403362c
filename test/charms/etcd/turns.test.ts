// Turns to join: the leader's queue in leader settings `joining`, a follower's wait for the units
// ahead of it, the bootstrap that hands out the first turn without waiting for etcd's first
// election, and the guard against two joins at once.
import { describe, expect, it } from 'vitest';
import {
  memberAddCommand,
  observeCommand,
  untilListeningCommand,
  waitHealthyCommand,
} from '../../../charms/etcd/member-commands.js';
import {
  clientUrl,
  envFor,
  etcdctlAs,
  harness,
  member,
  memberAddJson,
  memberListJson,
  ownViewAnswers,
  unitState,
} from './fixtures.js';

const TOKEN = 'a'.repeat(32);
const READY = { 'member-ready': 'true' };
const STARTED = { 'member-ready': 'true', 'member-started': 'true' };
const viaLeader = [clientUrl('etcd/0')];
const settings = (joining: string) => ({
  token: TOKEN,
  cluster: 'etcd-0=https://192.0.2.1:2380',
  client_urls: clientUrl('etcd/0'),
  joining,
});
const started = { member: { token: TOKEN, initialCluster: 'x', state: 'new' } } as const;

describe('etcd: the bootstrap hands out the first turn', () => {
  it('with peers to join: queues them, the ready one first, and does not wait for the first election', async () => {
    const state = unitState('etcd/0', {
      leader: true,
      peers: ['etcd/1', 'etcd/2'],
      peerExtra: { 'etcd/2': READY },
    });
    const out = await harness.run(state, 'install');
    expect(out.ok).toBe(true);
    expect(out.state.leaderSettings?.['joining']).toBe('etcd/2,etcd/1');
    expect(out.machineCalls).not.toContainEqual({
      op: 'run',
      command: waitHealthyCommand(envFor('etcd/0')),
    });
    // Only until its port listens: a joiner asking a closed port would wait out gRPC's backoff.
    const calls = out.machineCalls.map((c) =>
      c.op === 'run' ? c.command : c.op === 'service' ? `${c.action} ${c.name}` : c.op,
    );
    const started = calls.findIndex((c) => c === 'start etcd' || c === 'restart etcd');
    expect(started).toBeGreaterThan(-1);
    expect(calls.indexOf(untilListeningCommand(envFor('etcd/0'), 10))).toBeGreaterThan(started);
    expect(out.state.status).toEqual({ kind: 'maintenance', message: 'Waiting for etcd to start' });
  });

  it('with nobody ready yet: all are queued by number, each to join once its certificates come', async () => {
    const state = unitState('etcd/0', { leader: true, peers: ['etcd/2', 'etcd/1'] });
    const out = await harness.run(state, 'install');
    expect(out.state.leaderSettings?.['joining']).toBe('etcd/1,etcd/2');
  });

  it('queues the units the model expects before it heard from them, and does not wait', async () => {
    const state = { ...unitState('etcd/0', { leader: true }), goalUnits: ['etcd/0', 'etcd/1'] };
    const out = await harness.run(state, 'install');
    expect(out.state.leaderSettings?.['joining']).toBe('etcd/1');
    expect(out.machineCalls).not.toContainEqual({
      op: 'run',
      command: waitHealthyCommand(envFor('etcd/0')),
    });
    expect(out.state.status).toEqual({ kind: 'maintenance', message: 'Waiting for etcd to start' });
  });

  it('alone: waits for its own health and reports it', async () => {
    const alone = unitState('etcd/0', {
      leader: true,
      run: ownViewAnswers('etcd/0', [member('etcd/0')]),
    });
    const out = await harness.run(alone, 'install');
    expect(out.machineCalls).toContainEqual({
      op: 'run',
      command: observeCommand(envFor('etcd/0'), [clientUrl('etcd/0')]),
    });
    expect(out.state.leaderSettings?.['joining']).toBeUndefined();
    expect(out.state.status).toEqual({ kind: 'active', message: 'Healthy with 1 known peer' });
  });
});

describe('etcd: the leader keeps the queue', () => {
  const leader = (joining: string, extra: Record<string, Record<string, string>>) =>
    unitState('etcd/0', {
      leader: true,
      peers: ['etcd/1', 'etcd/2', 'etcd/10'],
      peerExtra: extra,
      leaderSettings: settings(joining),
      stored: started,
      run: ownViewAnswers('etcd/0', [member('etcd/0')]),
    });

  it('queues ready units first, in unit order, then those still without certificates', async () => {
    const out = await harness.run(
      leader('', { 'etcd/1': READY, 'etcd/2': READY, 'etcd/10': {} }),
      'update-status',
    );
    expect(out.state.leaderSettings?.['joining']).toBe('etcd/1,etcd/2,etcd/10');
  });

  it('keeps the order it gave: a unit told it is next stays next', async () => {
    const out = await harness.run(
      leader('etcd/10', { 'etcd/1': READY, 'etcd/2': READY, 'etcd/10': READY }),
      'update-status',
    );
    expect(out.state.leaderSettings?.['joining']).toBe('etcd/10,etcd/1,etcd/2');
  });

  it('a queued unit still without certificates gives way once another is ready', async () => {
    const out = await harness.run(leader('etcd/1', { 'etcd/2': READY }), 'update-status');
    expect(out.state.leaderSettings?.['joining']).toBe('etcd/2,etcd/1,etcd/10');
  });
});

describe('etcd: a follower in the queue', () => {
  const addEtcd2 = memberAddCommand(envFor('etcd/2'), viaLeader);
  const follower = (
    peerExtra: Record<string, Record<string, string>>,
    members = [member('etcd/0')],
  ) =>
    unitState('etcd/2', {
      peers: ['etcd/0', 'etcd/1'],
      peerExtra,
      leaderSettings: settings('etcd/1,etcd/2'),
      run: {
        [etcdctlAs('etcd/2', viaLeader, { op: 'member list' })]: memberListJson(members),
        [addEtcd2]: memberAddJson(member('etcd/2'), members),
        ...ownViewAnswers('etcd/2', [...members, member('etcd/2')]),
      },
    });

  it('waits while the unit ahead of it has not started', async () => {
    const out = await harness.run(follower({ 'etcd/1': READY }), 'leader-settings-changed');
    expect(out.state.status).toEqual({
      kind: 'waiting',
      message: 'Waiting to join the cluster (etcd/1 is joining)',
    });
    expect(out.machineCalls).not.toContainEqual({ op: 'run', command: addEtcd2 });
  });

  it('adds itself as soon as the unit ahead says it started, with no leader hook between', async () => {
    const members = [member('etcd/0'), member('etcd/1')];
    const out = await harness.run(follower({ 'etcd/1': STARTED }, members), {
      kind: 'relation-changed',
      relationId: 1,
      remoteUnit: 'etcd/1',
    });
    expect(out.ok).toBe(true);
    expect(out.machineCalls).toContainEqual({ op: 'run', command: addEtcd2 });
    expect(out.state.machine?.services?.['etcd']?.spec.command).toContain(
      '--initial-cluster-state=existing',
    );
  });

  it('never adds itself while another unit’s member is added but not started', async () => {
    const members = [member('etcd/0'), member('etcd/1', false)];
    const out = await harness.run(follower({ 'etcd/1': STARTED }, members), 'update-status');
    expect(out.machineCalls).not.toContainEqual({ op: 'run', command: addEtcd2 });
    expect(out.state.status?.kind).toBe('waiting');
    expect(out.state.status?.message).toMatch(/^Waiting to join the cluster \(1001 is starting\)$/);
  });
});
