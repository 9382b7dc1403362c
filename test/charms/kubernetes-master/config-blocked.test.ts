// kubernetes-master given bad config (issue 15 item 11): every bad value blocks this unit with
// the option named and changes nothing, neither the machine (no file, no restart) nor a relation;
// the defaults and good values still run the control plane.
import { describe, expect, it } from 'vitest';
import type { HarnessState } from '../../../core/charm/index.js';
import { harness, master } from './fixtures.js';

async function running(): Promise<HarnessState> {
  const out = await harness.run(master(), 'install');
  expect(out.state.status).toEqual({ kind: 'active', message: 'Kubernetes master running.' });
  return out.state;
}

const apiserverArgv = (state: HarnessState) =>
  state.machine?.services?.['kube-apiserver']?.spec.command ?? [];

describe('kubernetes-master: bad config', () => {
  it.each([
    [
      { 'authorization-mode': 'Bogus' },
      'authorization-mode must be comma-separated modes from Node, RBAC, ABAC, Webhook, AlwaysAllow, AlwaysDeny, got "Bogus"',
    ],
    [{ 'authorization-mode': 'node,rbac' }, 'authorization-mode must be comma-separated modes'],
    [{ 'authorization-mode': 'Node,RBAC,' }, 'authorization-mode must be comma-separated modes'],
    [{ 'authorization-mode': 'Node,RBAC,Node' }, 'authorization-mode names Node more than once'],
    [
      { 'authorization-mode': 'Node,ABAC' },
      'authorization-mode ABAC needs authorization-policy-file=PATH in api-extra-args',
    ],
    [
      { 'allow-privileged': 'maybe' },
      'allow-privileged must be one of true, false, auto, got "maybe"',
    ],
    [{ dns_domain: 'cluster_local' }, 'dns_domain must be a DNS name'],
    [
      { dns_domain: 'Cluster.Local' },
      'dns_domain must be a lower-case DNS name, got "Cluster.Local"',
    ],
    [{ dns_domain: 'cluster.local.' }, 'dns_domain must be a DNS name (empty label)'],
    [{ dns_domain: '' }, 'dns_domain must be a DNS name, got ""'],
    [
      { extra_sans: 'api.example.com bad_host!' },
      'extra_sans must hold DNS names and IP addresses: "bad_host!" is not a valid hostname',
    ],
    [
      { extra_sans: '10.0.0.256' },
      'extra_sans must hold DNS names and IP addresses: "10.0.0.256" is not a valid IPv4 address',
    ],
    [{ 'service-cidr': '10.152.183.0/29' }, 'service-cidr must be a CIDR from /12 to /28'],
    [{ 'service-cidr': '10.0.0.0/8' }, 'service-cidr must be a CIDR from /12 to /28'],
    [
      { 'loadbalancer-ips': '203.0.113.9 lb.example.com' },
      'loadbalancer-ips must hold IP addresses only, got "lb.example.com"',
    ],
    [
      { 'api-extra-args': 'v=4 =x' },
      'api-extra-args must be key=value pairs or flag names, got "=x"',
    ],
    [
      { 'controller-manager-extra-args': '=y' },
      'controller-manager-extra-args must be key=value pairs',
    ],
    [{ 'scheduler-extra-args': 'bad!flag' }, 'scheduler-extra-args must be key=value pairs'],
    [
      { 'default-cni': 'Flannel' },
      'default-cni must be empty or an application name like flannel, got "Flannel"',
    ],
    [
      { channel: '1.21/stable/a/b' },
      'channel must be a snap channel like 1.21/stable, got "1.21/stable/a/b"',
    ],
    [
      { 'install-source': 'apt' },
      'install-source must be one of auto, package, snap, archive, resource, got "apt"',
    ],
    [
      { 'release-url': 'ftp://dl.example/bin' },
      'release-url must be empty or an http:// or https:// URL, got "ftp://dl.example/bin"',
    ],
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
    expect(out.outcome?.leaderSettings).toEqual({});
  });

  it('names every bad option at once', async () => {
    const config = { 'authorization-mode': 'Bogus', 'allow-privileged': 'maybe' };
    const out = await harness.run(master({}, { config }), 'install');
    expect(out.state.status?.message).toBe(
      'Invalid config: authorization-mode must be comma-separated modes from Node, RBAC, ABAC, ' +
        'Webhook, AlwaysAllow, AlwaysDeny, got "Bogus"; allow-privileged must be one of true, ' +
        'false, auto, got "maybe"',
    );
    expect(out.machineCalls).toEqual([]);
  });

  it('the upgrade action fails on bad config before it fetches anything', async () => {
    const state = await running();
    const out = await harness.runAction(
      { ...state, config: { 'install-source': 'apt' } },
      'upgrade',
    );
    expect(out.action?.failed).toMatch(/^Invalid config: install-source must be one of/);
    expect(out.machineCalls).toEqual([]);
  });
});

describe('kubernetes-master: good config runs', () => {
  it.each([
    [{ 'authorization-mode': 'Node, RBAC' }, '--authorization-mode=Node,RBAC'],
    [{ 'authorization-mode': 'AlwaysAllow' }, '--authorization-mode=AlwaysAllow'],
    [
      {
        'authorization-mode': 'RBAC,ABAC',
        'api-extra-args': 'authorization-policy-file=/root/cdk/abac.jsonl',
      },
      '--authorization-mode=RBAC,ABAC',
    ],
    [{ 'allow-privileged': 'true' }, '--allow-privileged=true'],
    [{ 'allow-privileged': 'False' }, '--allow-privileged=false'],
    [{ 'allow-privileged': 'auto' }, '--allow-privileged=false'],
    [{ 'service-cidr': '10.96.0.0/12' }, '--service-cluster-ip-range=10.96.0.0/12'],
  ])('%j → %s', async (config, flag) => {
    const out = await harness.run(master({}, { config }), 'config-changed');
    expect(out.state.status).toEqual({ kind: 'active', message: 'Kubernetes master running.' });
    expect(apiserverArgv(out.state)).toContain(flag);
  });

  it('takes DNS names, addresses and wildcards in extra_sans and addresses in loadbalancer-ips', async () => {
    const config = {
      extra_sans: 'api.example.com,*.k8s.example.com 2001:db8::1',
      'loadbalancer-ips': '203.0.113.9',
      dns_domain: 'k8s.internal',
      'default-cni': 'flannel',
    };
    const out = await harness.run(master({}, { config }), 'config-changed');
    expect(out.state.status).toEqual({ kind: 'active', message: 'Kubernetes master running.' });
  });
});
