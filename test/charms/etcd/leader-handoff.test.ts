// A change that restarts a running member (config, new charm code, new certificates): a member
// that leads hands leadership to the peer restarted most recently before it restarts, then the
// hook waits for its own member to serve again; a follower just restarts.
import { describe, expect, it } from 'vitest';
import type { HarnessState, RunAnswer } from '../../../core/charm/index.js';
import { bothCommand, etcdctlCommand } from '../../../charms/etcd/workload/etcdctl.js';
import { handoffTarget } from '../../../charms/etcd/workload/leader-handoff.js';
import type { Member } from '../../../charms/etcd/workload/cluster.js';
import { serverDigest } from '../../../charms/etcd/tls.js';
import {
  CA,
  clientUrl,
  envFor,
  etcdctlAs,
  harness,
  idOf,
  member,
  memberListJson,
  ownViewAnswers,
  serverCert,
  serverKey,
  unitState,
} from './fixtures.js';

const three = [member('etcd/0'), member('etcd/1'), member('etcd/2')];

/** `endpoint status -w json` from etcd/0's member, with `leader` as the leader's id. */
const statusJson = (leader: bigint) =>
  `[{"Endpoint":"${clientUrl('etcd/0')}","Status":{"header":{"cluster_id":1,"member_id":${idOf('etcd/0')},` +
  `"revision":7,"raft_term":2},"version":"3.4.23","dbSize":20480,"leader":${leader}}}]`;

function handoffProbe(): string {
  const env = envFor('etcd/0');
  const own = {
    endpoints: [env.clientUrl],
    cacert: env.tls.ca,
    cert: env.tls.serverCert,
    key: env.tls.serverKey,
    bin: env.layout.etcdctl,
  };
  return bothCommand(
    etcdctlCommand(own, { op: 'endpoint status' }),
    etcdctlCommand(own, { op: 'member list' }),
  );
}

/** What the bothCommand of status and member list prints when both answer. */
const handoffAnswer = (leader: bigint): RunAnswer =>
  `${memberListJson(three)}\n@@rune-both@@ 0 0\n${statusJson(leader)}`;

const moveTo = (unit: string) =>
  etcdctlAs('etcd/0', [clientUrl('etcd/0')], { op: 'move-leader', to: idOf(unit) });

/** etcd/0 running a member of three; etcd/1 restarted long ago, etcd/2 a moment ago. */
async function runningMember(leader: bigint): Promise<HarnessState> {
  const state = unitState('etcd/0', {
    peers: ['etcd/1', 'etcd/2'],
    peerExtra: {
      'etcd/1': { 'member-restarted': '2026-12-01T10:00:00.000Z' },
      'etcd/2': { 'member-restarted': '2026-12-07T10:00:00.000Z' },
    },
    leaderSettings: { token: 'a'.repeat(32), client_urls: clientUrl('etcd/1') },
    stored: {
      member: {
        token: 'a'.repeat(32),
        initialCluster: 'etcd-0=https://192.0.2.1:2380',
        state: 'existing',
      },
      // Its certificates were written when it started: no restart for them is pending.
      'tls-digest': serverDigest(envFor('etcd/0').tls, {
        ca: CA,
        serverCert: serverCert('etcd/0'),
        serverKey: serverKey('etcd/0'),
      }),
    },
    run: {
      ...ownViewAnswers('etcd/0', three),
      [handoffProbe()]: handoffAnswer(leader),
      [moveTo('etcd/2')]: '',
    },
  });
  const first = await harness.run(state, 'update-status');
  expect(first.state.status?.kind).toBe('active');
  return first.state;
}

const commands = (calls: readonly { op: string; command?: string }[]) =>
  calls.flatMap((c) => (c.op === 'run' && c.command !== undefined ? [c.command] : []));

describe('etcd: restarting a member without an election', () => {
  it('a leading member hands leadership to the most recently restarted peer, then restarts', async () => {
    const state = await runningMember(idOf('etcd/0'));
    const out = await harness.run({ ...state, config: { snapshot_count: 5000 } }, 'config-changed');
    expect(out.ok).toBe(true);
    const ran = commands(out.machineCalls);
    expect(ran).toContain(moveTo('etcd/2'));
    const moved = out.machineCalls.findIndex(
      (c) => 'command' in c && c.command === moveTo('etcd/2'),
    );
    const restarted = out.machineCalls.findIndex(
      (c) => c.op === 'service' && 'action' in c && c.action === 'restart',
    );
    expect(moved).toBeGreaterThanOrEqual(0);
    expect(restarted).toBeGreaterThan(moved);
    expect(out.state.machine?.services?.['etcd']?.spec.command).toContain('--snapshot-count=5000');
    expect(out.logs.map((l) => l.message)).toContain(
      'handed etcd leadership to etcd-2 before restarting etcd-0',
    );
    // The peers hear that this member restarted: the next leader to restart picks it.
    const peerBag = out.state.relations?.find((r) => r.endpoint === 'cluster')?.local ?? {};
    expect(peerBag['member-restarted']).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(out.state.status).toEqual({ kind: 'active', message: 'Healthy with 3 known peers' });
  });

  it('a following member restarts without moving leadership', async () => {
    const state = await runningMember(idOf('etcd/1'));
    const out = await harness.run({ ...state, config: { snapshot_count: 5000 } }, 'config-changed');
    expect(out.ok).toBe(true);
    expect(commands(out.machineCalls)).toContain(handoffProbe());
    expect(commands(out.machineCalls).some((c) => c.includes('move-leader'))).toBe(false);
    expect(out.state.machine?.services?.['etcd']?.spec.command).toContain('--snapshot-count=5000');
  });

  it('a hook that changes nothing does not ask who leads', async () => {
    const state = await runningMember(idOf('etcd/0'));
    const out = await harness.run(state, 'config-changed');
    expect(commands(out.machineCalls)).not.toContain(handoffProbe());
  });
});

describe('handoffTarget', () => {
  const m = (n: number, started = true): Member => ({
    id: BigInt(n),
    idHex: n.toString(16),
    name: started ? `etcd-${n}` : '',
    peerUrls: [],
    clientUrls: [],
    isLearner: false,
  });
  const status = (self: number, leader?: number) => ({
    endpoint: 'x',
    memberId: BigInt(self),
    ...(leader === undefined ? {} : { leader: BigInt(leader) }),
    revision: 1n,
    version: '3.4.23',
    dbSize: 1,
    errors: [],
  });
  const members = [m(1), m(2), m(3), m(4, false)];

  it('is nobody for a follower, a member that knows no leader, or a cluster of one', () => {
    expect(handoffTarget(status(1, 2), members, new Map())).toBeUndefined();
    expect(handoffTarget(status(1), members, new Map())).toBeUndefined();
    expect(handoffTarget(status(1, 1), [m(1)], new Map())).toBeUndefined();
  });

  it('prefers the newest restart, then the lowest id; never an unstarted member', () => {
    expect(handoffTarget(status(1, 1), members, new Map())?.name).toBe('etcd-2');
    const stamps = new Map([
      ['etcd-2', '2026-12-07T10:00:00Z'],
      ['etcd-3', '2026-12-07T10:05:00Z'],
    ]);
    expect(handoffTarget(status(1, 1), members, stamps)?.name).toBe('etcd-3');
    expect(handoffTarget(status(3, 3), members, stamps)?.name).toBe('etcd-2');
  });
});
