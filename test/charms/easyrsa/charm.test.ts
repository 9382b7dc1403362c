// easyrsa's reconcile in the harness: the CA in leader settings, certificates for related units
// as a requirer would read them, reissue only on change, leadership changes and statuses.
import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { tlsCertificates } from '../../../core/interfaces/index.js';
import type { HarnessState } from '../../../core/charm/index.js';
import {
  caOf,
  etcdRelation,
  harness,
  issuedBy,
  leader,
  ok,
  rel,
  sansOf,
  serverRequest,
  visibleText,
} from './fixtures.js';

const ETCD0 = serverRequest('etcd-0', ['10.0.0.1', 'etcd-0.internal']);

/** The leader after install, then etcd/0 asking for a certificate, then the update-status that
 * hook asked for (the runtime runs it once nothing else is due). */
async function served(): Promise<HarnessState> {
  const installed = await ok(harness.run(leader(), 'install'));
  const state = { ...installed.state, relations: [etcdRelation({ 'etcd/0': ETCD0 })] };
  const out = await ok(
    harness.run(state, { kind: 'relation-changed', relationId: 1, remoteUnit: 'etcd/0' }),
  );
  expect(out.outcome?.requeue).toBe(true);
  return (await ok(harness.run(out.state, 'update-status'))).state;
}

describe('easyrsa: the CA', () => {
  it('the leader creates the CA once, into leader settings; a second reconcile writes nothing', async () => {
    const first = await ok(harness.run(leader(), 'install'));
    expect(Object.keys(first.state.leaderSettings ?? {}).sort()).toEqual(['ca.crt', 'ca.key']);
    const ca = new X509Certificate(caOf(first.state));
    expect(ca.ca).toBe(true);
    expect(first.state.status).toEqual({ kind: 'active', message: 'Certificate Authority ready.' });
    // Nobody is related: nothing waits for the shared client certificate.
    expect(first.outcome?.requeue).toBeUndefined();

    // The client certificate comes with update-status (or after a client's first requests).
    const second = await ok(harness.run(first.state, 'update-status'));
    const settings = second.state.leaderSettings ?? {};
    expect(Object.keys(settings).sort()).toEqual([
      'ca.crt',
      'ca.key',
      'certificates',
      'client.crt',
      'client.key',
    ]);
    expect(settings['ca.crt']).toBe(caOf(first.state));
    expect(issuedBy(settings['client.crt'], caOf(first.state))).toBe(true);

    const again = await ok(harness.run(second.state, 'update-status'));
    expect(again.outcome?.leaderSettings).toEqual({});
    expect(again.outcome?.relations).toEqual([]);
    expect(again.outcome?.requeue).toBeUndefined();
    expect(again.state.leaderSettings).toEqual(settings);
  });

  it("a client's first requests get their server certificates first, the client one after", async () => {
    const installed = await ok(harness.run(leader(), 'install'));
    const state = { ...installed.state, relations: [etcdRelation({ 'etcd/0': ETCD0 })] };
    const asked = await ok(
      harness.run(state, { kind: 'relation-changed', relationId: 1, remoteUnit: 'etcd/0' }),
    );
    const bag = rel(asked.state).local ?? {};
    expect(tlsCertificates.requirer.serverCert(bag, 'etcd/0')).toBeDefined();
    expect(tlsCertificates.requirer.clientCert(bag)).toBeUndefined();
    expect(asked.outcome?.requeue).toBe(true);
    const after = await ok(harness.run(asked.state, 'update-status'));
    const client = tlsCertificates.requirer.clientCert(rel(after.state).local ?? {});
    expect(issuedBy(client?.cert, caOf(after.state))).toBe(true);
    expect(tlsCertificates.requirer.serverCert(rel(after.state).local ?? {}, 'etcd/0')).toEqual(
      tlsCertificates.requirer.serverCert(bag, 'etcd/0'),
    );
    expect(after.outcome?.requeue).toBeUndefined();
  });

  it('a new leader keeps the CA it finds and the certificates already issued', async () => {
    const before = await served();
    const published = rel(before).app ?? {};
    // easyrsa/1 takes over: it sees the leader settings and the app bag, not easyrsa/0's bag.
    const takeover: HarnessState = {
      unit: 'easyrsa/1',
      isLeader: true,
      leaderSettings: before.leaderSettings ?? {},
      relations: [{ ...etcdRelation({ 'etcd/0': ETCD0 }), app: published }],
    };
    const out = await ok(harness.run(takeover, 'leader-elected'));
    expect(out.outcome?.leaderSettings).toEqual({});
    expect(out.state.leaderSettings).toEqual(before.leaderSettings);
    expect(rel(out.state).app).toEqual(published);
    expect(rel(out.state).local?.['etcd_0.server.cert']).toBe(published['etcd_0.server.cert']);
  });

  it('a follower waits for the leader to create the CA', async () => {
    const out = await ok(harness.run({ unit: 'easyrsa/1' }, 'install'));
    expect(out.state.status).toEqual({
      kind: 'waiting',
      message: 'Waiting for the leader to create the CA.',
    });
    expect(out.state.leaderSettings).toEqual({});
  });

  it('a follower with the CA is ready, and a former leader withdraws what it published', async () => {
    const before = await served();
    const demoted: HarnessState = { ...before, isLeader: false };
    const out = await ok(harness.run(demoted, 'update-status'));
    expect(out.state.status).toEqual({
      kind: 'active',
      message: 'Certificate Authority connected.',
    });
    const local = rel(out.state).local ?? {};
    expect(Object.keys(local)).toEqual(['private-address']);
    expect(out.outcome?.leaderSettings).toEqual({});
  });
});

describe('easyrsa: certificates for related units', () => {
  it('etcd/0 gets a server certificate with its CN and SANs, signed by the CA', async () => {
    const state = await served();
    const ca = caOf(state);
    const bag = rel(state).local ?? {};
    expect(tlsCertificates.requirer.ca(bag)).toBe(ca);
    const issued = tlsCertificates.requirer.serverCert(bag, 'etcd/0');
    expect(issued).toBeDefined();
    const cert = new X509Certificate(issued?.cert ?? '');
    expect(cert.subject).toBe('CN=etcd-0');
    expect(sansOf(issued?.cert)).toEqual([
      'DNS:etcd-0',
      'DNS:etcd-0.internal',
      'IP Address:10.0.0.1',
    ]);
    expect(issuedBy(issued?.cert, ca)).toBe(true);
    const fromKey = createPublicKey(createPrivateKey(issued?.key ?? '')).export({
      format: 'pem',
      type: 'spki',
    });
    expect(cert.publicKey.export({ format: 'pem', type: 'spki' })).toBe(fromKey);
    const client = tlsCertificates.requirer.clientCert(bag);
    expect(client?.cert).toBe(state.leaderSettings?.['client.crt']);
    expect(issuedBy(client?.cert, ca)).toBe(true);
    // The application bag carries the same answer: the record a new leader reads.
    expect(tlsCertificates.requirer.serverCert(rel(state).app ?? {}, 'etcd/0')).toEqual(issued);
    expect(state.status).toEqual({ kind: 'active', message: 'Certificate Authority connected.' });
  });

  it('an unchanged request keeps its certificate: no writes, nobody woken', async () => {
    const state = await served();
    const out = await ok(
      harness.run(state, { kind: 'relation-changed', relationId: 1, remoteUnit: 'etcd/0' }),
    );
    expect(out.outcome?.relations).toEqual([]);
    expect(out.outcome?.leaderSettings).toEqual({});
    expect(rel(out.state)).toEqual(rel(state));
  });

  it('changed SANs get a new certificate with the new SANs', async () => {
    const state = await served();
    const before = rel(state).local?.['etcd_0.server.cert'];
    const asked = serverRequest('etcd-0', ['10.0.0.2']);
    const next = { ...state, relations: [{ ...rel(state), remoteUnits: { 'etcd/0': asked } }] };
    const out = await ok(
      harness.run(next, { kind: 'relation-changed', relationId: 1, remoteUnit: 'etcd/0' }),
    );
    const after = rel(out.state).local?.['etcd_0.server.cert'];
    expect(after).not.toBe(before);
    expect(sansOf(after)).toEqual(['DNS:etcd-0', 'IP Address:10.0.0.2']);
    expect(issuedBy(after, caOf(out.state))).toBe(true);
  });

  it('an invalid SAN is refused and logged, never blocking the CA; other units are still served', async () => {
    const installed = await ok(harness.run(leader(), 'install'));
    const state = {
      ...installed.state,
      relations: [
        etcdRelation({ 'etcd/0': ETCD0, 'etcd/1': serverRequest('etcd-1', ['bad host!']) }),
      ],
    };
    // A hook that waits for every request (key-pool.test and deferred-signing.test cover the
    // ones that wait only for their own unit's).
    const out = await ok(harness.run(state, 'update-status'));
    expect(out.state.status).toEqual({
      kind: 'active',
      message: 'Certificate Authority connected.',
    });
    const bag = rel(out.state).local ?? {};
    expect(issuedBy(bag['etcd_0.server.cert'], caOf(out.state))).toBe(true);
    expect(bag['etcd_1.server.cert']).toBeUndefined();
    expect(out.logs).toContainEqual({
      level: 'warn',
      message: 'not signing: invalid SAN "bad host!" requested by etcd/1',
    });
    // Logged when it first appears, not in every hook after.
    const again = await ok(harness.run(out.state, 'update-status'));
    expect(again.logs.filter((l) => l.level === 'warn')).toEqual([]);
    expect(again.state.status?.kind).toBe('active');
  });

  it('batch requests are answered by name; client ones are for clients only', async () => {
    const installed = await ok(harness.run(leader(), 'install'));
    let bag = tlsCertificates.requirer.requestBatch({}, 'server', { 'etcd-peer': ['10.0.0.9'] });
    bag = { ...bag, ...tlsCertificates.requirer.requestBatch({}, 'client', { admin: [] }) };
    const state = { ...installed.state, relations: [etcdRelation({ 'etcd/2': bag })] };
    const out = await ok(
      harness.run(state, { kind: 'relation-changed', relationId: 1, remoteUnit: 'etcd/2' }),
    );
    const local = rel(out.state).local ?? {};
    const peer = tlsCertificates.requirer.batchCert(local, 'etcd/2', 'server', 'etcd-peer');
    const admin = tlsCertificates.requirer.batchCert(local, 'etcd/2', 'client', 'admin');
    expect(sansOf(peer?.cert)).toEqual(['DNS:etcd-peer', 'IP Address:10.0.0.9']);
    expect(issuedBy(admin?.cert, caOf(out.state))).toBe(true);
    expect(new X509Certificate(admin?.cert ?? '').toLegacyObject().ext_key_usage).toEqual([
      '1.3.6.1.5.5.7.3.2',
    ]);
    // The update-status it asked for brings the shared client certificate, and then all is said.
    const settled = await ok(harness.run(out.state, 'update-status'));
    const again = await ok(harness.run(settled.state, 'update-status'));
    expect(again.outcome?.relations).toEqual([]);
  });

  it('a departed unit loses its certificate from the bags', async () => {
    const state = await served();
    const out = await ok(
      harness.run(state, { kind: 'relation-departed', relationId: 1, remoteUnit: 'etcd/0' }),
    );
    expect(Object.keys(rel(out.state).local ?? {}).sort()).toEqual([
      'ca',
      'client.cert',
      'client.key',
      'private-address',
    ]);
    expect(out.state.status).toEqual({ kind: 'active', message: 'Certificate Authority ready.' });
  });

  it('no private key reaches a log line or the status', async () => {
    const installed = await ok(harness.run(leader(), 'install'));
    const state = { ...installed.state, relations: [etcdRelation({ 'etcd/0': ETCD0 })] };
    const out = await ok(
      harness.run(state, { kind: 'relation-changed', relationId: 1, remoteUnit: 'etcd/0' }),
    );
    expect(visibleText(installed)).not.toContain('PRIVATE KEY');
    expect(visibleText(out)).not.toContain('PRIVATE KEY');
    expect(visibleText(out)).toContain('signed 1 certificate(s) for etcd');
  });
});
