// A kubernetes-master unit in the harness with everything related: easyrsa, etcd, flannel, one
// worker asking for credentials; and leader settings made once (an RSA key takes a while).
import { generateKeyPairSync } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Harness, type HarnessState } from '../../../core/charm/index.js';
import { BINARIES, charm } from '../../../charms/kubernetes-master/charm.js';
import {
  attached,
  certificatesBag,
  etcdBag,
  machineAnswers,
  validateWrite,
} from '../../fakes/kube-charms.js';

const dir = fileURLToPath(new URL('../../../charms/kubernetes-master/', import.meta.url));
export const harness = Harness.load(dir, charm, { validateWrite });

export const ALL = BINARIES.map((b) => b.name);
export const ADDRESS = '10.0.0.10';

export const SA_KEY = generateKeyPairSync('rsa', { modulusLength: 1024 })
  .privateKey.export({ type: 'pkcs1', format: 'pem' })
  .toString();

export const LEADER_SETTINGS: Record<string, string> = {
  'service-account-key': SA_KEY,
  'admin-token': 'admintoken',
  'kube-proxy-token': 'proxytoken',
  'kube-controller-manager-token': 'cmtoken',
  'kube-scheduler-token': 'schedtoken',
  'cluster-tag': 'kubernetes-0123456789abcdef',
  'kubelet-tokens': JSON.stringify({
    'system:node:worker-0': { token: 'kubelettoken', group: 'system:nodes' },
  }),
};

export const REL = {
  certificates: 1,
  etcd: 2,
  cni: 3,
  kubeControl: 4,
  apiEndpoint: 5,
  peers: 6,
} as const;

export interface MasterOptions {
  resources?: readonly string[];
  /** Which relations' remote data is present (all by default). */
  without?: readonly ('certificates' | 'etcd' | 'cni' | 'certificates-relation')[];
}

export function master(options: MasterOptions = {}, overrides: Partial<HarnessState> = {}) {
  const resources = options.resources ?? ALL;
  const without = new Set(options.without ?? []);
  const relations: NonNullable<HarnessState['relations']> = [
    {
      id: REL.etcd,
      endpoint: 'etcd',
      remoteApp: 'etcd',
      remoteUnits: { 'etcd/0': without.has('etcd') ? {} : etcdBag() },
    },
    {
      id: REL.cni,
      endpoint: 'cni',
      remoteApp: 'flannel',
      remoteUnits: {
        'flannel/0': without.has('cni')
          ? {}
          : { cidr: '10.1.0.0/16', 'cni-conf-file': '10-flannel.conflist' },
      },
    },
    {
      id: REL.kubeControl,
      endpoint: 'kube-control',
      remoteApp: 'kubernetes-worker',
      remoteUnits: {
        'kubernetes-worker/0': { kubelet_user: 'system:node:worker-0', auth_group: 'system:nodes' },
      },
    },
    {
      id: REL.apiEndpoint,
      endpoint: 'kube-api-endpoint',
      remoteApp: 'kubernetes-worker',
      remoteUnits: { 'kubernetes-worker/0': {} },
    },
    { id: REL.peers, endpoint: 'kube-masters', remoteApp: 'kubernetes-master' },
  ];
  if (!without.has('certificates-relation')) {
    relations.unshift({
      id: REL.certificates,
      endpoint: 'certificates',
      remoteApp: 'easyrsa',
      remoteUnits: {
        'easyrsa/0': without.has('certificates') ? {} : certificatesBag('kubernetes-master/0'),
      },
    });
  }
  const state: HarnessState = {
    unit: 'kubernetes-master/0',
    isLeader: true,
    address: ADDRESS,
    leaderSettings: LEADER_SETTINGS,
    resources: attached(resources),
    relations,
    machine: {
      run: machineAnswers({
        hostname: 'master-0',
        apt: { 'kubernetes-client': undefined },
        resources,
      }),
    },
  };
  return { ...state, ...overrides };
}
