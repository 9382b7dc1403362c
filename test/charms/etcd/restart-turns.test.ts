// New certificates for a running cluster: each member restarts only on its turn, which the
// leader hands out in leader settings `restarting`, one unit at a time; a unit waiting for its
// turn leaves its member's files as they are and says why it waits.
import { describe, expect, it } from 'vitest';
import type { HarnessState } from '../../../core/charm/index.js';
import { serverDigest } from '../../../charms/etcd/tls.js';
import {
  CA,
  CERTS_ID,
  PEERS_ID,
  clientUrl,
  easyrsaBag,
  envFor,
  handoffProbe,
  harness,
  member,
  ownViewAnswers,
  pem,
  serverCert,
  serverKey,
  unitState,
} from './fixtures.js';

const three = [member('etcd/0'), member('etcd/1'), member('etcd/2')];
const wanted = (request: string) => ({ 'restart-wanted': request });
/** What `unit` asks a turn for: the digest of its renewed files (tls.ts serverFilesChanged). */
const requestOf = (unit: string) =>
  serverDigest(envFor(unit).tls, {
    ca: CA,
    serverCert: pem('CERTIFICATE', `renewed ${unit}`),
    serverKey: serverKey(unit),
  }).slice(0, 16);
/** A rotate-ca step easyrsa asks its consumers to apply (easyrsa's ca-rotation.ts). */
const STEP = '0123456789abcdef/reissue';

/**
 * `unit` running a member of three, settled with its first certificates; then easyrsa publishes
 * a renewed server certificate for it. `peerExtra` and `leaderSettings` as in unitState.
 */
async function renewed(
  unit: string,
  options: {
    leader?: boolean;
    peerExtra?: Record<string, Record<string, string>>;
    leaderSettings?: Record<string, string>;
    /** false: easyrsa publishes the same certificate as before. */
    renew?: boolean;
  } = {},
): Promise<HarnessState> {
  const peers = ['etcd/0', 'etcd/1', 'etcd/2'].filter((u) => u !== unit);
  const base = unitState(unit, {
    peers,
    leader: options.leader ?? false,
    leaderSettings: { token: 'a'.repeat(32), client_urls: clientUrl('etcd/0') },
    run: { ...ownViewAnswers(unit, three), ...handoffProbe(unit) },
    stored: {
      member: { token: 'a'.repeat(32), initialCluster: 'x', state: 'existing' },
      // Written when its member first started.
      'tls-digest': serverDigest(envFor(unit).tls, {
        ca: CA,
        serverCert: serverCert(unit),
        serverKey: serverKey(unit),
      }),
    },
  });
  const settled = await harness.run(base, 'update-status');
  expect(settled.error).toBeUndefined();
  expect(settled.state.status?.kind).toBe('active');
  const next = pem('CERTIFICATE', `renewed ${unit}`);
  const key = unit.replace('/', '_');
  const relations = (settled.state.relations ?? []).map((r) => {
    if (r.id === CERTS_ID && options.renew !== false) {
      return {
        ...r,
        remoteUnits: {
          'easyrsa/0': { ...easyrsaBag(unit), [`${key}.server.cert`]: next, ca_rotation: STEP },
        },
      };
    }
    if (r.id !== PEERS_ID) return r;
    const remoteUnits = Object.fromEntries(
      Object.entries(r.remoteUnits ?? {}).map(([u, bag]) => [
        u,
        { ...bag, ...options.peerExtra?.[u] },
      ]),
    );
    return { ...r, remoteUnits };
  });
  return {
    ...settled.state,
    isLeader: options.leader ?? false,
    relations,
    leaderSettings: {
      ...settled.state.leaderSettings,
      ...options.leaderSettings,
    },
  };
}

const fromEasyrsa = {
  kind: 'relation-changed',
  relationId: CERTS_ID,
  remoteUnit: 'easyrsa/0',
} as const;
const fromPeer = { kind: 'relation-changed', relationId: PEERS_ID, remoteUnit: 'etcd/2' } as const;
const certsBag = (state: HarnessState) =>
  state.relations?.find((r) => r.id === CERTS_ID)?.local ?? {};
const peerBag = (state: HarnessState) =>
  state.relations?.find((r) => r.id === PEERS_ID)?.local ?? {};
const restarts = (calls: readonly { op: string; action?: string }[]) =>
  calls.filter((c) => c.op === 'service' && c.action === 'restart').length;
const wroteCert = (calls: readonly { op: string; path?: string }[], unit: string) =>
  calls.some((c) => c.path === envFor(unit).tls.serverCert);

describe('etcd: restarts for new certificates, one member at a time', () => {
  it('a member whose turn it is not keeps its files and its member, and asks for a turn', async () => {
    const state = await renewed('etcd/1', { leaderSettings: { restarting: 'etcd/2 r2' } });
    const out = await harness.run(state, fromEasyrsa);
    expect(out.ok).toBe(true);
    expect(restarts(out.machineCalls)).toBe(0);
    expect(wroteCert(out.machineCalls, 'etcd/1')).toBe(false);
    expect(peerBag(out.state)['restart-wanted']).toBe(requestOf('etcd/1'));
    // The CA hears nothing until this member runs with the step's files.
    expect(certsBag(out.state)['ca_rotation_applied']).toBe('none');
    expect(out.state.status).toEqual({
      kind: 'waiting',
      message: 'Waiting for its turn to restart with new certificates (etcd/2 is restarting)',
    });
  });

  it('on its turn it writes them, restarts, waits until it serves, and says it is done', async () => {
    const turn = `etcd/1 ${requestOf('etcd/1')}`;
    const state = await renewed('etcd/1', { leaderSettings: { restarting: turn } });
    const asked = await harness.run(state, 'leader-settings-changed');
    expect(asked.ok).toBe(true);
    expect(wroteCert(asked.machineCalls, 'etcd/1')).toBe(true);
    expect(restarts(asked.machineCalls)).toBe(1);
    expect(peerBag(asked.state)['restart-wanted']).toBeUndefined();
    expect(certsBag(asked.state)['ca_rotation_applied']).toBe(STEP);
    expect(asked.state.status).toEqual({ kind: 'active', message: 'Healthy with 3 known peers' });
  });

  it('the leader keeps the turn with a unit until it is done, then hands it to the next asking', async () => {
    const busy = await renewed('etcd/0', {
      leader: true,
      peerExtra: { 'etcd/1': wanted('r1'), 'etcd/2': wanted('r2') },
      leaderSettings: { restarting: 'etcd/2 r2' },
    });
    const kept = await harness.run(busy, fromPeer);
    expect(kept.ok).toBe(true);
    // etcd/2 still restarts: the leader, whose certificates changed too, waits behind it.
    expect(kept.state.leaderSettings?.['restarting']).toBe('etcd/2 r2');
    expect(restarts(kept.machineCalls)).toBe(0);
    expect(peerBag(kept.state)['restart-wanted']).toBe(requestOf('etcd/0'));

    const done = await renewed('etcd/0', {
      leader: true,
      peerExtra: { 'etcd/1': wanted('r1') },
      leaderSettings: { restarting: 'etcd/2 r2' },
    });
    const passed = await harness.run(done, fromPeer);
    // The lowest-numbered unit asking: the leader itself, which restarts in this very hook
    // and hands the turn on to etcd/1 once its member serves again.
    expect(restarts(passed.machineCalls)).toBe(1);
    expect(passed.state.leaderSettings?.['restarting']).toBe('etcd/1 r1');
    expect(peerBag(passed.state)['restart-wanted']).toBeUndefined();
  });

  it('a turn given for earlier files is no turn for the next ones', async () => {
    // etcd/1 restarted for one step and asks again for the next before the leader moved on:
    // the leader may be giving the turn to another unit at this very moment.
    const state = await renewed('etcd/1', { leaderSettings: { restarting: 'etcd/1 0123abcd' } });
    const out = await harness.run(state, fromEasyrsa);
    expect(out.ok).toBe(true);
    expect(restarts(out.machineCalls)).toBe(0);
    expect(wroteCert(out.machineCalls, 'etcd/1')).toBe(false);
    expect(peerBag(out.state)['restart-wanted']).toBe(requestOf('etcd/1'));
  });

  it('nobody asking: the turn is withdrawn', async () => {
    const state = await renewed('etcd/0', {
      leader: true,
      renew: false,
      leaderSettings: { restarting: 'etcd/2 r2' },
    });
    const out = await harness.run(state, fromPeer);
    expect(out.ok).toBe(true);
    expect(out.state.leaderSettings?.['restarting']).toBeUndefined();
    expect(restarts(out.machineCalls)).toBe(0);
  });

  it('a unit that is no member yet writes its certificates without a turn', async () => {
    const state = unitState('etcd/1', {
      peers: ['etcd/0', 'etcd/2'],
      leaderSettings: { restarting: 'etcd/2 r2' },
    });
    const out = await harness.run(state, 'install');
    expect(wroteCert(out.machineCalls, 'etcd/1')).toBe(true);
    expect(peerBag(out.state)['restart-wanted']).toBeUndefined();
  });
});
