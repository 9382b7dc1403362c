// Automatic renewal with a fixed clock: certificate-lifetime and renew-before decide when a leaf
// is reissued, every certificate out is recorded with its expiry, list-certs shows the record.
import { X509Certificate } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { HarnessState } from '../../../core/charm/index.js';
import { tlsCertificates } from '../../../core/interfaces/index.js';
import { parseLifetime } from '../../../charms/easyrsa/renewal.js';
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

const T0 = new Date('2026-12-07T06:00:00Z');
const MINUTE = 60_000;
const ETCD0 = serverRequest('etcd-0', ['10.0.0.1']);

function at(minutes: number): void {
  vi.setSystemTime(new Date(T0.getTime() + minutes * MINUTE));
}

/** etcd/0 served, with ten-minute leaves reissued when half their life is left. */
async function served(config: Record<string, unknown>): Promise<HarnessState> {
  const installed = await ok(harness.run(leader({ config }), 'install'));
  const state = { ...installed.state, relations: [etcdRelation({ 'etcd/0': ETCD0 })] };
  const asked = await ok(
    harness.run(state, { kind: 'relation-changed', relationId: 1, remoteUnit: 'etcd/0' }),
  );
  return (await ok(harness.run(asked.state, 'update-status'))).state;
}

function serverCert(state: HarnessState): string {
  const cert = tlsCertificates.requirer.serverCert(rel(state).app ?? {}, 'etcd/0')?.cert;
  if (cert === undefined) throw new Error('etcd/0 has no certificate');
  return cert;
}

const expiry = (pem: string) => new Date(new X509Certificate(pem).validTo).getTime();

describe('easyrsa: automatic renewal', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    at(0);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('issues leaves for certificate-lifetime and reissues them once renew-before of it is left', async () => {
    const state = await served({ 'certificate-lifetime': '10m', 'renew-before': 0.5 });
    const first = serverCert(state);
    expect(expiry(first)).toBe(T0.getTime() + 10 * MINUTE);
    const client = state.leaderSettings?.['client.crt'] ?? '';
    expect(expiry(client)).toBe(T0.getTime() + 10 * MINUTE);

    at(4);
    const early = await ok(harness.run(state, 'update-status'));
    expect(serverCert(early.state)).toBe(first);
    expect(early.outcome?.relations).toEqual([]);

    at(6);
    const due = await ok(harness.run(early.state, 'update-status'));
    const renewed = serverCert(due.state);
    expect(renewed).not.toBe(first);
    expect(issuedBy(renewed, caOf(due.state))).toBe(true);
    expect(expiry(renewed)).toBe(T0.getTime() + 16 * MINUTE);
    const newClient = due.state.leaderSettings?.['client.crt'] ?? '';
    expect(expiry(newClient)).toBe(T0.getTime() + 16 * MINUTE);
    // What the requirer reads: the renewed pair, in its unit bag as in the app bag.
    expect(tlsCertificates.requirer.serverCert(rel(due.state).local ?? {}, 'etcd/0')?.cert).toBe(
      renewed,
    );
    expect(tlsCertificates.requirer.clientCert(rel(due.state).local ?? {})?.cert).toBe(newClient);
  });

  it('a relation hook that finds the client certificate due keeps it out and asks for update-status', async () => {
    const state = await served({ 'certificate-lifetime': '10m', 'renew-before': 0.5 });
    const client = state.leaderSettings?.['client.crt'];
    at(6);
    const hook = { kind: 'relation-changed', relationId: 1, remoteUnit: 'etcd/0' } as const;
    const out = await ok(harness.run(state, hook));
    expect(tlsCertificates.requirer.clientCert(rel(out.state).local ?? {})?.cert).toBe(client);
    expect(out.outcome?.requeue).toBe(true);
  });

  it('records every certificate out with its expiry; list-certs shows them', async () => {
    const state = await served({ 'certificate-lifetime': '2h' });
    const records = JSON.parse(state.leaderSettings?.['certificates'] ?? '[]') as unknown[];
    const expires = new Date(T0.getTime() + 120 * MINUTE).toISOString();
    expect(records).toEqual([
      expect.objectContaining({ holder: 'client', kind: 'client', expires }),
      expect.objectContaining({ holder: 'etcd_0', name: 'etcd-0', kind: 'server', expires }),
    ]);
    const listed = await ok(harness.runAction(state, 'list-certs'));
    expect(listed.action?.results).toMatchObject({
      count: '2',
      'certificate-lifetime-seconds': '7200',
      'renew-before': '0.33',
    });
    expect(listed.action?.results['cert-1']).toContain(`etcd_0 server etcd-0 serial=`);
    expect(listed.action?.results['cert-1']).toContain(`expires=${expires} issuer=easyrsa CA`);
    expect(JSON.stringify(listed.action?.results)).not.toContain('PRIVATE KEY');
  });

  it('a lifetime it cannot read blocks with the reason and keeps signing with the defaults', async () => {
    const state = await served({ 'certificate-lifetime': 'ten minutes' });
    expect(state.status).toEqual({
      kind: 'blocked',
      message: 'certificate-lifetime: "ten minutes" is not a duration like 90d, 12h or 10m',
    });
    expect(expiry(serverCert(state))).toBeGreaterThan(T0.getTime() + 3000 * 86_400_000);
  });

  it.each([
    ['10m', 600_000],
    ['12h', 43_200_000],
    ['90d', 7_776_000_000],
    ['30s', 30_000],
    ['0m', undefined],
    ['10', undefined],
    ['1w', undefined],
  ])('parseLifetime(%j) is %j', (text, ms) => {
    expect(parseLifetime(text)).toBe(ms);
  });
});
