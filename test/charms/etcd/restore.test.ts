// The restore decision in the harness (issue 15 B4): the leader restores a snapshot as a
// one-member cluster under a new token and queues the others; each follower sees the new token,
// stops its member, removes its data and joins in turn; refusals change nothing.
import type * as crypto from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import type { HarnessState } from '../../../core/charm/index.js';
import { clusterTag } from '../../../charms/etcd/rejoin.js';
import { memberAddCommand } from '../../../charms/etcd/member-commands.js';
import { restorePrepareScript, restoreSwapScript } from '../../../charms/etcd/workload/backup.js';
import { serverDigest } from '../../../charms/etcd/tls.js';
import {
  CA,
  clientUrl,
  envFor,
  etcdctlAs,
  harness,
  member,
  memberAddJson,
  memberListJson,
  ownViewAnswers,
  peerUrl,
  serverCert,
  serverKey,
  unitState,
} from './fixtures.js';

// The new cluster token comes from randomBytes: fixed here so the commands are known exactly.
vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof crypto>();
  return { ...actual, randomBytes: (n: number) => Buffer.alloc(n, 0xab) };
});

const OLD = 'a'.repeat(32);
/** What the mocked randomBytes(16) gives, in hex. */
const NEW = 'ab'.repeat(16);
const ARCHIVE = '/root/etcd-snapshot.tar.gz';
const RESOURCE = '/var/lib/rune/resources/etcd/snapshot/snapshot.tar.gz';
const installed = { setting: 'auto', source: 'package' };
const oldRecord = (unit: string) => ({
  token: OLD,
  initialCluster: `etcd-0=${peerUrl('etcd/0')}`,
  state: unit === 'etcd/0' ? 'new' : 'existing',
});
const oldSettings = {
  token: OLD,
  cluster: ['etcd/0', 'etcd/1', 'etcd/2'].map((u) => `${u.replace('/', '-')}=${peerUrl(u)}`).join(),
  client_urls: ['etcd/0', 'etcd/1', 'etcd/2'].map(clientUrl).join(),
};
const startedIn = (token: string) => ({
  'member-ready': 'true',
  'member-started': 'true',
  'member-cluster': clusterTag(token),
});
const running = (unit: string) => ({
  etcd: {
    spec: { name: 'etcd', command: ['/usr/bin/etcd', `--name=${unit}`] },
    state: 'running' as const,
  },
});

function prepare(archive: string): string {
  const env = envFor('etcd/0');
  return restorePrepareScript({
    target: {
      endpoints: [env.clientUrl],
      cacert: env.tls.ca,
      cert: env.tls.serverCert,
      key: env.tls.serverKey,
      bin: env.layout.etcdctl,
    },
    archive,
    name: env.name,
    dataDir: env.dataDir,
    initialCluster: `etcd-0=${env.peerUrl}`,
    token: NEW,
    peerUrl: env.peerUrl,
  });
}

const PREPARED = `sha256=${'5'.repeat(64)}\nstatus={"hash":1815915719,"revision":42,"totalKey":9,"totalSize":20480}\n`;
const COUNT =
  '{"header":{"cluster_id":1,"member_id":4096,"revision":42,"raft_term":2},' +
  '"kvs":[{"key":"YQ==","create_revision":2,"mod_revision":2,"version":1}],"more":true,"count":5}';

/** etcd/0, the leader of a three-unit cluster under the OLD token, its member running. */
function leader(run: NonNullable<HarnessState['machine']>['run'] = {}): HarnessState {
  const state = unitState('etcd/0', {
    leader: true,
    peers: ['etcd/1', 'etcd/2'],
    peerExtra: { 'etcd/1': startedIn(OLD), 'etcd/2': startedIn(OLD) },
    leaderSettings: oldSettings,
    stored: { installed, member: oldRecord('etcd/0'), 'service-digest': 'x' },
    run: {
      [restoreSwapScript(envFor('etcd/0').dataDir)]: '',
      [etcdctlAs('etcd/0', [clientUrl('etcd/0')], { op: 'count' })]: COUNT,
      ...ownViewAnswers('etcd/0', [member('etcd/0')]),
      ...run,
    },
  });
  return { ...state, machine: { ...state.machine, services: running('etcd-0') } };
}

describe('etcd restore on the leader', () => {
  it('restores a one-member cluster under a new token and queues every other unit to rejoin', async () => {
    const out = await harness.runAction(leader({ [prepare(ARCHIVE)]: PREPARED }), 'restore', {
      snapshot: ARCHIVE,
    });
    expect(out.action?.failed).toBeUndefined();
    expect(out.action?.results).toEqual({
      snapshot: ARCHIVE,
      sha256: '5'.repeat(64),
      'snapshot-revision': '42',
      keys: '5',
      revision: '42',
      rejoining: 'etcd/1, etcd/2',
    });
    // Checked and restored aside while the member ran; stopped only to swap the data in.
    const calls = out.machineCalls.map((c) =>
      c.op === 'run' ? c.command : c.op === 'service' ? `${c.action} ${c.name}` : c.op,
    );
    const steps = [prepare(ARCHIVE), 'stop etcd', restoreSwapScript(envFor('etcd/0').dataDir)];
    const at = steps.map((c) => calls.indexOf(c));
    expect(at.every((i, k) => i >= 0 && i > (at[k - 1] ?? -1))).toBe(true);
    expect(out.state.leaderSettings).toEqual({
      token: NEW,
      restored: NEW,
      cluster: `etcd-0=${peerUrl('etcd/0')}`,
      client_urls: clientUrl('etcd/0'),
      joining: 'etcd/1,etcd/2',
    });
    expect(out.state.stored?.['member']).toEqual({
      token: NEW,
      initialCluster: `etcd-0=${peerUrl('etcd/0')}`,
      state: 'new',
    });
    const service = out.state.machine?.services?.['etcd'];
    expect(service?.state).toBe('running');
    expect(service?.spec.command).toEqual(
      expect.arrayContaining([
        `--initial-cluster-token=${NEW}`,
        `--initial-cluster=etcd-0=${peerUrl('etcd/0')}`,
        '--initial-cluster-state=new',
      ]),
    );
    expect(out.state.relations?.[0]?.local).toMatchObject({ 'member-cluster': clusterTag(NEW) });
    // Not the old cluster's "Healthy with 3 known peers" while it is a cluster of one.
    expect(out.state.status).toEqual({
      kind: 'waiting',
      message: 'Restored from a snapshot; waiting for etcd/1, etcd/2 to rejoin',
    });
  });

  it('alone, restores with nobody to rejoin', async () => {
    const state = unitState('etcd/0', {
      leader: true,
      leaderSettings: { token: OLD, cluster: `etcd-0=${peerUrl('etcd/0')}` },
      stored: { installed, member: oldRecord('etcd/0') },
      run: {
        [prepare(ARCHIVE)]: PREPARED,
        [restoreSwapScript(envFor('etcd/0').dataDir)]: '',
        [etcdctlAs('etcd/0', [clientUrl('etcd/0')], { op: 'count' })]: COUNT,
        ...ownViewAnswers('etcd/0', [member('etcd/0')]),
      },
    });
    const out = await harness.runAction(state, 'restore', { snapshot: ARCHIVE });
    expect(out.action?.results['rejoining']).toBe('none');
    expect(out.state.leaderSettings?.['joining']).toBeUndefined();
    expect(out.state.leaderSettings?.['restored']).toBe(NEW);
  });

  it('restores the attached snapshot resource when no path is given', async () => {
    const state = {
      ...leader({ [prepare(RESOURCE)]: PREPARED }),
      resources: { snapshot: RESOURCE },
    };
    const out = await harness.runAction(state, 'restore');
    expect(out.action?.failed).toBeUndefined();
    expect(out.action?.results['snapshot']).toBe(RESOURCE);
  });

  it('keeps the replaced data when asked, and says where', async () => {
    const swap = restoreSwapScript(envFor('etcd/0').dataDir, '/srv/keep');
    const backup = '/srv/keep/etcd-data-2024-05-01-10.00.00';
    const out = await harness.runAction(
      leader({ [prepare(ARCHIVE)]: PREPARED, [swap]: `backup=${backup}\n` }),
      'restore',
      { snapshot: ARCHIVE, 'skip-backup': false, target: '/srv/keep' },
    );
    expect(out.action?.results['backup']).toBe(backup);
  });
});

describe('etcd restore refuses, changing nothing', () => {
  const unchanged = (out: Awaited<ReturnType<typeof harness.runAction>>) => {
    expect(out.machineCalls).not.toContainEqual(expect.objectContaining({ action: 'stop' }));
    expect(out.state.leaderSettings).toEqual(oldSettings);
    expect(out.state.stored?.['member']).toEqual(oldRecord('etcd/0'));
    expect(out.state.machine?.services?.['etcd']?.state).toBe('running');
  };

  it('on a unit that is not the leader', async () => {
    const state = unitState('etcd/1', {
      peers: ['etcd/0', 'etcd/2'],
      stored: { installed, member: oldRecord('etcd/1') },
    });
    const out = await harness.runAction(state, 'restore', { snapshot: ARCHIVE });
    expect(out.action?.failed).toBe(
      'etcd/1 is not the leader; the leader restores and the others rejoin: ' +
        'rune run etcd/leader restore',
    );
    expect(out.machineCalls.filter((c) => c.op !== 'service' || c.action !== 'status')).toEqual([]);
  });

  it('with no snapshot given and none attached', async () => {
    const out = await harness.runAction(leader(), 'restore');
    expect(out.action?.failed).toBe(
      'no snapshot to restore: attach one (rune attach-resource etcd ' +
        'snapshot=./etcd-snapshot-….tar.gz) or give snapshot=PATH, a file on etcd/0',
    );
    unchanged(out);
  });

  it('a snapshot that is missing or corrupt: the reason the machine gave', async () => {
    const refused = {
      code: 1,
      stderr: 'rune-refused: it is not an etcd snapshot (Error: invalid database)\n',
    };
    const out = await harness.runAction(leader({ [prepare(ARCHIVE)]: refused }), 'restore', {
      snapshot: ARCHIVE,
    });
    expect(out.action?.failed).toBe(
      `cannot restore ${ARCHIVE}: it is not an etcd snapshot (Error: invalid database); ` +
        'nothing was changed',
    );
    unchanged(out);
  });

  it('a relative path', async () => {
    const out = await harness.runAction(leader(), 'restore', { snapshot: 'snap.tar.gz' });
    expect(out.action?.failed).toBe('snapshot must be an absolute path, got "snap.tar.gz"');
    unchanged(out);
  });
});

describe('etcd followers after a restore', () => {
  const restoredSettings = {
    token: NEW,
    restored: NEW,
    cluster: `etcd-0=${peerUrl('etcd/0')}`,
    client_urls: clientUrl('etcd/0'),
    joining: 'etcd/1,etcd/2',
  };
  const viaLeader = [clientUrl('etcd/0')];
  const rmData = (unit: string) => `rm -rf '${envFor(unit).dataDir}'`;

  function follower(
    unit: string,
    options: {
      settings?: Record<string, string>;
      record?: Record<string, string>;
      peerExtra?: Record<string, Record<string, string>>;
      run?: NonNullable<HarnessState['machine']>['run'];
    } = {},
  ): HarnessState {
    const peers = ['etcd/0', 'etcd/1', 'etcd/2'].filter((u) => u !== unit);
    const state = unitState(unit, {
      peers,
      peerExtra: options.peerExtra ?? { 'etcd/0': startedIn(NEW) },
      leaderSettings: options.settings ?? restoredSettings,
      stored: {
        installed,
        member: options.record ?? oldRecord(unit),
        // Its certificates were written when it started: no restart for them is pending.
        'tls-digest': serverDigest(envFor(unit).tls, {
          ca: CA,
          serverCert: serverCert(unit),
          serverKey: serverKey(unit),
        }),
      },
      run: { [rmData(unit)]: '', ...options.run },
    });
    return {
      ...state,
      machine: { ...state.machine, services: running(unit.replace('/', '-')) },
      relations: (state.relations ?? []).map((rel) =>
        rel.endpoint === 'cluster' ? { ...rel, local: startedIn(OLD) } : rel,
      ),
    };
  }

  it('the first in the queue leaves the replaced cluster and joins the restored one', async () => {
    const add = memberAddCommand(envFor('etcd/1'), viaLeader);
    const out = await harness.run(
      follower('etcd/1', {
        run: {
          [etcdctlAs('etcd/1', viaLeader, { op: 'member list' })]: memberListJson([
            member('etcd/0'),
          ]),
          [add]: memberAddJson(member('etcd/1'), [member('etcd/0')]),
          ...ownViewAnswers('etcd/1', [member('etcd/0'), member('etcd/1')]),
        },
      }),
      'leader-settings-changed',
    );
    expect(out.ok).toBe(true);
    const calls = out.machineCalls.map((c) =>
      c.op === 'run' ? c.command : c.op === 'service' ? `${c.action} ${c.name}` : c.op,
    );
    // Stopped, its data gone, then added through the restored member.
    const stop = calls.indexOf('stop etcd');
    expect(stop).toBeGreaterThan(-1);
    expect(calls.indexOf(rmData('etcd/1'))).toBeGreaterThan(stop);
    expect(calls.indexOf(add)).toBeGreaterThan(calls.indexOf(rmData('etcd/1')));
    expect(out.state.stored?.['member']).toMatchObject({ token: NEW, state: 'existing' });
    expect(out.state.machine?.services?.['etcd']?.spec.command).toEqual(
      expect.arrayContaining([
        '--initial-cluster-state=existing',
        `--initial-cluster=etcd-0=${peerUrl('etcd/0')},etcd-1=${peerUrl('etcd/1')}`,
      ]),
    );
    expect(out.state.relations?.[0]?.local).toMatchObject({
      'member-started': 'true',
      'member-cluster': clusterTag(NEW),
    });
    expect(out.state.status).toEqual({ kind: 'active', message: 'Healthy with 2 known peers' });
  });

  it('one further back leaves at once, then waits while the unit ahead started only in the old cluster', async () => {
    const out = await harness.run(
      follower('etcd/2', { peerExtra: { 'etcd/0': startedIn(NEW), 'etcd/1': startedIn(OLD) } }),
      'leader-settings-changed',
    );
    expect(out.ok).toBe(true);
    expect(out.machineCalls).toContainEqual({ op: 'run', command: rmData('etcd/2') });
    expect(out.state.machine?.services?.['etcd']?.state).toBe('stopped');
    expect(out.state.stored?.['member']).toBeUndefined();
    // Its peers no longer count it as started.
    expect(out.state.relations?.[0]?.local?.['member-started']).toBeUndefined();
    expect(out.state.relations?.[0]?.local?.['member-cluster']).toBeUndefined();
    expect(out.state.status).toEqual({
      kind: 'waiting',
      message: 'Waiting to join the cluster (etcd/1 is joining)',
    });
  });

  it('a member already in the restored cluster carries on', async () => {
    const out = await harness.run(
      follower('etcd/1', {
        record: { token: NEW, initialCluster: 'x', state: 'existing' },
        run: ownViewAnswers('etcd/1', [member('etcd/0'), member('etcd/1')]),
      }),
      'leader-settings-changed',
    );
    expect(out.error).toBeUndefined();
    expect(out.machineCalls).not.toContainEqual({ op: 'run', command: rmData('etcd/1') });
    expect(out.state.machine?.services?.['etcd']?.state).toBe('running');
  });

  it('a token that differs without a restore saying so wipes nothing', async () => {
    const notRestored: Record<string, string> = { ...restoredSettings };
    delete notRestored['restored'];
    const out = await harness.run(
      follower('etcd/1', {
        settings: notRestored,
        run: ownViewAnswers('etcd/1', [member('etcd/0'), member('etcd/1')]),
      }),
      'leader-settings-changed',
    );
    expect(out.machineCalls).not.toContainEqual({ op: 'run', command: rmData('etcd/1') });
    expect(out.state.stored?.['member']).toEqual(oldRecord('etcd/1'));
  });
});
