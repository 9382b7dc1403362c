// rotate-ca in the harness: old+new CA published together, then every leaf from the new CA,
// then the new CA alone; each step waits until every consumer unit echoed the last one.
import { X509Certificate } from 'node:crypto';
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

const UNITS = ['etcd/0', 'etcd/1'] as const;

async function served(): Promise<HarnessState> {
  const installed = await ok(harness.run(leader(), 'install'));
  const requests = {
    'etcd/0': { ...serverRequest('etcd-0', ['10.0.0.1']), ca_rotation_applied: 'none' },
    'etcd/1': { ...serverRequest('etcd-1', ['10.0.0.2']), ca_rotation_applied: 'none' },
  };
  const state = { ...installed.state, relations: [etcdRelation(requests)] };
  return (await ok(harness.run(state, 'update-status'))).state;
}

const published = (state: HarnessState) => rel(state).local ?? {};
const certsIn = (bundle: string | undefined) =>
  (bundle ?? '').match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];

/** `unit` wrote and restarted with what it was sent: it echoes the step's token. */
async function applied(state: HarnessState, unit: string): Promise<HarnessState> {
  const token = published(state)['ca_rotation'] ?? 'none';
  const relation = rel(state);
  const remoteUnits = {
    ...relation.remoteUnits,
    [unit]: { ...relation.remoteUnits?.[unit], ca_rotation_applied: token },
  };
  const next = { ...state, relations: [{ ...relation, remoteUnits }] };
  const hook = { kind: 'relation-changed', relationId: 1, remoteUnit: unit } as const;
  return (await ok(harness.run(next, hook))).state;
}

async function allApplied(state: HarnessState): Promise<HarnessState> {
  let out = state;
  for (const unit of UNITS) out = await applied(out, unit);
  return out;
}

const leaf = (state: HarnessState, unit: string) =>
  tlsCertificates.requirer.serverCert(published(state), unit)?.cert;

describe('easyrsa: rotate-ca', () => {
  it('trusts both, then reissues from the new CA, then drops the old one, each step on every echo', async () => {
    const state = await served();
    const oldCa = caOf(state);
    const oldLeaf = leaf(state, 'etcd/0');

    const started = await ok(harness.runAction(state, 'rotate-ca'));
    expect(started.action?.failed).toBeUndefined();
    expect(started.action?.results).toMatchObject({ phase: 'trust-both' });
    const both = certsIn(published(started.state)['ca']);
    expect(both).toHaveLength(2);
    expect(both[0]?.trim()).toBe(oldCa.trim());
    const newCa = both[1] ?? '';
    expect(started.action?.results['new-ca']?.trim()).toBe(newCa.trim());
    expect(new X509Certificate(newCa).ca).toBe(true);
    // Leaves stay as they are until every consumer trusts the new CA.
    expect(leaf(started.state, 'etcd/0')).toBe(oldLeaf);
    expect(started.state.status).toEqual({
      kind: 'maintenance',
      message: 'Rotating the CA (step trust-both): waiting for etcd/0, etcd/1',
    });

    const one = await applied(started.state, 'etcd/0');
    expect(one.leaderSettings?.['ca-rotation']).toBe('trust-both');
    expect(one.status?.message).toBe('Rotating the CA (step trust-both): waiting for etcd/1');

    const reissued = await applied(one, 'etcd/1');
    expect(reissued.leaderSettings?.['ca-rotation']).toBe('reissue');
    expect(caOf(reissued).trim()).toBe(newCa.trim());
    expect(certsIn(published(reissued)['ca'])).toHaveLength(2);
    for (const unit of UNITS) expect(issuedBy(leaf(reissued, unit), newCa)).toBe(true);
    const client = tlsCertificates.requirer.clientCert(published(reissued))?.cert;
    expect(issuedBy(client, newCa)).toBe(true);

    const dropped = await allApplied(reissued);
    expect(dropped.leaderSettings?.['ca-rotation']).toBe('drop-old');
    expect(certsIn(published(dropped)['ca'])).toEqual([newCa.trim()]);

    const done = await allApplied(dropped);
    expect(done.leaderSettings?.['ca-rotation']).toBeUndefined();
    expect(published(done)['ca_rotation']).toBeUndefined();
    expect(published(done)['ca']?.trim()).toBe(newCa.trim());
    expect(Object.keys(done.leaderSettings ?? {}).filter((k) => k.startsWith('ca.'))).toEqual([
      'ca.crt',
      'ca.key',
    ]);
    expect(done.status).toEqual({ kind: 'active', message: 'Certificate Authority connected.' });
    expect(issuedBy(leaf(done, 'etcd/1'), oldCa)).toBe(false);
  });

  it('one rotation at a time; only the leader starts it', async () => {
    const state = await served();
    const started = await ok(harness.runAction(state, 'rotate-ca'));
    const again = await ok(harness.runAction(started.state, 'rotate-ca'));
    expect(again.action?.failed).toBe(
      'a CA rotation is under way (step trust-both); it goes on by itself',
    );
    const follower = await ok(harness.runAction({ ...state, isLeader: false }, 'rotate-ca'));
    expect(follower.action?.failed).toBe('only the leader signs: run rotate-ca on the leader unit');
  });
});
