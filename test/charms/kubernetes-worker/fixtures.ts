// A kubernetes-worker unit in the harness with a master that answered its request, easyrsa,
// and flannel; each relation's data can be left out to see what the worker waits for.
import { fileURLToPath } from 'node:url';
import { Harness, type HarnessState, type RunAnswer } from '../../../core/charm/index.js';
import { charm } from '../../../charms/kubernetes-worker/charm.js';
import {
  CONTAINERD_TAKEOVER,
  CONTAINERD_VERSION,
} from '../../../charms/kubernetes-worker/workload.js';
import {
  attached,
  certificatesBag,
  machineAnswers,
  validateWrite,
} from '../../fakes/kube-charms.js';

const dir = fileURLToPath(new URL('../../../charms/kubernetes-worker/', import.meta.url));
export const harness = Harness.load(dir, charm, { validateWrite });

export const ADDRESS = '10.0.0.20';
export const USER = 'system:node:worker-0';

export const REL = { certificates: 1, kubeControl: 2, apiEndpoint: 3, cni: 4 } as const;

export const MASTER_BAG: Record<string, string> = {
  'private-address': '10.0.0.10',
  port: '53',
  domain: 'cluster.local',
  'sdn-ip': '10.152.183.10',
  'cluster-tag': 'kubernetes-0123456789abcdef',
  'api-endpoints': JSON.stringify(['https://10.0.0.10:6443']),
  creds: JSON.stringify({
    [USER]: {
      client_token: 'admintoken',
      kubelet_token: 'kubelettoken',
      proxy_token: 'proxytoken',
      scope: 'kubernetes-worker/0',
    },
  }),
};

type Part = 'certificates' | 'creds' | 'api' | 'cni';

export interface WorkerOptions {
  resources?: readonly string[];
  without?: readonly Part[];
  /** Relations left out altogether. */
  unrelated?: readonly ('kube-control' | 'kube-api-endpoint' | 'certificates')[];
  containerd?: string | undefined;
  kubectl?: string;
  /** What `ctr version` answers; by default a containerd that serves. */
  ctr?: RunAnswer;
}

/** `ctr version` when the daemon answers on its socket. */
export const CTR_VERSION =
  'Client:\n  Version:  1.6.20~ds1\n  Revision: 1.6.20~ds1-1+deb12u3\n  Go version: go1.19.8\n\n' +
  'Server:\n  Version:  1.6.20~ds1\n  Revision: 1.6.20~ds1-1+deb12u3\n  UUID: 8b78645d\n';

export function worker(options: WorkerOptions = {}, overrides: Partial<HarnessState> = {}) {
  const resources = options.resources ?? ['kubelet', 'kube-proxy'];
  const without = new Set(options.without ?? []);
  const unrelated = new Set(options.unrelated ?? []);
  const relations: NonNullable<HarnessState['relations']> = [];
  if (!unrelated.has('certificates')) {
    relations.push({
      id: REL.certificates,
      endpoint: 'certificates',
      remoteApp: 'easyrsa',
      remoteUnits: {
        'easyrsa/0': without.has('certificates') ? {} : certificatesBag('kubernetes-worker/0'),
      },
    });
  }
  if (!unrelated.has('kube-control')) {
    relations.push({
      id: REL.kubeControl,
      endpoint: 'kube-control',
      remoteApp: 'kubernetes-master',
      remoteUnits: {
        'kubernetes-master/0': without.has('creds')
          ? { 'private-address': '10.0.0.10' }
          : MASTER_BAG,
      },
    });
  }
  if (!unrelated.has('kube-api-endpoint')) {
    relations.push({
      id: REL.apiEndpoint,
      endpoint: 'kube-api-endpoint',
      remoteApp: 'kubernetes-master',
      remoteUnits: {
        'kubernetes-master/0': without.has('api') ? {} : { hostname: '10.0.0.10', port: '6443' },
      },
    });
  }
  relations.push({
    id: REL.cni,
    endpoint: 'cni',
    remoteApp: 'flannel',
    remoteUnits: {
      'flannel/0': without.has('cni')
        ? {}
        : { cidr: '10.1.0.0/16', 'cni-conf-file': '10-flannel.conflist' },
    },
  });
  const containerd = 'containerd' in options ? options.containerd : '1.6.20~ds1-1+deb12u3';
  const run = {
    ...machineAnswers({
      hostname: 'worker-0',
      apt: { 'kubernetes-client': options.kubectl, containerd },
      resources,
    }),
    [CONTAINERD_TAKEOVER]: '',
    [CONTAINERD_VERSION]: options.ctr ?? CTR_VERSION,
  };
  const state: HarnessState = {
    unit: 'kubernetes-worker/0',
    isLeader: true,
    address: ADDRESS,
    resources: attached(resources),
    relations,
    machine: { run },
  };
  return { ...state, ...overrides };
}
