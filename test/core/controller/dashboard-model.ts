// A small model as the API's status answers it, for the dashboard's tests: easyrsa and etcd
// (one etcd unit blocked, one with a flannel-like subordinate in error), related as bundles/
// etcd.yaml relates them. A unit message holds a private key, as a careless charm might write.
import type { StatusResponse, UnitStatusView } from '../../../core/controller/api.js';

export const KEY =
  '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----';

const unit = (
  workload: string,
  message: string,
  machine: string,
  extra: Partial<UnitStatusView> = {},
): UnitStatusView => ({
  'workload-status': { current: workload, message },
  'agent-status': { current: 'idle', message: '' },
  machine,
  'public-address': `10.0.0.${Number(machine) + 2}`,
  'charm-rev': 1,
  ...extra,
});

const machine = (id: string) => ({
  'machine-status': { current: 'started', message: '' },
  'agent-status': { current: 'started', message: '' },
  'dns-name': `10.0.0.${Number(id) + 2}`,
  'instance-id': `m-${id}`,
  base: 'debian@12',
  hardware: '',
});

export const MODEL: StatusResponse = {
  model: { name: 'default', controller: 'dev', cloud: 'local', version: '0.1.0' },
  machines: { '0': machine('0'), '1': machine('1'), '2': machine('2') },
  applications: {
    easyrsa: {
      charm: 'easyrsa',
      'charm-name': 'easyrsa',
      'charm-rev': 1,
      exposed: false,
      'application-status': { current: 'active', message: 'Certificate Authority connected.' },
      relations: { client: ['etcd'] },
      units: {
        'easyrsa/0': unit('active', 'Certificate Authority connected.', '0', { leader: true }),
      },
      scale: 1,
    },
    etcd: {
      charm: 'etcd',
      'charm-name': 'etcd',
      'charm-rev': 2,
      exposed: false,
      'application-status': { current: 'blocked', message: 'no peers' },
      relations: { certificates: ['easyrsa'], cluster: ['etcd'] },
      units: {
        'etcd/0': unit('active', 'Healthy with 2 known peers', '1', {
          leader: true,
          subordinates: {
            'side/0': {
              'workload-status': { current: 'active', message: `oops ${KEY}` },
              'agent-status': { current: 'error', message: 'hook failed: "install"' },
              'public-address': '10.0.0.3',
            },
          },
        }),
        'etcd/1': unit('blocked', 'no peers', '2'),
      },
      scale: 2,
    },
    side: {
      charm: 'sidecar',
      'charm-name': 'sidecar',
      'charm-rev': 1,
      exposed: false,
      'subordinate-to': ['etcd'],
      'application-status': { current: 'error', message: 'hook failed: "install"' },
      relations: { host: ['etcd'] },
      scale: 1,
    },
  },
  relations: [
    { id: 0, provider: 'etcd:cluster', requirer: 'etcd:cluster', interface: 'etcd', type: 'peer' },
    {
      id: 1,
      provider: 'easyrsa:client',
      requirer: 'etcd:certificates',
      interface: 'tls-certificates',
      type: 'regular',
    },
    {
      id: 2,
      provider: 'etcd:host',
      requirer: 'side:host',
      interface: 'host',
      type: 'subordinate',
    },
  ],
};
