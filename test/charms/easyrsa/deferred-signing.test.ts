// A burst of certificate requests when no key is ready: a relation hook signs its own unit's
// request (waiting for a key) and leaves the others for their units' hooks; any other hook signs
// them all. The pool here never has a key ready, so every key is one a hook waited for.
import { describe, expect, it, vi } from 'vitest';
import type * as KeyPool from '../../../charms/easyrsa/key-pool.js';
import {
  etcdRelation,
  harness,
  issuedBy,
  leader,
  ok,
  rel,
  caOf,
  serverRequest,
} from './fixtures.js';

vi.mock('../../../charms/easyrsa/key-pool.js', async (importOriginal) => {
  const real = await importOriginal<typeof KeyPool>();
  return { ...real, warmKeys: () => undefined, readyKey: () => undefined };
});

const requests = {
  'etcd/0': serverRequest('etcd-0', ['10.0.0.1']),
  'etcd/1': serverRequest('etcd-1', ['10.0.0.2']),
};

describe('easyrsa with no key ready', () => {
  it("a unit's hook signs its request and leaves the others to theirs", async () => {
    const installed = await ok(harness.run(leader(), 'install'));
    const state = { ...installed.state, relations: [etcdRelation(requests)] };
    const first = await ok(
      harness.run(state, { kind: 'relation-changed', relationId: 1, remoteUnit: 'etcd/1' }),
    );
    const bag = rel(first.state).local ?? {};
    expect(issuedBy(bag['etcd_1.server.cert'], caOf(first.state))).toBe(true);
    expect(bag['etcd_0.server.cert']).toBeUndefined();
    expect(first.logs.map((l) => l.message)).toContain(
      "1 request(s) of etcd wait for their unit's hook: no key ready yet",
    );
    expect(first.state.status?.kind).toBe('active');

    const second = await ok(
      harness.run(first.state, { kind: 'relation-changed', relationId: 1, remoteUnit: 'etcd/0' }),
    );
    const after = rel(second.state).local ?? {};
    expect(issuedBy(after['etcd_0.server.cert'], caOf(second.state))).toBe(true);
    expect(after['etcd_1.server.cert']).toBe(bag['etcd_1.server.cert']);
  });

  it('leader-elected of a unit that led all along signs only what has a key ready', async () => {
    const installed = await ok(harness.run(leader(), 'install'));
    const state = { ...installed.state, relations: [etcdRelation(requests)] };
    const out = await ok(harness.run(state, 'leader-elected'));
    expect(Object.keys(rel(out.state).local ?? {}).filter((k) => k.endsWith('.cert'))).toEqual([]);
    // Nor the shared client certificate: the update-status it asks for waits for every key.
    expect(out.outcome?.requeue).toBe(true);
  });

  it.each([
    ['update-status', 'update-status'],
    ['leader-elected after another unit led', 'leader-elected'],
  ] as const)('%s signs every request, however long the keys take', async (_name, hook) => {
    const installed = await ok(harness.run(leader(), 'install'));
    const stored = hook === 'leader-elected' ? { ...installed.state.stored, leading: false } : {};
    const state = {
      ...installed.state,
      stored: { ...installed.state.stored, ...stored },
      relations: [etcdRelation(requests)],
    };
    const out = await ok(harness.run(state, hook));
    const bag = rel(out.state).local ?? {};
    for (const unit of ['etcd_0', 'etcd_1']) {
      expect(issuedBy(bag[`${unit}.server.cert`], caOf(out.state))).toBe(true);
    }
  });
});
