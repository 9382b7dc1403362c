// rotate-certs: every leaf reissued from the same CA at once, the record following; later hooks
// keep the new leaves; only the leader signs.
import { describe, expect, it } from 'vitest';
import type { HarnessState } from '../../../core/charm/index.js';
import { tlsCertificates } from '../../../core/interfaces/index.js';
import {
  caOf,
  etcdRelation,
  harness,
  issuedBy,
  leader,
  ok,
  rel,
  serverRequest,
} from './fixtures.js';

const REQUESTS = {
  'etcd/0': serverRequest('etcd-0', ['10.0.0.1']),
  'etcd/1': serverRequest('etcd-1', ['10.0.0.2']),
};

async function served(): Promise<HarnessState> {
  const installed = await ok(harness.run(leader(), 'install'));
  const state = { ...installed.state, relations: [etcdRelation(REQUESTS)] };
  return (await ok(harness.run(state, 'update-status'))).state;
}

const leaves = (state: HarnessState) => {
  const bag = rel(state).app ?? {};
  return [
    tlsCertificates.requirer.serverCert(bag, 'etcd/0')?.cert,
    tlsCertificates.requirer.serverCert(bag, 'etcd/1')?.cert,
    tlsCertificates.requirer.clientCert(bag)?.cert,
  ];
};

describe('easyrsa: rotate-certs', () => {
  it('reissues every leaf from the same CA; the next hooks keep them', async () => {
    const state = await served();
    const before = leaves(state);
    const out = await ok(harness.runAction(state, 'rotate-certs'));
    expect(out.action?.failed).toBeUndefined();
    expect(out.action?.results).toEqual({ reissued: '3' });
    expect(caOf(out.state)).toBe(caOf(state));
    const after = leaves(out.state);
    for (const [i, cert] of after.entries()) {
      expect(cert).toBeDefined();
      expect(cert).not.toBe(before[i]);
      expect(issuedBy(cert, caOf(state))).toBe(true);
    }
    const serials = JSON.parse(out.state.leaderSettings?.['certificates'] ?? '[]') as {
      serial: string;
    }[];
    expect(serials).toHaveLength(3);
    const again = await ok(harness.run(out.state, 'update-status'));
    expect(again.outcome?.relations).toEqual([]);
    expect(leaves(again.state)).toEqual(after);
  });

  it('a unit that is not the leader refuses and changes nothing', async () => {
    const state = await served();
    const out = await ok(harness.runAction({ ...state, isLeader: false }, 'rotate-certs'));
    expect(out.action?.failed).toBe('only the leader signs: run rotate-certs on the leader unit');
    expect(out.outcome?.leaderSettings).toEqual({});
  });
});
