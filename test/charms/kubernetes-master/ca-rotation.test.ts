// kubernetes-master during easyrsa's rotate-ca: it writes the CA bundle it is sent (the daemons
// then trust both CAs), restarts its running daemons on turns from its leader, and echoes the
// step to easyrsa (certificates) and to etcd (its db client credentials) once applied; a unit
// that cannot run its daemons (no binaries) still applies, and echoes, the files.
import { describe, expect, it } from 'vitest';
import type { HarnessRelation, HarnessState } from '../../../core/charm/index.js';
import { CA, ETCD_CA, certificatesBag, etcdBag, pem } from '../../fakes/kube-charms.js';
import { REL, harness, master } from './fixtures.js';

const STEP = '0123456789abcdef/trust-both';
const NEW_CA = pem('CERTIFICATE', 'fake new ca');
const BUNDLE = `${CA}${NEW_CA}`;

/** `state` once easyrsa published the bundle (and etcd passed its step on with its own). */
function rotating(state: HarnessState, unit = 'kubernetes-master/0'): HarnessState {
  const relations = state.relations?.map((r): HarnessRelation => {
    if (r.id === REL.certificates) {
      const bag = { ...certificatesBag(unit), ca: BUNDLE, ca_rotation: STEP };
      return { ...r, remoteUnits: { 'easyrsa/0': bag } };
    }
    if (r.id === REL.etcd) {
      const bag = { ...etcdBag(), client_ca: `${ETCD_CA}${NEW_CA}`, ca_rotation: STEP };
      return { ...r, remoteUnits: { 'etcd/0': bag } };
    }
    return r;
  });
  return { ...state, ...(relations === undefined ? {} : { relations }) };
}

const fromEasyrsa = {
  kind: 'relation-changed',
  relationId: REL.certificates,
  remoteUnit: 'easyrsa/0',
} as const;
const local = (state: HarnessState, id: number) =>
  state.relations?.find((r) => r.id === id)?.local ?? {};
const restarted = (calls: readonly { op: string; action?: string; name?: string }[]) =>
  calls.flatMap((c) => (c.op === 'service' && c.action === 'restart' ? [c.name] : []));

describe('kubernetes-master: rotate-ca', () => {
  it('without binaries it still writes the bundle and the etcd files, and echoes the step to both', async () => {
    const blocked = await harness.run(master({ resources: [] }), 'install');
    expect(blocked.state.status?.kind).toBe('blocked');
    // Outside a rotation it speaks the protocol too: a rotation that starts waits for it.
    expect(local(blocked.state, REL.certificates)['ca_rotation_applied']).toBe('none');
    expect(local(blocked.state, REL.etcd)['ca_rotation_applied']).toBe('none');

    const out = await harness.run(rotating(blocked.state), fromEasyrsa);
    expect(out.ok).toBe(true);
    const files = out.state.machine?.files ?? {};
    expect(files['/root/cdk/ca.crt']).toBe(BUNDLE);
    expect(files['/root/cdk/etcd/client-ca.pem']).toBe(`${ETCD_CA}${NEW_CA}`);
    expect(local(out.state, REL.certificates)['ca_rotation_applied']).toBe(STEP);
    expect(local(out.state, REL.etcd)['ca_rotation_applied']).toBe(STEP);
    expect(out.state.status?.kind).toBe('blocked');
    expect(out.state.machine?.services).toEqual({});
  });

  it('running alone, it restarts the daemons that read the CA, then echoes', async () => {
    const first = await harness.run(master(), 'install');
    expect(first.state.status?.kind).toBe('active');
    const out = await harness.run(rotating(first.state), fromEasyrsa);
    expect(out.ok).toBe(true);
    expect(restarted(out.machineCalls)).toEqual([
      'kube-apiserver',
      'kube-controller-manager',
      'kube-scheduler',
      'kube-proxy',
    ]);
    expect(out.state.machine?.files?.['/root/cdk/ca.crt']).toBe(BUNDLE);
    expect(local(out.state, REL.certificates)['ca_rotation_applied']).toBe(STEP);
    expect(local(out.state, REL.etcd)['ca_rotation_applied']).toBe(STEP);
    expect(out.state.status).toEqual({ kind: 'active', message: 'Kubernetes master running.' });
  });

  it('with a peer, it holds its files and its echo until the leader gives it the turn', async () => {
    const peers = (state: HarnessState, extra: Record<string, string> = {}) =>
      state.relations?.map((r) =>
        r.id === REL.peers ? { ...r, remoteUnits: { 'kubernetes-master/1': extra } } : r,
      );
    const first = await harness.run(master(), 'install');
    const follower: HarnessState = {
      ...rotating(first.state),
      isLeader: false,
      relations: peers(rotating(first.state)),
      leaderSettings: { ...first.state.leaderSettings, restarting: 'kubernetes-master/1 r1' },
    };
    const held = await harness.run(follower, fromEasyrsa);
    expect(held.ok).toBe(true);
    expect(restarted(held.machineCalls)).toEqual([]);
    expect(held.state.machine?.files?.['/root/cdk/ca.crt']).toBe(CA);
    expect(local(held.state, REL.certificates)['ca_rotation_applied']).toBe('none');
    const request = local(held.state, REL.peers)['restart-wanted'];
    expect(request).toMatch(/^[0-9a-f]{16}$/);
    expect(held.state.status).toEqual({
      kind: 'waiting',
      message: 'Waiting for its turn to restart with new files (kubernetes-master/1 is restarting)',
    });

    // The leader moves the turn on: this unit restarts, echoes, and says it is done.
    const turn = {
      ...held.state,
      leaderSettings: {
        ...held.state.leaderSettings,
        restarting: `kubernetes-master/0 ${request ?? ''}`,
      },
    };
    const done = await harness.run(turn, 'leader-settings-changed');
    expect(done.ok).toBe(true);
    expect(restarted(done.machineCalls)).toContain('kube-apiserver');
    expect(local(done.state, REL.certificates)['ca_rotation_applied']).toBe(STEP);
    expect(local(done.state, REL.peers)['restart-wanted']).toBeUndefined();
    expect(done.state.status?.kind).toBe('active');
  });

  it('the leader gives the turn to the lowest-numbered unit asking, itself included', async () => {
    const first = await harness.run(master(), 'install');
    const relations = rotating(first.state).relations?.map((r) =>
      r.id === REL.peers
        ? { ...r, remoteUnits: { 'kubernetes-master/1': { 'restart-wanted': 'r1' } } }
        : r,
    );
    const out = await harness.run({ ...rotating(first.state), relations }, fromEasyrsa);
    expect(out.ok).toBe(true);
    // master/0 restarted in this very hook and handed the turn on to master/1.
    expect(restarted(out.machineCalls)).toContain('kube-apiserver');
    expect(out.state.leaderSettings?.['restarting']).toBe('kubernetes-master/1 r1');
  });
});
