// kubernetes-worker given bad config (issue 15 item 11): every bad value blocks this unit with
// the option named and changes nothing, neither the machine (no file, no restart) nor a relation.
import { describe, expect, it } from 'vitest';
import type { HarnessState } from '../../../core/charm/index.js';
import { harness, worker } from './fixtures.js';

async function running(): Promise<HarnessState> {
  const out = await harness.run(worker(), 'install');
  expect(out.state.status).toEqual({ kind: 'active', message: 'Kubernetes worker running.' });
  return out.state;
}

describe('kubernetes-worker: bad config', () => {
  it.each([
    [{ labels: 'role=gpu zone' }, 'labels must be Kubernetes labels: "zone" is not key=value'],
    [
      { labels: 'node-role.kubernetes.io/worker=' },
      'kubelet may not set labels in node-role.kubernetes.io',
    ],
    [{ labels: 'tier=front end!' }, 'labels must be Kubernetes labels: "end!" is not key=value'],
    [{ 'kubelet-extra-args': '=x' }, 'kubelet-extra-args must be key=value pairs or flag names'],
    [{ 'proxy-extra-args': 'a=b !c' }, 'proxy-extra-args must be key=value pairs or flag names'],
    [{ 'kubelet-extra-config': '[1, 2]' }, 'kubelet-extra-config must be a JSON map'],
    [{ channel: '1.21/latest' }, 'channel must be a snap channel like 1.21/stable'],
    [{ 'install-source': 'deb' }, 'install-source must be one of auto, package, snap'],
    [{ 'release-url': 'dl.k8s.io' }, 'release-url must be empty or an http:// or https:// URL'],
  ])('%j blocks, naming the option, and changes nothing', async (config, message) => {
    const state = await running();
    const out = await harness.run({ ...state, config }, 'config-changed');
    expect(out.ok).toBe(true);
    expect(out.state.status?.kind).toBe('blocked');
    expect(out.state.status?.message).toMatch(/^Invalid config: /);
    expect(out.state.status?.message).toContain(message);
    expect(out.machineCalls).toEqual([]);
    expect(out.state.machine).toEqual(state.machine);
    expect(out.outcome?.relations).toEqual([]);
  });

  it('the upgrade action fails on bad config before it fetches anything', async () => {
    const state = await running();
    const config = { 'release-url': 'ftp://x' };
    const out = await harness.runAction({ ...state, config }, 'upgrade');
    expect(out.action?.failed).toMatch(/^Invalid config: release-url must be empty or an http/);
    expect(out.machineCalls).toEqual([]);
  });

  it('good labels run', async () => {
    const config = { labels: 'example.com/tier=web node.kubernetes.io/pool=a zone=' };
    const out = await harness.run(worker({}, { config }), 'config-changed');
    expect(out.state.status).toEqual({ kind: 'active', message: 'Kubernetes worker running.' });
  });
});
