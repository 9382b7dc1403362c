// kubernetes-worker during easyrsa's rotate-ca: it writes the CA bundle (kubelet's client CA and
// every kubeconfig's CA file, so the node trusts both CAs), restarts kubelet and kube-proxy when
// they run, and echoes the step; without binaries it echoes once the files are written.
import { describe, expect, it } from 'vitest';
import type { HarnessState } from '../../../core/charm/index.js';
import { CA, certificatesBag, pem } from '../../fakes/kube-charms.js';
import { REL, harness, worker } from './fixtures.js';

const STEP = '0123456789abcdef/trust-both';
const BUNDLE = `${CA}${pem('CERTIFICATE', 'fake new ca')}`;

function rotating(state: HarnessState): HarnessState {
  const bag = { ...certificatesBag('kubernetes-worker/0'), ca: BUNDLE, ca_rotation: STEP };
  const relations = state.relations?.map((r) =>
    r.id === REL.certificates ? { ...r, remoteUnits: { 'easyrsa/0': bag } } : r,
  );
  return { ...state, ...(relations === undefined ? {} : { relations }) };
}

const fromEasyrsa = {
  kind: 'relation-changed',
  relationId: REL.certificates,
  remoteUnit: 'easyrsa/0',
} as const;
const echo = (state: HarnessState) =>
  state.relations?.find((r) => r.id === REL.certificates)?.local?.['ca_rotation_applied'];
const restarted = (calls: readonly { op: string; action?: string; name?: string }[]) =>
  calls.flatMap((c) => (c.op === 'service' && c.action === 'restart' ? [c.name] : []));

describe('kubernetes-worker: rotate-ca', () => {
  it('restarts kubelet and kube-proxy with the bundle, then echoes the step', async () => {
    const first = await harness.run(worker(), 'install');
    expect(first.state.status?.kind).toBe('active');
    expect(echo(first.state)).toBe('none');
    const out = await harness.run(rotating(first.state), fromEasyrsa);
    expect(out.ok).toBe(true);
    expect(out.state.machine?.files?.['/root/cdk/ca.crt']).toBe(BUNDLE);
    expect(restarted(out.machineCalls)).toEqual(['kubelet', 'kube-proxy']);
    expect(echo(out.state)).toBe(STEP);
  });

  it('without binaries it writes the certificate files and echoes', async () => {
    const blocked = await harness.run(worker({ resources: [] }), 'install');
    expect(blocked.state.status?.kind).toBe('blocked');
    const out = await harness.run(rotating(blocked.state), fromEasyrsa);
    expect(out.state.machine?.files?.['/root/cdk/ca.crt']).toBe(BUNDLE);
    expect(out.state.machine?.services?.['kubelet']).toBeUndefined();
    expect(echo(out.state)).toBe(STEP);
  });

  it('does not echo while a kubelet it started runs on, and the node cannot be reconciled', async () => {
    const first = await harness.run(worker(), 'install');
    // The CNI went away: no full reconcile, so the running kubelet keeps its old files.
    const relations = rotating(first.state).relations?.map((r) =>
      r.id === REL.cni ? { ...r, remoteUnits: { 'flannel/0': {} } } : r,
    );
    const out = await harness.run({ ...first.state, relations }, fromEasyrsa);
    expect(out.ok).toBe(true);
    expect(out.state.machine?.files?.['/root/cdk/ca.crt']).toBe(CA);
    expect(echo(out.state)).toBe('none');
  });
});
