// etcd between easyrsa and its own db clients during rotate-ca: it hands each client easyrsa's
// step with the credentials, and echoes a step to easyrsa only once every client that speaks
// the protocol applied it, so easyrsa never reissues or drops the old CA under a client.
import { describe, expect, it } from 'vitest';
import type { HarnessRelation, HarnessState } from '../../../core/charm/index.js';
import {
  CERTS_ID,
  DB_ID,
  clientUrl,
  easyrsaBag,
  harness,
  member,
  ownViewAnswers,
  unitState,
} from './fixtures.js';

const STEP = '0123456789abcdef/reissue';
const three = [member('etcd/0'), member('etcd/1'), member('etcd/2')];

/** etcd/0 leading a healthy cluster of three; easyrsa asks for STEP; db clients as given. */
function serving(clients: Record<string, Record<string, string>>): HarnessState {
  const db: HarnessRelation = {
    id: DB_ID,
    endpoint: 'db',
    remoteApp: 'kubernetes-master',
    remoteUnits: clients,
  };
  const state = unitState('etcd/0', {
    leader: true,
    peers: ['etcd/1', 'etcd/2'],
    leaderSettings: { token: 'a'.repeat(32), client_urls: clientUrl('etcd/0') },
    stored: { member: { token: 'a'.repeat(32), initialCluster: 'x', state: 'existing' } },
    extraRelations: [db],
    run: ownViewAnswers('etcd/0', three),
  });
  const relations = state.relations?.map((r) =>
    r.id === CERTS_ID
      ? { ...r, remoteUnits: { 'easyrsa/0': { ...easyrsaBag('etcd/0'), ca_rotation: STEP } } }
      : r,
  );
  return { ...state, ...(relations === undefined ? {} : { relations }) };
}

const bag = (state: HarnessState, id: number) =>
  state.relations?.find((r) => r.id === id)?.local ?? {};
const fromClient = { kind: 'relation-changed', relationId: DB_ID } as const;

describe('etcd: its db clients hold its echo of a CA rotation step', () => {
  it('passes the step on with the credentials, and waits for a client still on the last one', async () => {
    const out = await harness.run(
      serving({
        'kubernetes-master/0': { ca_rotation_applied: STEP },
        'kubernetes-master/1': { ca_rotation_applied: 'none' },
      }),
      'update-status',
    );
    expect(out.ok).toBe(true);
    expect(bag(out.state, DB_ID)['ca_rotation']).toBe(STEP);
    expect(out.state.relations?.find((r) => r.id === DB_ID)?.app?.['ca_rotation']).toBe(STEP);
    expect(bag(out.state, CERTS_ID)['ca_rotation_applied']).toBeUndefined();
    expect(out.state.status).toEqual({
      kind: 'waiting',
      message: 'Waiting for kubernetes-master/1 to apply the CA rotation step',
    });

    // The last client echoes: its -changed hook here echoes the step to easyrsa.
    const caught = {
      ...out.state,
      relations: out.state.relations?.map((r) =>
        r.id === DB_ID
          ? {
              ...r,
              remoteUnits: {
                ...r.remoteUnits,
                'kubernetes-master/1': { ca_rotation_applied: STEP },
              },
            }
          : r,
      ),
    };
    const echoed = await harness.run(caught, { ...fromClient, remoteUnit: 'kubernetes-master/1' });
    expect(echoed.ok).toBe(true);
    expect(bag(echoed.state, CERTS_ID)['ca_rotation_applied']).toBe(STEP);
    expect(echoed.state.status).toEqual({ kind: 'active', message: 'Healthy with 3 known peers' });
  });

  it('does not wait for a client that never echoes (one written before the protocol)', async () => {
    const out = await harness.run(serving({ 'kubernetes-master/0': {} }), 'update-status');
    expect(bag(out.state, CERTS_ID)['ca_rotation_applied']).toBe(STEP);
  });
});
