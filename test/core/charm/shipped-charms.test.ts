// The five charms in charms/: they load cleanly and match DESIGN §9 and the CK 1.21 reference.
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../../core/charm/config.js';
import { CharmRepository } from '../../../core/charm/repository.js';

const repository = new CharmRepository();
const NAMES = ['easyrsa', 'etcd', 'flannel', 'kubernetes-master', 'kubernetes-worker'];
const load = (name: string) => repository.load(name, '.');

/** DESIGN §9's table, one row per endpoint: `role name: interface [container]`. */
const ENDPOINTS: Record<string, string[]> = {
  easyrsa: ['provider client: tls-certificates'],
  etcd: ['provider db: etcd', 'requirer certificates: tls-certificates', 'peer cluster: etcd'],
  'kubernetes-master': [
    'provider kube-api-endpoint: http',
    'provider kube-control: kube-control',
    'provider cni: kubernetes-cni container',
    'requirer etcd: etcd',
    'requirer certificates: tls-certificates',
    'peer kube-masters: kube-masters',
  ],
  'kubernetes-worker': [
    'provider cni: kubernetes-cni container',
    'requirer kube-api-endpoint: http',
    'requirer kube-control: kube-control',
    'requirer certificates: tls-certificates',
  ],
  flannel: ['requirer etcd: etcd', 'requirer cni: kubernetes-cni container'],
};

const ACTIONS: Record<string, string[]> = {
  easyrsa: ['backup', 'list-backups', 'list-certs', 'restore', 'rotate-ca', 'rotate-certs'],
  etcd: ['compact', 'defrag', 'health', 'restore', 'snapshot'],
  'kubernetes-master': ['get-kubeconfig', 'restart', 'upgrade'],
  'kubernetes-worker': ['pause', 'resume', 'upgrade'],
  flannel: [],
};

describe('shipped charms', () => {
  it('are exactly the five of DESIGN §9', () => {
    expect(repository.known()).toEqual(NAMES);
  });

  it.each(NAMES)('%s loads, named after its folder, with the endpoints of DESIGN §9', (name) => {
    const charm = load(name);
    expect(charm.meta.name).toBe(name);
    expect(charm.meta.summary).not.toBe('');
    const rows = charm.meta.endpoints.map(
      (e) =>
        `${e.role} ${e.name}: ${e.interface}${e.scope === 'container' ? ' container' : ''}` +
        (e.limit !== undefined || e.optional ? ' (limit/optional)' : ''),
    );
    expect(rows).toEqual(ENDPOINTS[name]);
    expect(charm.meta.subordinate).toBe(name === 'flannel');
  });

  it.each(NAMES)('%s has its actions, each with a closed params schema', (name) => {
    const actions = load(name).actions;
    expect(Object.keys(actions).sort()).toEqual(ACTIONS[name]);
    for (const action of Object.values(actions)) {
      expect(action.description).not.toBe('');
      expect(action.params.additionalProperties).toBe(false);
    }
  });

  it('every option has a description, and every installing charm has install-source', () => {
    for (const name of NAMES) {
      const { options } = load(name).config;
      for (const option of Object.values(options)) expect(option.description).not.toBe('');
      // easyrsa installs nothing: its options are the certificates' lifetime and renewal.
      if (name === 'easyrsa') {
        expect(Object.keys(options).sort()).toEqual(['certificate-lifetime', 'renew-before']);
      } else expect(options['install-source']).toMatchObject({ type: 'string', default: 'auto' });
    }
  });

  it('etcd has the reference options and defaults', () => {
    expect(defaultConfig(load('etcd').config)).toMatchObject({
      port: 2379,
      management_port: 2380,
      bind_to_all_interfaces: true,
      heartbeat_interval: 100,
      election_timeout: 1000,
      snapshot_count: 10000,
      tls_cipher_suites: '',
      channel: 'auto',
    });
  });

  it('kubernetes-master has the reference options and defaults', () => {
    expect(defaultConfig(load('kubernetes-master').config)).toMatchObject({
      'service-cidr': '10.152.183.0/24',
      'authorization-mode': 'Node,RBAC',
      dns_domain: 'cluster.local',
      extra_sans: '',
      'api-extra-args': '',
      'controller-manager-extra-args': '',
      'scheduler-extra-args': '',
      channel: '1.21/stable',
      'require-manual-upgrade': true,
    });
  });

  it('kubernetes-worker has the reference options and defaults', () => {
    expect(defaultConfig(load('kubernetes-worker').config)).toMatchObject({
      'kubelet-extra-args': '',
      'proxy-extra-args': '',
      labels: '',
      channel: '1.21/stable',
    });
  });

  it('flannel has the reference options and defaults', () => {
    expect(defaultConfig(load('flannel').config)).toEqual({
      cidr: '10.1.0.0/16',
      iface: '',
      port: 0,
      vni: 0,
      'install-source': 'auto',
      'archive-url': '',
    });
  });

  it('option types are what operators will set', () => {
    const etcd = load('etcd').config.options;
    expect(etcd.port?.type).toBe('int');
    expect(etcd.bind_to_all_interfaces?.type).toBe('boolean');
    expect(load('flannel').config.options.vni?.type).toBe('int');
  });
});
