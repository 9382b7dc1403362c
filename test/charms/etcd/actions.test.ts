// The etcd charm's actions in the harness: results from what etcdctl answers, and refusals the
// operator can act on (no member yet, etcdctl failing). Restore: restore.test.ts.
import { describe, expect, it } from 'vitest';
import type { HarnessState } from '../../../core/charm/index.js';
import { snapshotScript } from '../../../charms/etcd/workload/backup.js';
import {
  clientUrl,
  envFor,
  etcdctlAs,
  harness,
  member,
  ownViewAnswers,
  unitState,
} from './fixtures.js';

const installed = { setting: 'auto', source: 'package' };
const record = {
  token: 'a'.repeat(32),
  initialCluster: 'etcd-0=https://192.0.2.1:2380',
  state: 'new',
};
const own = [clientUrl('etcd/0')];

function memberState(run: NonNullable<HarnessState['machine']>['run'], peers: string[] = []) {
  return unitState('etcd/0', {
    leader: true,
    peers,
    stored: { installed, member: record },
    run: run ?? {},
  });
}

function ownTarget() {
  const env = envFor('etcd/0');
  return {
    endpoints: own,
    cacert: env.tls.ca,
    cert: env.tls.serverCert,
    key: env.tls.serverKey,
    bin: env.layout.etcdctl,
  };
}

describe('etcd actions', () => {
  it('snapshot writes an archive under target and reports path, size, sha256 and how to copy it', async () => {
    const script = snapshotScript(ownTarget(), '/var/backups/etcd');
    const out = await harness.runAction(
      memberState({
        [script]:
          'path=/var/backups/etcd/etcd-snapshot-2024-05-01-10.00.00.tar.gz\nsize=704\nsha256=ab12\n',
      }),
      'snapshot',
    );
    expect(out.ok).toBe(true);
    expect(out.action).toEqual({
      name: 'snapshot',
      results: {
        path: '/var/backups/etcd/etcd-snapshot-2024-05-01-10.00.00.tar.gz',
        size: '704',
        sha256: 'ab12',
        copy: 'rune scp etcd/0:/var/backups/etcd/etcd-snapshot-2024-05-01-10.00.00.tar.gz .',
      },
    });
  });

  it('snapshot fails, saying why, on a unit that runs no member yet', async () => {
    const out = await harness.runAction(unitState('etcd/0', { leader: true }), 'snapshot');
    expect(out.action?.failed).toBe('etcd/0 runs no etcd member yet');
  });

  it('a failing etcdctl fails the action with its error line', async () => {
    const script = snapshotScript(ownTarget(), '/srv/snaps');
    const out = await harness.runAction(
      memberState({
        [script]: { code: 1, stderr: '{"level":"warn"}\nError: context deadline exceeded\n' },
      }),
      'snapshot',
      { target: '/srv/snaps' },
    );
    expect(out.action?.failed).toBe(
      'etcd snapshot failed with exit code 1: Error: context deadline exceeded',
    );
  });

  it('health reports every member by name, and a summary', async () => {
    const members = [member('etcd/0'), member('etcd/1'), member('etcd/2')];
    const out = await harness.runAction(
      memberState(ownViewAnswers('etcd/0', members, ['etcd/2']), ['etcd/1', 'etcd/2']),
      'health',
    );
    expect(out.action?.results).toEqual({
      'etcd-0': 'healthy: https://192.0.2.1:2379 (took 1.2ms)',
      'etcd-1': 'healthy: https://192.0.2.2:2379 (took 1.2ms)',
      'etcd-2': 'unhealthy: https://192.0.2.3:2379: context deadline exceeded',
      summary: '2 of 3 members healthy',
    });
  });

  it('compact compacts up to the given revision', async () => {
    const compact = etcdctlAs('etcd/0', own, { op: 'compact', revision: 42n, physical: true });
    const out = await harness.runAction(
      memberState({ [compact]: 'compacted revision 42\n' }),
      'compact',
      { revision: 42, physical: true },
    );
    expect(out.action?.results).toEqual({ revision: '42' });
  });

  it('compact without a revision takes the latest from endpoint status', async () => {
    const status = etcdctlAs('etcd/0', own, { op: 'endpoint status' });
    const compact = etcdctlAs('etcd/0', own, { op: 'compact', revision: 7n, physical: false });
    const answer =
      '[{"Endpoint":"https://192.0.2.1:2379","Status":{"header":{"cluster_id":1,"member_id":4096,' +
      '"revision":7,"raft_term":2},"version":"3.4.23","dbSize":20480,"leader":4096}}]';
    const out = await harness.runAction(
      memberState({ [status]: answer, [compact]: '' }),
      'compact',
    );
    expect(out.action?.results).toEqual({ revision: '7' });
  });

  it('defrag defragments this unit’s member', async () => {
    const defrag = etcdctlAs('etcd/0', own, { op: 'defrag' });
    const out = await harness.runAction(
      memberState({ [defrag]: 'Finished defragmenting\n' }),
      'defrag',
    );
    expect(out.action?.results).toEqual({ defragmented: 'https://192.0.2.1:2379' });
  });
});
